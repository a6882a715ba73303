import { withTransaction } from '../src/platform/context';
import { fmt, median, secs } from './format';
import { testContext, testDeps } from '../test/support/context';
import { runStatements } from '../test/support/sql-script';
/**
 * History benchmark (issue 12, target 6): is a day's work flat as history grows? The same
 * daily cycle runs on two schemas that differ only in what `meter_reading` already holds:
 * `bench_history_empty` (nothing) and `bench_history` (BENCH_HISTORY_READINGS, 50 million
 * readings of the same meters over the 12 months before, one every ~105 minutes per meter).
 * The cycle: ingest every meter's 15-minute readings from the start of the previous China day
 * (where detection's window starts) to now through `ingest()` (10,000 readings per transaction), then `detectFor` over every
 * enterprise as of now, after the day before's (untimed: it leaves the plan-year states cached as the daily schedule does,
 * and is printed as the cold figure, computed from the whole year). Printed:
 * each phase's time on both and the ratio empty/full (goal ≥ 0.9: no slower with a year kept).
 *
 * The full schema takes a while to build (set-based, one month per statement) and is kept for
 * the next run (its marker table says for which size); the cycle's own rows are removed after
 * each run. BENCH_HISTORY_REBUILD=1 rebuilds it; BENCH_HISTORY_DROP=1 drops it at the end.
 *
 * Env: BENCH_HISTORY_READINGS (50,000,000), BENCH_HISTORY_ENTERPRISES (2,500; 4 meters each),
 * BENCH_HISTORY_ROUNDS (1; rounds alternate the schemas, medians printed).
 */
import { Client } from 'pg';
import { Database } from '../src/platform/db';
import { ingest } from '../src/modules/ingest/ingest.service';
import { IncomingReading } from '../src/modules/ingest/ingest.rules';
import { detectFor, thresholdsAt } from '../src/modules/detection/detection.service';
import { chinaDateString, chinaDayByIndex, chinaDayIndex, chinaYear, chinaYearBounds, previousChinaDay } from '../src/platform/china-time';
import { rebuildMeterDays } from '../src/modules/meter/meter-day.repository';
import type { Queryable } from '../src/platform/sql';
import { loadPolicies } from '../src/modules/policy/credit-policy.loader';
import { logger } from '../src/platform/logger';
import { addMonths, chinaMonthOf, ensureReadingPartitions, monthStart } from '../src/modules/meter/reading-partitions';

const EMPTY = 'bench_history_empty';
const FULL = 'bench_history';
const SLOT_MS = 900_000;
const BATCH = 10_000;
const MONTHS = 12;

export interface HistoryBenchOptions {
  url: string;
  readings: number;
  enterprises: number;
  rounds: number;
}

/** Enterprises, 4 meters each (one level-1 meter), a plan and a permit each: what both schemas share. */
const BASE_SQL = `
  INSERT INTO enterprise (credit_code, name, region_code)
  SELECT '91130800' || lpad(e::text, 10, '0'), 'Bench history enterprise ' || e, '1308' || lpad((e % 11 + 1)::text, 2, '0')
    FROM generate_series(1, $1::int) e;
  INSERT INTO meter (meter_code, enterprise_id, online, level, reporting_interval_seconds, max_flow_rate, calibration_expires_at, created_at)
  SELECT 'BH-' || lpad(g::text, 6, '0'), x.id, true, CASE WHEN g % 4 = 1 THEN 1 ELSE 2 END, 900, 10, $2::timestamptz + interval '1 year',
         $2::timestamptz - interval '400 days'
    FROM generate_series(1, $1::int * 4) g
    JOIN enterprise x ON x.credit_code = '91130800' || lpad(((g - 1) / 4 + 1)::text, 10, '0');
  INSERT INTO water_plan (enterprise_id, year, planned_volume) SELECT id, $3::int, 1000000 FROM enterprise;
  INSERT INTO water_permit (permit_no, enterprise_id, valid_from, valid_to, annual_quota)
  SELECT 'BP-' || substr(credit_code, 9), id, $4::timestamptz, $4::timestamptz + interval '3 years', 1000000 FROM enterprise`;

/** `c` as a Queryable answering rows (what the repositories take). */
const onClient = (c: Client): Queryable => ({
  query: async (sql: string, params?: unknown[]): Promise<unknown[]> => (await c.query(sql, params)).rows as unknown[],
});

async function client(url: string, schema: string): Promise<Client> {
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query(`SET search_path = ${schema}, public`);
  return c;
}

/** A migrated schema with the shared base; `history` readings before `t0` when asked. */
async function build(url: string, schema: string, o: HistoryBenchOptions, t0: Date, history: number): Promise<void> {
  const admin = await client(url, 'public');
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const db = await Database.connect({ url, schema, poolSize: 2 }); // migrate() holds its lock on one connection and migrates on another
  await db.migrate();
  await db.close();
  const c = await client(url, schema);
  try {
    const year = chinaYear(t0);
    await runStatements(c, BASE_SQL, [o.enterprises, t0, year, chinaYearBounds(year - 1).start]);
    if (history > 0) {
      const meters = o.enterprises * 4;
      const first = monthStart(addMonths(chinaMonthOf(t0), -MONTHS));
      const stepMs = Math.max(SLOT_MS, Math.floor((t0.getTime() - first.getTime()) / Math.ceil(history / meters)));
      console.log(
        `building ${schema}: ${fmt(history)} readings of ${fmt(meters)} meters from ${first.toISOString()}, one every ${(stepMs / 60000).toFixed(0)} min per meter…`,
      );
      const meterIds = (await c.query(`SELECT id FROM meter`)).rows.map((r: { id: string }) => r.id);
      // Months as the scheduler would have made them over the year, then one statement per month (time-major, as feeds arrive).
      for (let m = -MONTHS; m <= 0; m++) await c.query(`SELECT meter_reading_add_month($1::date)`, [addMonths(chinaMonthOf(t0), m) + '-01']);
      for (let m = -MONTHS; m <= 0; m++) {
        const from = new Date(Math.max(first.getTime(), monthStart(addMonths(chinaMonthOf(t0), m)).getTime()));
        const to = new Date(Math.min(t0.getTime(), monthStart(addMonths(chinaMonthOf(t0), m + 1)).getTime()));
        if (from >= to) continue;
        const t1 = performance.now();
        // Totaliser at t: 2 m³/h since `first`, so the day ingested next continues it.
        const r = await c.query(
          `INSERT INTO meter_reading (meter_id, read_at, cumulative_volume, flow_rate)
           SELECT t.id, $1::timestamptz + k * $4::interval, t.g * 1000 + 2 * extract(epoch FROM ($1::timestamptz + k * $4::interval) - $3::timestamptz) / 3600, 2.0
             FROM generate_series(0, floor(extract(epoch FROM $2::timestamptz - $1::timestamptz - interval '1 microsecond') / extract(epoch FROM $4::interval))::int) k
            CROSS JOIN (SELECT id, substr(meter_code, 4)::int AS g FROM meter) t
            ORDER BY 2, 1`,
          [from, to, first, `${stepMs / 1000} seconds`],
        );
        // Written by SQL, not ingest: the month's daily summaries (meter_day) are rebuilt from it, as after a restore.
        const days: string[] = [];
        for (let d = chinaDayIndex(from); chinaDayByIndex(d).start < to; d++) days.push(chinaDayByIndex(d).day);
        await rebuildMeterDays(onClient(c), meterIds, days);
        console.log(`  ${chinaMonthOf(from)}: ${fmt(r.rowCount ?? 0)} readings and their daily summaries in ${secs(performance.now() - t1)}`);
      }
      await c.query(
        `UPDATE meter t SET last_reading_at = l.at FROM (SELECT meter_id, max(read_at) AS at FROM meter_reading GROUP BY 1) l WHERE t.id = l.meter_id`,
      );
    }
    await c.query(`CREATE TABLE bench_history_marker AS SELECT $1::bigint AS readings, $2::int AS enterprises, $3::timestamptz AS built_before`, [
      history,
      o.enterprises,
      t0,
    ]);
    await c.query('VACUUM ANALYZE');
  } finally {
    await c.end();
  }
}

/** Whether `schema` holds the full history of this size and was built for a window still just before now. */
async function reusable(url: string, schema: string, o: HistoryBenchOptions, t0: Date): Promise<boolean> {
  const c = await client(url, schema);
  try {
    const r = await c.query(`SELECT readings, enterprises, built_before FROM bench_history_marker`).catch(() => undefined);
    const m = r?.rows[0] as { readings: string; enterprises: number; built_before: Date } | undefined;
    // The history ends where the building run's cycle began; a later run's starts after it (within a week, so the year still ends about now).
    return (
      !!m &&
      Number(m.readings) === o.readings &&
      m.enterprises === o.enterprises &&
      m.built_before <= t0 &&
      t0.getTime() - m.built_before.getTime() < 7 * 86_400_000
    );
  } finally {
    await c.end();
  }
}

/** 15-minute readings of every meter from `t0` to before `asOf`, time-major; totaliser 2 m³/h as in the history. */
function readingsBetween(meters: { code: string; g: number }[], t0: Date, asOf: Date, first: Date): IncomingReading[] {
  const out: IncomingReading[] = [];
  for (let k = 0; t0.getTime() + k * SLOT_MS < asOf.getTime(); k++) {
    const at = new Date(t0.getTime() + k * SLOT_MS);
    for (const m of meters)
      out.push({ meterCode: m.code, readAt: at, cumulativeVolume: m.g * 1000 + (2 * (at.getTime() - first.getTime())) / 3_600_000, flowRate: 2 });
  }
  return out;
}

interface CycleResult {
  ingestMs: number;
  detectMs: number;
  coldMs: number;
  accepted: number;
  candidates: number;
}

async function cycle(url: string, schema: string, o: HistoryBenchOptions, t0: Date, first: Date, asOf: Date): Promise<CycleResult> {
  const db = await Database.connect({ url, schema, poolSize: 2 });
  const c = await client(url, schema);
  try {
    // A kept schema built by an older hub takes this one's migrations first (meter_day's backfill reads the whole year once).
    await db.migrate();
    await ensureReadingPartitions(db.manager);
    const meters = (await c.query(`SELECT meter_code AS code, substr(meter_code, 4)::int AS g FROM meter ORDER BY meter_code`)).rows as {
      code: string;
      g: number;
    }[];
    const readings = readingsBetween(meters, t0, asOf, first);
    await c.query('CHECKPOINT');
    const ctx = testContext(testDeps(db));
    let accepted = 0;
    const i0 = performance.now();
    for (let i = 0; i < readings.length; i += BATCH) accepted += (await withTransaction(ctx, (ctx) => ingest(ctx, readings.slice(i, i + BATCH)))).accepted;
    const ingestMs = performance.now() - i0;
    await c.query('ANALYZE meter_reading');
    const ids = (await c.query(`SELECT id FROM enterprise ORDER BY credit_code`)).rows.map((r: { id: string }) => r.id);
    const th = thresholdsAt(loadPolicies(), asOf);
    const level = logger.level;
    logger.level = 'error'; // slow-statement warnings: the times are printed here
    // The day before: the scheduler's detection of yesterday left each level-1 meter's plan-year state cached up to
    // three days before it (the first detection after an upgrade computes it from the whole year: `coldMs`, untimed in the ratio).
    await c.query(`DELETE FROM meter_plan_year`);
    const c0 = performance.now();
    await withTransaction(testContext(testDeps(db)), (ctx) => detectFor(ctx, ids, new Date(asOf.getTime() - 86_400_000), th));
    const coldMs = performance.now() - c0;
    await c.query(`DELETE FROM candidate_violation`);
    const d0 = performance.now();
    const raised = await withTransaction(testContext(testDeps(db)), (ctx) => detectFor(ctx, ids, asOf, th));
    const detectMs = performance.now() - d0;
    logger.level = level;
    // Back to the schema's state before the cycle, so the next round (or run) starts alike.
    await c.query(`DELETE FROM candidate_violation`);
    await c.query(`DELETE FROM meter_reading WHERE read_at >= $1`, [t0]);
    await c.query(`DELETE FROM meter_day WHERE china_day >= $1::date`, [chinaDateString(t0)]); // t0 starts a China day: those days held only the cycle's readings
    await c.query(`UPDATE meter t SET last_reading_at = (SELECT max(read_at) FROM meter_reading r WHERE r.meter_id = t.id)`);
    // The cycle rewrote each meter's row of today and yesterday once a batch and then deleted them, and moved every meter's
    // last_reading_at twice: vacuumed (and their statistics renewed), the next round reads the tables this one found.
    for (const t of ['meter_reading', 'meter_day', 'meter', 'meter_plan_year', 'candidate_violation']) await c.query(`VACUUM ANALYZE ${t}`);
    return { ingestMs, detectMs, coldMs, accepted, candidates: raised.length };
  } finally {
    await c.end();
    await db.close();
  }
}

export async function runHistoryBench(o: HistoryBenchOptions): Promise<{ ingestRatio: number; detectRatio: number }> {
  // The cycle: every 15-minute slot from the start of the previous China day (where detection's window starts) to now.
  const asOf = new Date(Math.floor(Date.now() / SLOT_MS) * SLOT_MS);
  const t0 = previousChinaDay(asOf).start;
  console.log(
    `\n=== history: one day's ingest + detection, ${fmt(o.enterprises * 4)} meters, on an empty meter_reading vs one holding ${fmt(o.readings)} readings over ${MONTHS} months (${EMPTY} vs ${FULL}) ===`,
  );
  if (process.env.BENCH_HISTORY_REBUILD === '1' || !(await reusable(o.url, FULL, o, t0))) {
    const b0 = performance.now();
    await build(o.url, FULL, o, t0, o.readings);
    console.log(`built ${FULL} in ${secs(performance.now() - b0)} (kept for the next run)`);
  } else console.log(`reusing ${FULL} (BENCH_HISTORY_REBUILD=1 rebuilds it)`);
  const c = await client(o.url, FULL);
  const built = (await c.query(`SELECT built_before FROM bench_history_marker`)).rows[0].built_before as Date;
  const [{ n, parts }] = (
    await c.query(
      `SELECT (SELECT sum(reltuples)::bigint FROM pg_class k JOIN pg_inherits i ON i.inhrelid = k.oid WHERE i.inhparent = 'meter_reading'::regclass) AS n,
              (SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'meter_reading'::regclass) AS parts`,
    )
  ).rows;
  await c.end();
  console.log(`${FULL}: ~${fmt(Number(n))} readings in ${parts} partitions`);
  const first = monthStart(addMonths(chinaMonthOf(built), -MONTHS));
  await build(o.url, EMPTY, o, t0, 0);
  const got: { empty: CycleResult[]; full: CycleResult[] } = { empty: [], full: [] };
  try {
    for (let round = 1; round <= Math.max(1, o.rounds); round++)
      for (const [label, schema] of [
        ['empty', EMPTY],
        ['full', FULL],
      ] as const) {
        const r = await cycle(o.url, schema, o, t0, first, asOf);
        got[label].push(r);
        console.log(
          `round ${round} ${label.padEnd(6)} ingest ${secs(r.ingestMs).padStart(9)} (${fmt(r.accepted)} accepted)   detection ${secs(r.detectMs).padStart(9)} (${fmt(r.candidates)} candidates; the day before, cold: ${secs(r.coldMs)})`,
        );
      }
  } finally {
    const admin = await client(o.url, 'public');
    await admin.query(`DROP SCHEMA IF EXISTS ${EMPTY} CASCADE`);
    if (process.env.BENCH_HISTORY_DROP === '1') await admin.query(`DROP SCHEMA IF EXISTS ${FULL} CASCADE`);
    await admin.end();
  }
  const ingestRatio = median(got.empty.map((r) => r.ingestMs)) / median(got.full.map((r) => r.ingestMs));
  const detectRatio = median(got.empty.map((r) => r.detectMs)) / median(got.full.map((r) => r.detectMs));
  const coldRatio = median(got.empty.map((r) => r.coldMs)) / median(got.full.map((r) => r.coldMs));
  const same = got.empty.every((r, i) => r.accepted === got.full[i].accepted && r.candidates === got.full[i].candidates);
  if (!same) console.log('WARNING: the two schemas stored or raised different counts; figures are suspect.');
  console.log(
    `history ratio (empty/full, speed with a year kept; goal ≥ 0.9): ingest ${ingestRatio.toFixed(2)}, detection ${detectRatio.toFixed(2)} (cold, with no cached plan year: ${coldRatio.toFixed(2)})`,
  );
  return { ingestRatio, detectRatio };
}
