import { HubContext } from '../../src/modules/context';
import { detectFor, thresholdsAt } from '../../src/modules/detection/detection.service';
import { IncomingReading } from '../../src/modules/ingest/ingest.rules';
import { series } from '../support/reading-series';
import { ingest } from '../../src/modules/ingest/ingest.service';
import { meterDaysOf, rebuildMeterDays } from '../../src/modules/meter/meter-day.repository';
import { PARTITION_MONTHS_AHEAD, addMonths, chinaMonthOf } from '../../src/modules/meter/reading-partitions';
import { withTransaction } from '../../src/platform/context';
import { Database } from '../../src/platform/db';
import { testDatabase } from '../support/hub';
import { testContext, testDeps } from '../support/context';

/**
 * Per-meter daily summaries (issue 12 target 3). (a) Ingest keeps `meter_day` equal to what
 * `meter_reading` says, whichever path a batch takes (COPY for new rows, ON CONFLICT for late,
 * out-of-order and re-sent ones). (b) Detection on the daily summaries raises exactly the drafts
 * of detection on the readings, on a fixture where every rule has something to find.
 */
const H = 3_600_000;
const MIN = 60_000;
/** 2025-02-26 00:00 Asia/Shanghai: the fixture's readings run from late December 2024 to mid-March 2025. */
const T0 = Date.parse('2025-02-26T00:00:00+08:00');

let db: Database;
let drop: () => Promise<void>;
let ctx: HubContext;

/** A small deterministic generator (mulberry32), so the fixture is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface MeterSpec {
  code: string;
  enterprise: number;
  level: number;
  online: boolean;
  intervalSeconds: number;
  maxFlow: number | null;
  /** Readings of this meter, any order. */
  readings: IncomingReading[];
}

/** The fixture: three enterprises, each with level-1 and level-2 meters that do something different. */
function fixture(): MeterSpec[] {
  const rnd = random(12);
  const q = 15 * MIN;
  const m = (code: string, enterprise: number, level: number, readings: IncomingReading[], over: Partial<MeterSpec> = {}): MeterSpec => ({
    code,
    enterprise,
    level,
    online: true,
    intervalSeconds: 900,
    maxFlow: 10,
    readings,
    ...over,
  });
  return [
    // Healthy 15-minute meter over 16 days.
    m(
      'MD-01',
      1,
      1,
      series('MD-01', T0, q, 96 * 16, (k) => 1000 + 0.5 * k),
    ),
    // 15-minute meter with random gaps, a rollback on day 5 and a spike on day 9.
    m(
      'MD-02',
      1,
      2,
      series('MD-02', T0, q, 96 * 16, (k) => 500 + 0.5 * k + (k >= 96 * 9 + 40 ? 12 : 0) - (k >= 96 * 5 + 10 ? 3 : 0)).filter(() => rnd() > 0.08),
    ),
    // Hourly meter whose totaliser sticks with flow on day 11 and wraps past the counter's top on day 13.
    m(
      'MD-03',
      2,
      1,
      series(
        'MD-03',
        T0,
        H,
        24 * 16,
        (k) => {
          const v = 799_999_000 + (k >= 24 * 11 && k < 24 * 11 + 8 ? 24 * 11 : k) * 2;
          return v > 799_999_999 ? v - 800_000_000 : v;
        },
        (k) => (k % 7 || (k >= 24 * 11 && k < 24 * 11 + 8) ? 2 : null),
      ),
      { intervalSeconds: 3600 },
    ),
    // Daily meter (one reading a day), readings since December 2024: spans cross the year's start.
    m(
      'MD-04',
      2,
      1,
      series(
        'MD-04',
        Date.parse('2024-12-20T09:00:00+08:00'),
        24 * H,
        84,
        (k) => 20_000 + 40 * k,
        () => null,
      ),
      { intervalSeconds: 86_400 },
    ),
    // Flat totaliser without flow (no consumption, not stuck), then silent for the last days.
    m(
      'MD-05',
      3,
      1,
      series(
        'MD-05',
        T0,
        q,
        96 * 10,
        () => 300,
        () => 0,
      ),
    ),
    // Offline meter with sparse readings and an expired calibration.
    m(
      'MD-06',
      3,
      2,
      series('MD-06', T0, 6 * H, 4 * 16, (k) => 50 + k * (rnd() * 3)),
      { online: false },
    ),
    // Half the readings missing on most days (LOW_TRANSMISSION_RATE), flat with flow now and then.
    m(
      'MD-07',
      3,
      1,
      series('MD-07', T0, q, 96 * 16, (k) => 700 + 0.25 * Math.floor(k / 2)).filter((_, k) => k % 2 === 0 || rnd() > 0.7),
    ),
  ];
}

/** The SQL the test trusts: each meter and China day of meter_reading, aggregated without the hub's code. */
const FROM_READINGS = `
  WITH r AS (SELECT meter_id, read_at, cumulative_volume AS v, flow_rate AS f, ((read_at AT TIME ZONE 'UTC') + interval '8 hours')::date AS d FROM meter_reading),
       p AS (SELECT r.*, lag(v) OVER w AS pv, lag(read_at) OVER w AS pt, lag(f) OVER w AS pf FROM r WINDOW w AS (PARTITION BY meter_id, d ORDER BY read_at))
  SELECT meter_id AS "meterId", d::text AS "chinaDay",
         min(read_at) AS "firstReadAt", (array_agg(v ORDER BY read_at))[1] AS "firstTotal", (array_agg(f ORDER BY read_at))[1] AS "firstFlow",
         max(read_at) AS "lastReadAt", (array_agg(v ORDER BY read_at DESC))[1] AS "lastTotal", (array_agg(f ORDER BY read_at DESC))[1] AS "lastFlow",
         count(*)::int AS "readingCount", min(v - pv) AS "minStep",
         max((v - pv) / ((extract(epoch FROM read_at - pt) * 1000)::float8 / 3600000)) FILTER (WHERE v >= pv) AS "maxRate",
         (count(*) FILTER (WHERE abs(v - pv) <= 1e-9 AND f > 0 AND pf > 0))::int AS "flatFlowingPairs", false AS unordered
    FROM p GROUP BY meter_id, d ORDER BY meter_id, d`;

let specs: MeterSpec[];
let meterIds: string[];

beforeAll(async () => {
  ({ db, drop } = await testDatabase('meterday'));
  specs = fixture();
  await db.manager.query(
    `INSERT INTO enterprise (credit_code, name, region_code) SELECT '91130800000000010' || e, '日汇总企业' || e, '130802' FROM generate_series(1, 3) e`,
  );
  for (const s of specs)
    await db.manager.query(
      `INSERT INTO meter (meter_code, enterprise_id, online, level, reporting_interval_seconds, max_flow_rate, calibration_expires_at, created_at)
       SELECT $1, id, $2, $3, $4, $5, $6, '2024-12-01T00:00:00+08:00' FROM enterprise WHERE credit_code = '91130800000000010' || $7`,
      [s.code, s.online, s.level, s.intervalSeconds, s.maxFlow, s.code === 'MD-06' ? '2025-03-01T00:00:00+08:00' : '2026-01-01T00:00:00+08:00', s.enterprise],
    );
  meterIds = (await db.manager.query(`SELECT id FROM meter ORDER BY meter_code`)).map((r: { id: string }) => r.id);
  // Enterprise 1 over its plan, enterprise 2 without a plan for 2025, enterprise 3 within; enterprise 2's permit lapses for a week.
  await db.manager.query(`INSERT INTO water_plan (enterprise_id, year, planned_volume)
    SELECT id, 2025, CASE right(credit_code, 1) WHEN '1' THEN 100 ELSE 1000000 END FROM enterprise WHERE right(credit_code, 1) <> '2'`);
  await db.manager.query(`INSERT INTO water_permit (permit_no, enterprise_id, valid_from, valid_to, annual_quota)
    SELECT 'MDP-' || right(credit_code, 1), id, '2024-01-01T00:00:00+08:00',
           CASE right(credit_code, 1) WHEN '2' THEN '2025-03-02T00:00:00+08:00'::timestamptz ELSE '2027-01-01T00:00:00+08:00'::timestamptz END, 100000
      FROM enterprise`);
  await db.manager.query(`INSERT INTO water_permit (permit_no, enterprise_id, valid_from, valid_to, annual_quota)
    SELECT 'MDP-2b', id, '2025-03-09T00:00:00+08:00', '2027-01-01T00:00:00+08:00', 100000 FROM enterprise WHERE right(credit_code, 1) = '2'`);
  ctx = testContext(testDeps(db));
});
afterAll(() => drop());

const inTx = (readings: IncomingReading[]) => withTransaction(ctx, (tx) => ingest(tx, readings));

it('(a) after COPY and ON CONFLICT batches with late, out-of-order and re-sent readings, meter_day equals the aggregate of meter_reading', async () => {
  const rnd = random(7);
  const all = specs.flatMap((s) => s.readings).sort((a, b) => a.readAt.getTime() - b.readAt.getTime());
  // Most readings in time order in large batches (the COPY path), a few held back to arrive late.
  const late = all.filter(() => rnd() < 0.06);
  const held = new Set(late);
  const onTime = all.filter((r) => !held.has(r));
  let copied = 0;
  for (let i = 0; i < onTime.length; i += 2000) copied += (await inTx(onTime.slice(i, i + 2000))).copied;
  expect(copied).toBeGreaterThan(onTime.length / 2);
  // The late ones in shuffled small batches (ON CONFLICT, landing inside summarised days), some sent twice.
  const shuffled = [...late].sort(() => rnd() - 0.5);
  let accepted = 0;
  for (let i = 0; i < shuffled.length; i += 37) {
    const b = shuffled.slice(i, i + 37);
    const o = await inTx([...b, ...b.slice(0, 5)]);
    accepted += o.accepted;
    expect(o.copied).toBe(0);
  }
  expect(accepted).toBe(late.length);
  // Everything again, in one batch: duplicates only.
  expect((await inTx(all.slice(0, 20_000))).accepted).toBe(0);
  // Outside a transaction (ON CONFLICT only), late readings on a new meter-day and inside one.
  await ingest(ctx, [
    { meterCode: 'MD-05', readAt: new Date(T0 + 12 * 24 * H), cumulativeVolume: 301, flowRate: 1 },
    { meterCode: 'MD-05', readAt: new Date(T0 + 12 * 24 * H - 30 * MIN), cumulativeVolume: 300.5, flowRate: 1 },
  ]);

  const expected = await db.manager.query(FROM_READINGS);
  expect(expected.length).toBeGreaterThan(100);
  expect(await meterDaysOf(db.manager, meterIds)).toEqual(expected);
  // rebuildMeterDays recomputes the same rows from the readings.
  await rebuildMeterDays(db.manager, meterIds);
  expect(await meterDaysOf(db.manager, meterIds)).toEqual(expected);
  await rebuildMeterDays(db.manager, meterIds.slice(0, 2), ['2025-02-27', '2025-03-05']);
  expect(await meterDaysOf(db.manager, meterIds)).toEqual(expected);
});

it('(b) detection on the daily summaries raises the same drafts as detection on the readings', async () => {
  const ids: string[] = (await db.manager.query(`SELECT id FROM enterprise ORDER BY credit_code`)).map((r: { id: string }) => r.id);
  // Instants inside the data (later readings exist: asOf's own day runs past asOf), at its end, after silence, at a day's start, and early in the plan year.
  const instants = [
    '2025-03-05T12:07:00+08:00',
    '2025-03-09T12:00:00+08:00',
    '2025-03-08T00:00:00+08:00',
    '2025-03-13T23:00:00+08:00',
    '2025-03-16T10:00:00+08:00',
    '2025-01-02T08:00:00+08:00',
    '2025-02-26T05:00:00+08:00',
  ];
  const kinds = new Set<string>();
  for (const at of instants) {
    const asOf = new Date(at);
    const th = thresholdsAt(ctx.policies, asOf);
    const drafts = async (path: 'days' | 'readings') =>
      (await withTransaction(ctx, (tx) => detectFor(tx, ids, asOf, th, path)))
        .map((c) => ({ kind: c.kind, enterpriseId: c.enterpriseId, meterId: c.meterId, level: c.suggestedLevel, evidence: c.evidence }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const [days, readings] = [await drafts('days'), await drafts('readings')];
    expect({ at, drafts: days }).toEqual({ at, drafts: readings });
    for (const d of days) kinds.add(d.kind);
  }
  // The fixture gives every rule something to find.
  expect([...kinds].sort()).toEqual(
    [
      'CALIBRATION_EXPIRED',
      'COUNTER_ROLLBACK',
      'FLOW_SPIKE',
      'LOW_TRANSMISSION_RATE',
      'NON_NETWORKED',
      'NO_PLAN',
      'NO_VALID_PERMIT',
      'OVER_PLAN',
      'STUCK_READING',
    ].sort(),
  );
});

it('(c) meter_day’s partitions keep room for each row’s next version (fillfactor 40), months made later too; meter_reading’s do not', async () => {
  const fillfactor = (table: string) =>
    db.manager
      .query(
        `SELECT (SELECT o.option_value FROM pg_options_to_table(c.reloptions) o WHERE o.option_name = 'fillfactor') AS ff
           FROM pg_class c WHERE c.oid = to_regclass($1)`,
        [table],
      )
      .then((r: { ff: string | null }[]) => r[0]?.ff ?? null);
  expect(await fillfactor('meter_day_default')).toBe('40');
  expect(await fillfactor('meter_day_history')).toBe('40');
  // A month no partition exists for yet: months are made up to three ahead of this one.
  const later = addMonths(chinaMonthOf(new Date()), PARTITION_MONTHS_AHEAD + 3);
  const [{ made }] = await db.manager.query(`SELECT meter_reading_add_month($1::date) AS made`, [`${later}-15`]);
  expect(made).toBe(true);
  expect(await fillfactor(`meter_day_p${later.replace('-', '')}`)).toBe('40');
  expect(await fillfactor(`meter_reading_p${later.replace('-', '')}`)).toBeNull();
});
