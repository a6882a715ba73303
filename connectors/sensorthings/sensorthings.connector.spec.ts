import { Connector, FeedError, Page, RawReading } from '../connector';
import { FakeDatastream, FakeSensorThings, startFakeSensorThings } from './fake-sensorthings.server';
import { SensorThingsConfig, sensorThingsConnector, volumeFactor } from './sensorthings.connector';

const T0 = Date.UTC(2024, 0, 1);
const at = (i: number): string => new Date(T0 + i * 15 * 60_000).toISOString();
const M3 = { name: 'Cubic Metre', symbol: 'm3', definition: 'http://unitsofmeasure.org/ucum.html#m3' };
const LITRE = { name: 'Litre', symbol: 'L', definition: 'http://unitsofmeasure.org/ucum.html#L' };
const TOKEN = 'sekret-token-123';

function series(n: number, from = 0, perStep = 1): { phenomenonTime: string; result: number }[] {
  return Array.from({ length: n }, (_, i) => ({ phenomenonTime: at(from + i), result: 100 + (from + i) * perStep }));
}

function connector(fake: FakeSensorThings, extra: Partial<Record<keyof SensorThingsConfig, unknown>> = {}): Connector {
  return sensorThingsConnector.create(sensorThingsConnector.parseConfig({ baseUrl: fake.url, token: TOKEN, retryBaseMs: 5, timeoutMs: 2000, ...extra }));
}

async function drain(c: Connector, cursor: string | null, limit: number): Promise<{ pages: Page[]; cursor: string | null }> {
  const pages: Page[] = [];
  for (let i = 0; i < 1000; i++) {
    const page = await c.fetchPage(cursor, { limit });
    pages.push(page);
    cursor = page.nextCursor;
    if (page.done) return { pages, cursor };
  }
  throw new Error('never done');
}

const all = (pages: Page[]): RawReading[] => pages.flatMap((p) => p.readings);
const byMeter = (rs: RawReading[], code: string): RawReading[] => rs.filter((r) => r.meterCode === code);
const cursorOf = (c: string | null): Record<string, string> => (JSON.parse(c ?? '{}') as { ds: Record<string, string> }).ds;

describe('sensorthings connector', () => {
  let fake: FakeSensorThings | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const start = async (datastreams: FakeDatastream[], maxTop?: number, nextLinkOrigin?: string): Promise<FakeSensorThings> => {
    fake = await startFakeSensorThings({ datastreams, maxTop, nextLinkOrigin });
    return fake;
  };

  it('maps Datastreams to meters by a property, converts litres, ignores unmapped and reports unknown units once', async () => {
    const f = await start([
      { id: 1, name: 'Intake A', properties: { meterCode: 'M-1' }, unitOfMeasurement: M3, observations: series(3) },
      {
        id: 2,
        name: 'Intake B',
        properties: { meterCode: 'M-2' },
        unitOfMeasurement: LITRE,
        observations: [
          { phenomenonTime: at(0), result: 1500, parameters: { flowRate: 600 } },
          { phenomenonTime: at(1), result: '1750.5' },
          { phenomenonTime: at(2), result: 1234 },
        ],
      },
      { id: 3, name: 'No code', properties: { site: 'x' }, unitOfMeasurement: M3, observations: series(2) },
      {
        id: 'ds-4',
        name: 'QUDT',
        properties: { meterCode: 'M-4' },
        unitOfMeasurement: { name: '', symbol: '', definition: 'http://qudt.org/vocab/unit/M3' },
        observations: series(1),
      },
      {
        id: 5,
        name: 'Gallons',
        properties: { meterCode: 'M-5' },
        unitOfMeasurement: { name: 'US gallon', symbol: 'gal', definition: '' },
        observations: series(4),
      },
    ]);
    const c = connector(f);
    const page = await c.fetchPage(null, { limit: 100 });

    expect(page.done).toBe(true);
    expect(byMeter(page.readings, 'M-1').map((r) => r.cumulativeVolume)).toEqual([100, 101, 102]);
    expect(byMeter(page.readings, 'M-2')).toEqual([
      { meterCode: 'M-2', readAt: new Date(at(0)), cumulativeVolume: 1.5, flowRate: 0.6 },
      { meterCode: 'M-2', readAt: new Date(at(1)), cumulativeVolume: 1.7505, flowRate: null },
      { meterCode: 'M-2', readAt: new Date(at(2)), cumulativeVolume: 1.234, flowRate: null },
    ]);
    expect(byMeter(page.readings, 'M-4')).toHaveLength(1);
    expect(page.readings.some((r) => r.meterCode === 'M-5' || r.meterCode === '3')).toBe(false);
    // Unknown unit: the Datastream is skipped and reported once (position 0), cursor untouched.
    expect(page.rejected).toEqual([{ position: 0, reason: expect.stringMatching(/Datastream 5 "Gallons" \(meter M-5\).*"gal".*skipped/) }]);
    expect(Object.keys(cursorOf(page.nextCursor)).sort()).toEqual(['1', '2', 'ds-4']);
    expect(f.requests.some((r) => r.url.includes('Datastreams(5)'))).toBe(false);
    expect(f.requests.some((r) => r.url.includes("Datastreams('ds-4')/Observations"))).toBe(true);
    expect(f.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);

    // The next pass reports the unusable Datastream again, once, and nothing else is new.
    const again = await c.fetchPage(page.nextCursor, { limit: 100 });
    expect(again).toEqual({ readings: [], rejected: [page.rejected[0]], nextCursor: page.nextCursor, done: true });
  });

  it('maps Datastreams to meters by name and by a nested property', async () => {
    const ds: FakeDatastream[] = [
      { id: 7, name: 'WM-007', properties: { meter: { code: 'P-7' } }, unitOfMeasurement: M3, observations: series(2) },
      { id: 8, name: '  ', properties: {}, unitOfMeasurement: M3, observations: series(2) },
    ];
    const f = await start(ds);
    const byName = await connector(f, { meterCodeFrom: 'name' }).fetchPage(null, { limit: 10 });
    expect(byName.readings.map((r) => r.meterCode)).toEqual(['WM-007', 'WM-007']);
    const nested = await connector(f, { meterCodeFrom: { property: 'meter.code' } }).fetchPage(null, { limit: 10 });
    expect(nested.readings.map((r) => r.meterCode)).toEqual(['P-7', 'P-7']);
  });

  it('pages through @iot.nextLink with at most `limit` readings per page, advancing each Datastream on its own', async () => {
    const f = await start(
      [
        { id: 1, name: 'A', properties: { meterCode: 'A' }, unitOfMeasurement: M3, observations: series(25) },
        { id: 2, name: 'B', properties: { meterCode: 'B' }, unitOfMeasurement: M3, observations: series(7, 3) },
      ],
      4, // the server caps $top at 4: every Datastream needs several nextLinks
    );
    const c = connector(f);
    const first = await c.fetchPage(null, { limit: 10 });
    expect(first.readings).toHaveLength(10);
    expect(first.done).toBe(false);
    expect(cursorOf(first.nextCursor)).toEqual({ '1': at(9) });

    const { pages, cursor } = await drain(c, first.nextCursor, 10);
    const rest = all(pages);
    for (const p of pages) expect(p.readings.length).toBeLessThanOrEqual(10);
    expect(pages.map((p) => p.readings.length)).toEqual([10, 10, 2]);
    expect(cursorOf(pages[0]?.nextCursor ?? null)).toEqual({ '1': at(19) });
    // The third page finishes A (5 left) and B (7); B's cursor appears once B is read.
    expect(cursorOf(pages[1]?.nextCursor ?? null)).toEqual({ '1': at(24), '2': at(7) });
    expect(cursorOf(cursor)).toEqual({ '1': at(24), '2': at(9) });

    const everything = [...first.readings, ...rest];
    expect(byMeter(everything, 'A').map((r) => r.readAt.toISOString())).toEqual(series(25).map((o) => o.phenomenonTime));
    expect(byMeter(everything, 'B').map((r) => r.readAt.toISOString())).toEqual(series(7, 3).map((o) => o.phenomenonTime));

    // The filter is sent percent-encoded, with an unquoted datetime literal.
    expect(f.requests.some((r) => r.url.includes(`$filter=phenomenonTime%20gt%20${encodeURIComponent(at(9))}`))).toBe(true);
    expect(f.requests.some((r) => r.url.includes('$orderby=phenomenonTime%20asc'))).toBe(true);

    // Caught up: nothing new, cursor unchanged. New data → only the new observation.
    const idle = await c.fetchPage(cursor, { limit: 10 });
    expect(idle).toEqual({ readings: [], rejected: [], nextCursor: cursor, done: true });
    f.addObservation(2, { phenomenonTime: at(50), result: 999 });
    const fresh = await c.fetchPage(cursor, { limit: 10 });
    expect(fresh.readings).toEqual([{ meterCode: 'B', readAt: new Date(at(50)), cumulativeVolume: 999, flowRate: null }]);
    expect(cursorOf(fresh.nextCursor)).toEqual({ '1': at(24), '2': at(50) });
    expect(fresh.done).toBe(true);
  });

  it('resumes from a stored cursor in a new connector with only newer observations', async () => {
    const f = await start([
      { id: 1, name: 'A', properties: { meterCode: 'A' }, unitOfMeasurement: M3, observations: series(12) },
      { id: 2, name: 'B', properties: { meterCode: 'B' }, unitOfMeasurement: M3, observations: series(4) },
    ]);
    const firstPage = await connector(f).fetchPage(null, { limit: 5 });
    expect(firstPage.readings.map((r) => r.readAt.toISOString())).toEqual(series(5).map((o) => o.phenomenonTime));

    const { pages } = await drain(connector(f), firstPage.nextCursor, 5);
    const rest = all(pages);
    expect(byMeter(rest, 'A').map((r) => r.cumulativeVolume)).toEqual([105, 106, 107, 108, 109, 110, 111]);
    expect(byMeter(rest, 'B').map((r) => r.cumulativeVolume)).toEqual([100, 101, 102, 103]);

    // A bare ISO instant works as a cursor too (backfill from a time).
    const since = await connector(f).fetchPage(at(9), { limit: 100 });
    expect(since.readings.map((r) => `${r.meterCode}@${r.cumulativeVolume}`)).toEqual(['A@110', 'A@111']);
    // …and so does `since` for Datastreams the cursor does not know.
    const cfgSince = await connector(f, { since: at(2) }).fetchPage(null, { limit: 100 });
    expect(byMeter(cfgSince.readings, 'B').map((r) => r.cumulativeVolume)).toEqual([103]);
  });

  it('takes the end of an interval phenomenonTime and does not lose contiguous intervals at page boundaries', async () => {
    const intervals = Array.from({ length: 4 }, (_, i) => ({ phenomenonTime: `${at(i)}/${at(i + 1)}`, result: 10 + i }));
    const f = await start([{ id: 1, name: 'I', properties: { meterCode: 'I' }, unitOfMeasurement: M3, observations: intervals }]);
    const { pages } = await drain(connector(f), null, 1);
    const rs = all(pages);
    expect(rs.map((r) => r.readAt.toISOString())).toEqual([at(1), at(2), at(3), at(4)]);
    expect(rs.map((r) => r.cumulativeVolume)).toEqual([10, 11, 12, 13]);
    // The cursor holds the interval start: what FROST's `gt` and $orderby compare.
    expect(cursorOf(pages[0]?.nextCursor ?? null)).toEqual({ '1': at(0) });
  });

  it('keeps offsets and sub-millisecond precision in the cursor and encodes them in the filter', async () => {
    const obs = [
      { phenomenonTime: '2024-01-01T08:00:00.000123+08:00', result: 1 },
      { phenomenonTime: '2024-01-01T08:15:00.000123+08:00', result: 2 },
    ];
    const f = await start([{ id: 1, name: 'Z', properties: { meterCode: 'Z' }, unitOfMeasurement: M3, observations: obs }]);
    const c = connector(f);
    const p1 = await c.fetchPage(null, { limit: 1 });
    expect(cursorOf(p1.nextCursor)).toEqual({ '1': '2024-01-01T08:00:00.000123+08:00' });
    const p2 = await c.fetchPage(p1.nextCursor, { limit: 1 });
    expect(p2.readings.map((r) => r.cumulativeVolume)).toEqual([2]);
    expect(f.requests.at(-1)?.url).toContain('phenomenonTime%20gt%202024-01-01T08%3A00%3A00.000123%2B08%3A00');
  });

  it('rejects malformed observations with a reason and keeps the rest of the page', async () => {
    const f = await start([
      {
        id: 1,
        name: 'A',
        properties: { meterCode: 'A' },
        unitOfMeasurement: M3,
        observations: [
          { phenomenonTime: 'yesterday', result: 1 },
          { phenomenonTime: at(0), result: 10 },
          { phenomenonTime: at(1), result: 'n/a' },
          { phenomenonTime: at(2), result: -3 },
          { phenomenonTime: `${at(4)}/${at(3)}`, result: 12 },
          { phenomenonTime: at(5), result: { v: 1 } },
          { phenomenonTime: at(6), result: 13 },
        ],
      },
    ]);
    const page = await connector(f).fetchPage(null, { limit: 100 });
    expect(page.readings.map((r) => r.cumulativeVolume)).toEqual([10, 13]);
    expect(page.rejected.map((r) => r.position)).toEqual([1, 3, 4, 5, 6]);
    const reasons = page.rejected.map((r) => r.reason);
    expect(reasons[0]).toMatch(/Datastream 1 "A" \(meter A\) observation 1: phenomenonTime "yesterday" is not ISO 8601/);
    expect(reasons[1]).toMatch(/result "n\/a" is not a number/);
    expect(reasons[2]).toMatch(/result -3 is negative/);
    expect(reasons[3]).toMatch(/ends before it starts/);
    expect(reasons[4]).toMatch(/is not a number/);
    expect(cursorOf(page.nextCursor)).toEqual({ '1': at(6) });
    expect(page.done).toBe(true);
  });

  it('retries 5xx with backoff, then succeeds; gives up with a retryable FeedError', async () => {
    const f = await start([{ id: 1, name: 'A', properties: { meterCode: 'A' }, unitOfMeasurement: M3, observations: series(3) }]);
    f.failNext(2, 503);
    const page = await connector(f).fetchPage(null, { limit: 10 });
    expect(page.readings).toHaveLength(3);
    expect(f.requests).toHaveLength(4); // 2 failures + Datastreams + Observations

    f.failNext(3, 502);
    const err = await connector(f, { maxRetries: 2 })
      .fetchPage(null, { limit: 10 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).retryable).toBe(true);
    expect((err as FeedError).message).toMatch(/failed after 3 attempt\(s\): HTTP 502/);
    expect((err as FeedError).message).not.toContain(TOKEN);
  });

  it('fails a network error as retryable after retries', async () => {
    const f = await start([]);
    const url = f.url;
    await f.close();
    fake = undefined;
    const c = sensorThingsConnector.create(sensorThingsConnector.parseConfig({ baseUrl: url, maxRetries: 1, retryBaseMs: 1 }));
    const err = await c.fetchPage(null, { limit: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).retryable).toBe(true);
    expect((err as FeedError).message).toMatch(/failed after 2 attempt/);
  });

  it('fails 4xx at once with a non-retryable FeedError that never shows the token', async () => {
    const f = await start([{ id: 1, name: 'A', properties: { meterCode: 'A' }, unitOfMeasurement: M3, observations: series(3) }]);
    f.failNext(1, 401); // the fake echoes the Authorization header in its error body
    const err = await connector(f)
      .fetchPage(null, { limit: 10 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).retryable).toBe(false);
    expect((err as FeedError).message).toMatch(/answered HTTP 401/);
    expect((err as FeedError).message).toContain('***');
    expect((err as FeedError).message).not.toContain(TOKEN);
    expect(f.requests).toHaveLength(1);

    const wrongRoot = sensorThingsConnector.create(sensorThingsConnector.parseConfig({ baseUrl: `${f.url}/nope/v1.1`, token: TOKEN, retryBaseMs: 1 }));
    const notFound = await wrongRoot.fetchPage(null, { limit: 10 }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(FeedError);
    expect((notFound as FeedError).retryable).toBe(false);
    expect((notFound as FeedError).message).toMatch(/answered HTTP 404/);
    expect((notFound as FeedError).message).not.toContain(TOKEN);
  });

  it('fails garbage answers with a FeedError and leaves the cursor alone', async () => {
    const f = await start([{ id: 1, name: 'A', properties: { meterCode: 'A' }, unitOfMeasurement: M3, observations: series(3) }]);
    f.failNext(1, 200, '<html>Gateway login</html>');
    const notJson = await connector(f)
      .fetchPage(null, { limit: 10 })
      .catch((e: unknown) => e);
    expect(notJson).toBeInstanceOf(FeedError);
    expect((notJson as FeedError).message).toMatch(/not JSON/);

    const c = connector(f);
    const ok = await c.fetchPage(null, { limit: 1 });
    f.failNext(1, 200, JSON.stringify({ values: [] }));
    const noValue = await c.fetchPage(ok.nextCursor, { limit: 1 }).catch((e: unknown) => e);
    expect(noValue).toBeInstanceOf(FeedError);
    expect((noValue as FeedError).message).toMatch(/no "value" array/);
    // Retrying the same cursor afterwards delivers what failed.
    const retry = await c.fetchPage(ok.nextCursor, { limit: 1 });
    expect(retry.readings.map((r) => r.cumulativeVolume)).toEqual([101]);
  });

  it('re-bases a nextLink on a foreign origin onto baseUrl so the token stays home', async () => {
    const f = await start([{ id: 1, name: 'A', properties: { meterCode: 'A' }, unitOfMeasurement: M3, observations: series(9) }], 2, 'http://localhost:1');
    const page = await connector(f).fetchPage(null, { limit: 100 });
    expect(page.readings).toHaveLength(9);
    expect(f.requests.filter((r) => r.url.includes('$skip='))).toHaveLength(4);
  });

  it("stops on the caller's abort signal without retrying", async () => {
    const f = await start([{ id: 1, name: 'A', properties: { meterCode: 'A' }, unitOfMeasurement: M3, observations: series(3) }]);
    const ac = new AbortController();
    ac.abort(new Error('sync cancelled'));
    await expect(connector(f).fetchPage(null, { limit: 10, signal: ac.signal })).rejects.toThrow('sync cancelled');
    expect(f.requests).toHaveLength(0);
  });

  it('validates settings, naming the bad field', () => {
    const cfg = sensorThingsConnector.parseConfig({ baseUrl: 'https://frost.example/FROST-Server/v1.1/' });
    expect(cfg).toEqual({
      baseUrl: 'https://frost.example/FROST-Server/v1.1',
      meterCodeFrom: { property: 'meterCode' },
      authHeader: 'Authorization',
      timeoutMs: 15000,
      maxRetries: 3,
      retryBaseMs: 500,
    });
    expect(sensorThingsConnector.secretKeys).toEqual(['token']);
    expect(sensorThingsConnector.type).toBe('sensorthings');
    expect(() => sensorThingsConnector.parseConfig({})).toThrow(/baseUrl/);
    expect(() => sensorThingsConnector.parseConfig({ baseUrl: 'ftp://x' })).toThrow(/baseUrl: must be an http\(s\) URL/);
    expect(() => sensorThingsConnector.parseConfig({ baseUrl: 'https://x', meterCodeFrom: 'id' })).toThrow(/meterCodeFrom/);
    expect(() => sensorThingsConnector.parseConfig({ baseUrl: 'https://x', maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => sensorThingsConnector.parseConfig({ baseUrl: 'https://x', baseURL: 'https://y' })).toThrow(/baseURL/);
    // Refused settings that carry the token: the error names the setting, never the secret.
    for (const bad of [
      { baseUrl: 'https://x', token: 'secret-value', timeoutMs: 'x' },
      { baseUrl: 'ftp://secret-value@x', token: 'secret-value' },
      { baseUrl: 'https://x', token: ['secret-value'] },
    ]) {
      let message = '';
      try {
        sensorThingsConnector.parseConfig(bad);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/Invalid sensorthings settings: (timeoutMs|baseUrl|token)/);
      expect(message).not.toContain('secret-value');
    }
  });

  it('recognises litre and cubic-metre units and nothing else', () => {
    expect(volumeFactor({ symbol: 'L' })).toBe(0.001);
    expect(volumeFactor({ symbol: 'l' })).toBe(0.001);
    expect(volumeFactor({ name: 'litre' })).toBe(0.001);
    expect(volumeFactor({ name: 'Liters' })).toBe(0.001);
    expect(volumeFactor({ definition: 'http://www.qudt.org/qudt/owl/1.0.0/unit/Instances.html#Liter' })).toBe(0.001);
    expect(volumeFactor({ symbol: 'm³' })).toBe(1);
    expect(volumeFactor({ symbol: 'm^3' })).toBe(1);
    expect(volumeFactor({ name: 'cubic meter' })).toBe(1);
    expect(volumeFactor({ name: 'Cubic Metre' })).toBe(1);
    expect(volumeFactor({ definition: 'http://www.qudt.org/qudt/owl/1.0.0/unit/Instances.html#CubicMeter' })).toBe(1);
    expect(volumeFactor({ symbol: 'gal', name: 'gallon' })).toBeNull();
    expect(volumeFactor({ symbol: 'mL' })).toBeNull();
    expect(volumeFactor({ symbol: 'm3/h' })).toBeNull();
    expect(volumeFactor(null)).toBeNull();
  });
});
