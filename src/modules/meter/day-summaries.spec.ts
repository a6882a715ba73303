import { daySummariesOf } from './meter-day.repository';
import type { ReadingRow } from './meter.repository';

/** The one-pass day summaries of the COPY path (issue 12, target 2) against a plain sort-then-fold of each meter-day. */
describe('daySummariesOf', () => {
  const ids = ['0b5e3a2c-1d4f-4a6b-9c8d-00000000002a', '0b5e3a2c-1d4f-4a6b-9c8d-00000000002b'];
  const t0 = Date.parse('2025-03-01T14:00:00Z'); // 22:00 China time: the readings cross into 2025-03-02
  const readings: ReadingRow[] = [];
  for (let s = 0; s < 20; s++)
    for (const [m, id] of ids.entries())
      readings.push({
        meterId: id,
        readAt: new Date(t0 + s * 900_000),
        // A flat stretch (slots 1–4), a rollback at slot 12, null flows on every third slot.
        cumulativeVolume: 100 * m + (s >= 1 && s <= 4 ? 1 : s === 12 ? 1 : s),
        flowRate: s % 3 ? 1.5 + m : null,
      });

  /** Each meter-day sorted by time, then folded: what summarySql computes. */
  function reference(rs: readonly ReadingRow[]) {
    const groups = new Map<string, ReadingRow[]>();
    for (const r of rs) {
      const key = `${r.meterId} ${new Date(r.readAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    return [...groups.keys()].sort().map((key) => {
      const g = groups.get(key)!.sort((a, b) => a.readAt.getTime() - b.readAt.getTime());
      const pairs = g.slice(1).map((n, i) => ({ p: g[i], n, step: n.cumulativeVolume - g[i].cumulativeVolume }));
      const rates = pairs.filter((x) => x.step >= 0).map((x) => x.step / ((x.n.readAt.getTime() - x.p.readAt.getTime()) / 3_600_000));
      return {
        meterId: g[0].meterId,
        chinaDay: key.split(' ')[1],
        firstReadAt: g[0].readAt,
        firstTotal: g[0].cumulativeVolume,
        firstFlow: g[0].flowRate,
        lastReadAt: g[g.length - 1].readAt,
        lastTotal: g[g.length - 1].cumulativeVolume,
        lastFlow: g[g.length - 1].flowRate,
        readingCount: g.length,
        minStep: pairs.length ? Math.min(...pairs.map((x) => x.step)) : null,
        maxRate: rates.length ? Math.max(...rates) : null,
        flatFlowingPairs: pairs.filter((x) => Math.abs(x.step) <= 1e-9 && (x.n.flowRate ?? 0) > 0 && (x.p.flowRate ?? 0) > 0).length,
      };
    });
  }

  it('folds readings that come in time order per meter, by meter and China day', () => {
    const got = daySummariesOf(readings);
    expect(got).toEqual(reference(readings));
    expect(got.map((d) => d.chinaDay)).toEqual(['2025-03-01', '2025-03-02', '2025-03-01', '2025-03-02']);
    expect(got[1].minStep).toBe(-10);
    expect(got[0].flatFlowingPairs).toBe(1);
  });

  it('gives the same summaries when the readings come in any order, and for a day of one reading', () => {
    // A fixed shuffle (no randomness in tests): reversed, then every third reading moved to the front.
    const rev = [...readings].reverse();
    const shuffled = [...rev.filter((_, i) => i % 3 === 0), ...rev.filter((_, i) => i % 3 !== 0)];
    expect(daySummariesOf(shuffled)).toEqual(reference(readings));
    const one = [readings[0]];
    expect(daySummariesOf(one)).toEqual(reference(one));
    expect(daySummariesOf(one)[0]).toMatchObject({ readingCount: 1, minStep: null, maxRate: null, flatFlowingPairs: 0 });
  });
});
