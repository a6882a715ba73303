import { Connector, FeedError, Page, RawReading } from '../connector';
import { SimulatorConfig, simulatorConnector } from './simulator.connector';

const HOUR = 3_600_000;
const NOW = '2024-03-06T00:00:00.000Z';
const START = '2024-03-03T00:00:00.000Z';

const METERS = [
  { meterCode: 'N-1', avgFlow: 10, maxFlowRate: 40 },
  { meterCode: 'N-2', avgFlow: 2, intervalSeconds: 3600 },
  { meterCode: 'S-1', avgFlow: 5, behaviour: 'silent' },
  { meterCode: 'R-1', avgFlow: 5, behaviour: 'rollback' },
  { meterCode: 'K-1', avgFlow: 5, behaviour: 'stuck' },
  { meterCode: 'P-1', avgFlow: 5, maxFlowRate: 20, behaviour: 'spike' },
  { meterCode: 'O-1', avgFlow: 4, behaviour: 'overdraw' },
];

function sim(overrides: Record<string, unknown> = {}): Connector {
  return simulatorConnector.create(simulatorConnector.parseConfig({ meters: METERS, start: START, now: NOW, seed: 7, ...overrides }));
}

async function drain(c: Connector, limit: number, cursor: string | null = null): Promise<{ pages: Page[]; cursor: string | null }> {
  const pages: Page[] = [];
  for (let i = 0; i < 10_000; i++) {
    const page = await c.fetchPage(cursor, { limit });
    pages.push(page);
    cursor = page.nextCursor;
    if (page.done) return { pages, cursor };
  }
  throw new Error('never done');
}

const of = (rs: RawReading[], code: string): RawReading[] => rs.filter((r) => r.meterCode === code);
const key = (r: RawReading): string => `${r.meterCode}@${r.readAt.toISOString()}`;

/** Flow implied by consecutive totalisers, m³/h, with the later reading. */
function implied(rs: RawReading[]): { flow: number; at: RawReading }[] {
  return rs.slice(1).map((r, i) => {
    const prev = rs[i];
    return { flow: (r.cumulativeVolume - prev.cumulativeVolume) / ((r.readAt.getTime() - prev.readAt.getTime()) / HOUR), at: r };
  });
}

describe('simulator connector', () => {
  let everything: RawReading[];
  beforeAll(async () => {
    everything = (await sim().fetchPage(null, { limit: 100_000 })).readings;
  });

  it('is deterministic: the same seed and cursor give identical pages', async () => {
    const a = await drain(sim(), 250);
    const b = await drain(sim(), 250);
    expect(b.pages).toEqual(a.pages);
    const c = sim();
    const mid = a.pages[2]?.nextCursor ?? null;
    expect(await c.fetchPage(mid, { limit: 250 })).toEqual(await c.fetchPage(mid, { limit: 250 }));
    expect(await c.fetchPage(mid, { limit: 250 })).toEqual(a.pages[3]);

    const other = await sim({ seed: 8 }).fetchPage(null, { limit: 50 });
    expect(other.readings.map((r) => r.cumulativeVolume)).not.toEqual(a.pages[0]?.readings.slice(0, 50).map((r) => r.cumulativeVolume));
  });

  it('pages up to `limit` readings, advancing all meters together, until caught up with now', async () => {
    const c = sim();
    const { pages, cursor } = await drain(c, 250);
    const rs = pages.flatMap((p) => p.readings);
    // 5 meters × (3 days × 96 + 1), N-2 hourly (73), S-1 until 30 h before now (42 h × 4 + 1).
    expect(rs).toHaveLength(5 * 289 + 73 + 169);
    expect(new Set(rs.map(key)).size).toBe(rs.length);
    expect(rs.map(key).sort()).toEqual(everything.map(key).sort());
    for (const p of pages) {
      expect(p.readings.length).toBeLessThanOrEqual(250);
      expect(p.rejected).toEqual([]);
      // The cursor is the last delivered slot: no reading in the page is later.
      const last = Math.max(...p.readings.map((r) => r.readAt.getTime()));
      if (p.readings.length) expect(p.nextCursor).toBe(new Date(last).toISOString());
    }
    expect(pages.slice(0, -1).every((p) => !p.done)).toBe(true);
    expect(cursor).toBe(NOW);
    // Nothing new: empty page, cursor unchanged.
    expect(await c.fetchPage(cursor, { limit: 250 })).toEqual({ readings: [], rejected: [], nextCursor: NOW, done: true });
    // The first reading is at start, the last at now.
    expect(everything[0]?.readAt.toISOString()).toBe(START);
    expect(everything.at(-1)?.readAt.toISOString()).toBe(NOW);
  });

  it('splits a slot when more meters report in it than `limit` allows', async () => {
    const { pages } = await drain(sim(), 3);
    expect(pages.every((p) => p.readings.length <= 3)).toBe(true);
    expect(pages[0]?.nextCursor).toBe(`${START}#3`);
    expect(pages[1]?.nextCursor).toBe(`${START}#6`);
    expect(pages[2]?.nextCursor).toBe(START);
    expect(pages.flatMap((p) => p.readings)).toEqual(everything);
  });

  it('keeps normal totalisers monotonic with a working-day pattern and no false spikes', () => {
    for (const code of ['N-1', 'N-2']) {
      const rs = of(everything, code);
      const flows = implied(rs);
      expect(flows.every((f) => f.flow >= 0)).toBe(true);
      expect(rs.every((r) => (r.flowRate ?? 0) > 0)).toBe(true);
      const max = code === 'N-1' ? 40 : 6;
      expect(Math.max(...flows.map((f) => f.flow))).toBeLessThan(max);
      // Reported flow matches the totaliser's movement.
      for (const f of flows) expect(Math.abs(f.flow - (f.at.flowRate ?? 0))).toBeLessThan(0.01);
    }
    const n1 = implied(of(everything, 'N-1'));
    const localHour = (r: RawReading): number => (r.readAt.getUTCHours() + 8) % 24;
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const work = mean(n1.filter((f) => localHour(f.at) >= 9 && localHour(f.at) < 17).map((f) => f.flow));
    const night = mean(n1.filter((f) => localHour(f.at) >= 1 && localHour(f.at) < 5).map((f) => f.flow));
    expect(work).toBeGreaterThan(3 * night);
    expect(mean(n1.map((f) => f.flow))).toBeGreaterThan(8);
    expect(mean(n1.map((f) => f.flow))).toBeLessThan(12);
  });

  it('silent: nothing during the last 30 hours', () => {
    const rs = of(everything, 'S-1');
    const last = rs.at(-1)?.readAt.getTime() ?? 0;
    expect(Date.parse(NOW) - last).toBeGreaterThanOrEqual(30 * HOUR);
    expect(rs.length).toBeGreaterThan(100);
  });

  it('rollback: exactly one drop of the totaliser', () => {
    const drops = implied(of(everything, 'R-1')).filter((f) => f.flow < 0);
    expect(drops).toHaveLength(1);
    const i = of(everything, 'R-1').indexOf(drops[0]?.at);
    const before = of(everything, 'R-1')[i - 1];
    expect(before.cumulativeVolume - (drops[0]?.at.cumulativeVolume ?? 0)).toBeGreaterThan(1);
  });

  it('stuck: the totaliser freezes for 8+ readings while flowRate stays positive, with no catch-up jump', () => {
    const rs = of(everything, 'K-1');
    const runs: number[] = [];
    let run = 1;
    for (let i = 1; i < rs.length; i++) {
      const same = rs[i]?.cumulativeVolume === rs[i - 1]?.cumulativeVolume && (rs[i]?.flowRate ?? 0) > 0;
      if (same) run++;
      else {
        if (run > 1) runs.push(run);
        run = 1;
      }
    }
    if (run > 1) runs.push(run);
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...runs)).toBeGreaterThanOrEqual(8);
    const flows = implied(rs).map((f) => f.flow);
    expect(Math.min(...flows)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...flows)).toBeLessThan(1.5 * 15); // default maxFlowRate = 3 × 5
  });

  it('spike: one interval far above 1.5 × maxFlowRate', () => {
    const flows = implied(of(everything, 'P-1'));
    const spikes = flows.filter((f) => f.flow > 1.5 * 20);
    expect(spikes).toHaveLength(1);
    expect(spikes[0]?.flow).toBeGreaterThanOrEqual(4 * 20);
    expect(spikes[0]?.at.flowRate).toBeGreaterThanOrEqual(4 * 20);
  });

  it('overdraw: about 3 × avgFlow', () => {
    const rs = of(everything, 'O-1');
    const first = rs[0];
    const last = rs.at(-1) as RawReading;
    const mean = (last.cumulativeVolume - first.cumulativeVolume) / ((last.readAt.getTime() - first.readAt.getTime()) / HOUR);
    expect(mean).toBeGreaterThan(2.4 * 4);
    expect(mean).toBeLessThan(3.6 * 4);
    expect(Math.max(...implied(rs).map((f) => f.flow))).toBeLessThan(1.5 * 36);
  });

  it('without a start, readings do not depend on when the sync runs', async () => {
    const base = { meters: METERS, seed: 3 };
    const t1 = Date.parse('2025-06-10T09:07:00Z');
    const a = (await sim({ ...base, start: undefined, now: new Date(t1).toISOString() }).fetchPage(null, { limit: 100_000 })).readings;
    const b = (await sim({ ...base, start: undefined, now: new Date(t1 + 5 * HOUR).toISOString() }).fetchPage(null, { limit: 100_000 })).readings;
    const later = new Map(b.map((r) => [key(r), r]));
    const common = a.filter((r) => later.has(key(r)));
    expect(common.length).toBeGreaterThan(1000);
    for (const r of common) expect(later.get(key(r))).toEqual(r);
    // Slots sit on the UTC grid and the default window is 3 days.
    expect(a[0]?.readAt.toISOString()).toBe('2025-06-07T09:15:00.000Z');
    // Every behaviour shows in the default window too.
    expect(implied(of(a, 'R-1')).filter((f) => f.flow < 0)).toHaveLength(1);
    expect(implied(of(a, 'P-1')).filter((f) => f.flow > 30)).toHaveLength(1);
  });

  it('resumes from a stored cursor, including one from an earlier run', async () => {
    const { pages } = await drain(sim(), 500);
    const resumed = await drain(sim(), 500, pages[1]?.nextCursor ?? null);
    expect(resumed.pages.flatMap((p) => p.readings)).toEqual(pages.slice(2).flatMap((p) => p.readings));
    await expect(sim().fetchPage('yesterday', { limit: 10 })).rejects.toThrow(FeedError);
  });

  it('validates settings, naming the bad field', () => {
    const cfg: SimulatorConfig = simulatorConnector.parseConfig({ meters: [{ meterCode: 'A', avgFlow: 1 }] });
    expect(cfg).toEqual({ meters: [{ meterCode: 'A', avgFlow: 1, intervalSeconds: 900, behaviour: 'normal' }], seed: 1 });
    expect(simulatorConnector.secretKeys).toEqual([]);
    expect(() => simulatorConnector.parseConfig({ meters: [] })).toThrow(/meters: must list at least one meter/);
    expect(() => simulatorConnector.parseConfig({ meters: [{ meterCode: 'A', avgFlow: -1 }] })).toThrow(/meters\.0\.avgFlow/);
    expect(() => simulatorConnector.parseConfig({ meters: [{ meterCode: 'A', avgFlow: 1, intervalSeconds: 7 }] })).toThrow(/meters\.0\.intervalSeconds/);
    expect(() => simulatorConnector.parseConfig({ meters: [{ meterCode: 'A', avgFlow: 1, behaviour: 'weird' }] })).toThrow(
      /meters\.0\.behaviour: must be one of/,
    );
    expect(() =>
      simulatorConnector.parseConfig({
        meters: [
          { meterCode: 'A', avgFlow: 1 },
          { meterCode: 'A', avgFlow: 2 },
        ],
      }),
    ).toThrow(/unique/);
    expect(() => simulatorConnector.parseConfig({ meters: [{ meterCode: 'A', avgFlow: 1 }], start: 'monday' })).toThrow(/start/);
  });
});
