import { withTransaction } from '../src/platform/context';
import { fmt, median } from './format';
import type { Queryable } from '../src/platform/sql';
import { testContext, testDeps } from '../test/support/context';
import { runStatements } from '../test/support/sql-script';
/**
 * Detection benchmark (issue 3, item 8): `detectFor` over every enterprise as of now, with
 * 2,500 enterprises × 4 meters = 10,000 meters and one day (the previous full Asia/Shanghai
 * day) of 15-minute readings each (96 per meter, ~960,000 readings), seeded set-based in
 * the schema `bench_detect` (dropped and recreated each run, dropped at the end).
 *
 * So every rule has data and raises something, one meter in a hundred of each kind: silent
 * (NON_NETWORKED), a flow spike, a counter rollback, a stuck totaliser, one reading in four
 * missing (LOW_TRANSMISSION_RATE); one in 200 has an expired calibration; one enterprise in a
 * hundred overdraws its plan, another has no permit valid that day.
 *
 * The seed writes `meter_reading` directly, then builds the daily summaries (`meter_day`) with
 * `rebuildMeterDays`. Times `detectFor` on both paths in the same run on the same data: a first
 * run on the days path (raises the candidates), then refresh runs of the readings path (the
 * old one) and the days path, alternating; prints each split into its SQL statements and the
 * rest (rules and row mapping in Node), whether all runs' drafts are identical, and
 * `detection days/readings speed ratio` (medians). The hub's slow-SQL warnings are muted
 * during the timed runs; the split shows those statements' times.
 *
 * A second scenario (schema `bench_detect_days`, BENCH_DETECT_YEAR_ENTERPRISES, 250; 0 skips it)
 * adds hourly readings of every level-1 meter from the start of the plan year: the plan and
 * permit rules then cover the whole year so far, the days path through one summary per day.
 *
 * Env: BENCH_DETECT_ENTERPRISES (2,500; 4 meters each; 0 skips the one-day scenario), BENCH_KEEP_SCHEMAS=1 (leave the schema).
 */
import { Client } from 'pg';
import { Database } from '../src/platform/db';
import { DetectionPath, detectFor, thresholdsAt } from '../src/modules/detection/detection.service';
import type { DetectionThresholds } from '../src/modules/detection/detection.rules';
import { rebuildMeterDays } from '../src/modules/meter/meter-day.repository';
import { chinaYear, chinaYearBounds, previousChinaDay } from '../src/platform/china-time';
import { loadPolicies } from '../src/modules/policy/credit-policy.loader';
import { logger } from '../src/platform/logger';

/** The one-day scenario's schema, and the plan-year scenario's (`history`). */
const DAY_SCHEMA = 'bench_detect';
const YEAR_SCHEMA = 'bench_detect_days';

/**
 * The plan-year scenario: hourly readings of each level-1 meter (the plan and permit rules' meters) from the start of
 * asOf's plan year up to the seeded day, joining its 15-minute readings; silent meters stay silent. The candidates
 * expected are the same as without it.
 */
const HISTORY_SQL = `
  INSERT INTO meter_reading (meter_id, read_at, cumulative_volume, flow_rate)
  SELECT t.id, $3::timestamptz - j * interval '1 hour', greatest(0, 1000 * g - 2 * j), NULL
    FROM (SELECT id, substr(meter_code, 4)::int AS g FROM meter WHERE level = 1) t
    CROSS JOIN generate_series(1, (extract(epoch FROM $3::timestamptz - $5::timestamptz) / 3600)::int) j
   WHERE t.g % 100 <> 50
   ORDER BY 2, 1`;

export interface DetectBenchOptions {
  url: string;
  enterprises: number;
  /** Seed the plan year's hourly readings of level-1 meters too (schema bench_detect_days). */
  history?: boolean;
}

export interface DetectBenchResult {
  /** Median time of the days path's refresh runs. */
  seconds: number;
  candidates: number;
  readings: number;
  /** Readings path time / days path time, medians, same run. */
  ratio: number;
  identical: boolean;
}

/** What each meter number g (1-based) is made to do; meter g belongs to enterprise ceil(g / 4), level 1 when g % 4 = 1. */
const SEED_SQL = `
  INSERT INTO enterprise (credit_code, name, region_code)
  SELECT '91130800' || lpad(e::text, 10, '0'), 'Bench detect enterprise ' || e, '1308' || lpad((e % 11 + 1)::text, 2, '0')
    FROM generate_series(1, $1::int) e;
  INSERT INTO meter (meter_code, enterprise_id, online, level, reporting_interval_seconds, max_flow_rate, calibration_expires_at, created_at)
  SELECT 'BD-' || lpad(g::text, 6, '0'), x.id, true, CASE WHEN g % 4 = 1 THEN 1 ELSE 2 END, 900, 10,
         CASE WHEN g % 200 = 7 THEN $2::timestamptz - interval '10 days' ELSE $2::timestamptz + interval '1 year' END,
         $2::timestamptz - interval '60 days'
    FROM generate_series(1, $1::int * 4) g
    JOIN enterprise x ON x.credit_code = '91130800' || lpad(((g - 1) / 4 + 1)::text, 10, '0');
  -- 0.5 m³ per 15 minutes (2 m³/h, maxFlowRate 10): g % 100 = 50 silent, 11 spike, 22 rollback, 33 stuck, 44 sparse.
  INSERT INTO meter_reading (meter_id, read_at, cumulative_volume, flow_rate)
  SELECT t.id, $3::timestamptz + k * interval '15 minutes',
         1000 * g + 0.5 * k
           + CASE WHEN g % 100 = 11 AND k >= 48 THEN 10 ELSE 0 END
           - CASE WHEN g % 100 = 22 AND k >= 60 THEN 5.5 ELSE 0 END
           - CASE WHEN g % 100 = 33 THEN 0.5 * greatest(0, least(k, 40) - 30) ELSE 0 END,
         2.0
    FROM (SELECT id, substr(meter_code, 4)::int AS g FROM meter) t
    CROSS JOIN generate_series(0, 95) k
   WHERE t.g % 100 <> 50 AND NOT (t.g % 100 = 44 AND k % 4 = 0)
   ORDER BY 2, 1;
  UPDATE meter t SET last_reading_at = (SELECT max(read_at) FROM meter_reading r WHERE r.meter_id = t.id);
  UPDATE meter SET last_reading_at = $2::timestamptz - interval '3 days' WHERE substr(meter_code, 4)::int % 100 = 50;
  INSERT INTO water_plan (enterprise_id, year, planned_volume)
  SELECT id, $4::int, CASE WHEN substr(credit_code, 9)::int % 100 = 5 THEN 10 ELSE 100000 END FROM enterprise;
  INSERT INTO water_permit (permit_no, enterprise_id, valid_from, valid_to, annual_quota)
  SELECT 'BP-' || substr(credit_code, 9), id, $5::timestamptz,
         CASE WHEN substr(credit_code, 9)::int % 100 = 9 THEN $3::timestamptz ELSE $5::timestamptz + interval '3 years' END, 100000
    FROM enterprise;`;

/** Candidates the seed is built to raise, per kind. */
function expected(enterprises: number): Record<string, number> {
  const meters = enterprises * 4;
  const upTo = (n: number, mod: number, r: number) => (r === 0 ? Math.floor(n / mod) : n >= r ? Math.floor((n - r) / mod) + 1 : 0);
  return {
    NON_NETWORKED: upTo(meters, 100, 50),
    FLOW_SPIKE: upTo(meters, 100, 11),
    COUNTER_ROLLBACK: upTo(meters, 100, 22),
    STUCK_READING: upTo(meters, 100, 33),
    LOW_TRANSMISSION_RATE: upTo(meters, 100, 44),
    CALIBRATION_EXPIRED: upTo(meters, 200, 7),
    OVER_PLAN: upTo(enterprises, 100, 5),
    NO_VALID_PERMIT: upTo(enterprises, 100, 9),
  };
}

/** Times every statement sent through `m` (the caller's transaction), keyed by its role. */
function timeStatements(m: Queryable, into: Map<string, { n: number; ms: number }>): void {
  const query = m.query.bind(m);
  const label = (sql: string) =>
    /INSERT INTO candidate_violation/.test(sql)
      ? 'upsert candidates'
      : /JOIN meter_day/.test(sql)
        ? 'daily summaries (meter_day)'
        : /row_number\(\)/.test(sql)
          ? 'daily endpoints (level 1, plan year)'
          : /unnest\(\$1::uuid\[\], \$2::timestamptz/.test(sql)
            ? 'readings in windows'
            : /FROM meter t/.test(sql)
              ? 'meters'
              : /water_plan/.test(sql)
                ? 'plans'
                : /water_permit/.test(sql)
                  ? 'permits'
                  : /"firstReadingAt"/.test(sql)
                    ? 'first readings (online meters)'
                    : /LIMIT 1\) (r|d)\b/.test(sql)
                      ? 'last reading before the year'
                      : sql.trim().slice(0, 30);
  m.query = (async (sql: string, params?: unknown[]) => {
    const t0 = performance.now();
    try {
      return await query(sql, params);
    } finally {
      const s = into.get(label(sql)) ?? into.set(label(sql), { n: 0, ms: 0 }).get(label(sql))!;
      s.n++;
      s.ms += performance.now() - t0;
    }
  }) as typeof m.query;
}

/** Timed refresh runs per path (after one run that raises the candidates). */
const REPEATS = 3;

interface TimedRun {
  label: string;
  path: DetectionPath;
  ms: number;
  raised: number;
  byKind: Map<string, number>;
  sql: Map<string, { n: number; ms: number }>;
  drafts: string;
}

/**
 * Times `detectFor` over `ids` on both paths in the same run on the same data: one untimed-for-the-ratio run on the
 * days path raises the candidates, then REPEATS refresh runs of each path, alternating (readings first), so both see
 * the same warm caches. The ratio is the readings path's median over the days path's; `identical` compares the
 * drafts (kind, enterprise, meter, level, evidence) of every run.
 */
export async function timePaths(
  db: Database,
  ids: string[],
  asOf: Date,
  th: DetectionThresholds,
): Promise<{ runs: TimedRun[]; ratio: number; identical: boolean }> {
  const runs: TimedRun[] = [];
  // The hub warns of each statement over 2 s; the breakdown reports statement times instead.
  const level = logger.level;
  logger.level = 'error';
  try {
    const plan: [string, DetectionPath][] = [['first run, days path (raises candidates)', 'days']];
    for (let i = 1; i <= REPEATS; i++) plan.push([`refresh ${i}, readings path`, 'readings'], [`refresh ${i}, days path`, 'days']);
    for (const [label, path] of plan) {
      const sql = new Map<string, { n: number; ms: number }>();
      const t1 = performance.now();
      const rows = await withTransaction(testContext(testDeps(db)), (ctx) => {
        timeStatements(ctx.db, sql);
        return detectFor(ctx, ids, asOf, th, path);
      });
      const ms = performance.now() - t1;
      const byKind = new Map<string, number>();
      for (const r of rows) byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + 1);
      const drafts = JSON.stringify(
        rows.map((r) => [r.kind, r.enterpriseId, r.meterId, r.suggestedLevel, r.evidence]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      );
      runs.push({ label, path, ms, raised: rows.length, byKind, sql, drafts });
    }
  } finally {
    logger.level = level;
  }
  const refresh = runs.slice(1);
  const ratio = median(refresh.filter((r) => r.path === 'readings').map((r) => r.ms)) / median(refresh.filter((r) => r.path === 'days').map((r) => r.ms));
  return { runs, ratio, identical: runs.every((r) => r.drafts === runs[0].drafts) };
}

export async function runDetectBench(o: DetectBenchOptions): Promise<DetectBenchResult> {
  const SCHEMA = o.history ? YEAR_SCHEMA : DAY_SCHEMA;
  // asOf = now, unless it is after 23:00 in Asia/Shanghai: then the previous day's last reading would be
  // nearly 24 h old and every meter would be NON_NETWORKED, so asOf moves back to 23:00 (documented in the output).
  const now = new Date();
  const todayStart = previousChinaDay(now).end.getTime();
  const asOf = new Date(Math.min(now.getTime(), todayStart + 23 * 3_600_000));
  const day = previousChinaDay(asOf);
  const year = chinaYear(asOf);
  console.log(
    `\n=== detection${o.history ? ' (plan year)' : ''}: ${fmt(o.enterprises)} enterprises × 4 meters, 96 readings per meter on ${day.day} (Asia/Shanghai)${o.history ? `, and hourly readings of level-1 meters since ${chinaYearBounds(year).start.toISOString()}` : ''}, asOf ${asOf.toISOString()}${asOf < now ? ' (moved back from now)' : ''}, schema ${SCHEMA} ===`,
  );
  const admin = new Client({ connectionString: o.url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  const db = await Database.connect({ url: o.url, schema: SCHEMA, poolSize: 2 });
  try {
    await db.migrate();
    const t0 = performance.now();
    await admin.query(`SET search_path = ${SCHEMA}, public`);
    await admin.query('BEGIN');
    await runStatements(
      admin,
      o.history ? SEED_SQL.replace(/;\s*\n\s*UPDATE meter t SET last_reading_at/, `;\n${HISTORY_SQL};\n  UPDATE meter t SET last_reading_at`) : SEED_SQL,
      [o.enterprises, asOf, day.start, year, chinaYearBounds(year).start],
    );
    await admin.query('COMMIT');
    // The seed writes meter_reading directly (not through ingest): its daily summaries are built as a restore's would be.
    const meterIds: string[] = (await admin.query(`SELECT id FROM meter`)).rows.map((r) => r.id);
    await rebuildMeterDays(db.manager, meterIds);
    await admin.query('VACUUM ANALYZE');
    await admin.query('CHECKPOINT');
    const [{ meters, readings }] = (
      await admin.query(`SELECT (SELECT count(*) FROM meter)::int AS meters, (SELECT count(*) FROM meter_reading)::int AS readings`)
    ).rows;
    console.log(
      `seeded ${fmt(meters)} meters, ${fmt(readings)} readings and their daily summaries, plans and permits in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const th = thresholdsAt(loadPolicies(), asOf);
    const ids: string[] = (await admin.query(`SELECT id FROM enterprise ORDER BY credit_code`)).rows.map((r) => r.id);
    const want = expected(o.enterprises);
    const timed = await timePaths(db, ids, asOf, th);
    const [{ open }] = (await admin.query(`SELECT count(*)::int AS open FROM candidate_violation WHERE status = 'OPEN'`)).rows;
    for (const r of timed.runs) {
      const sqlMs = [...r.sql.values()].reduce((s, x) => s + x.ms, 0);
      console.log(
        `detection, ${r.label.padEnd(40)} ${(r.ms / 1000).toFixed(2).padStart(7)} s   ${fmt((readings * 1000) / r.ms).padStart(10)} readings/s covered   ${fmt(r.raised)} candidates`,
      );
      console.log(
        `  of which SQL ${(sqlMs / 1000).toFixed(2)} s (${[...r.sql.entries()].map(([k, v]) => `${k} ${(v.ms / 1000).toFixed(2)} s${v.n > 1 ? ` ×${v.n}` : ''}`).join(', ')}), rules and row mapping in Node ${((r.ms - sqlMs) / 1000).toFixed(2)} s`,
      );
    }
    const first = timed.runs[0];
    const kinds = Object.keys(want);
    console.log(`candidates by kind (raised / expected): ${kinds.map((k) => `${k} ${first.byKind.get(k) ?? 0}/${want[k]}`).join(', ')}`);
    const mismatch = kinds.some((k) => (first.byKind.get(k) ?? 0) !== want[k]) || timed.runs.some((r) => r.raised !== first.raised) || open !== first.raised;
    if (mismatch) console.log(`WARNING: candidates differ from what the seed should raise (OPEN rows after all runs: ${open}).`);
    console.log(`drafts of both paths identical: ${timed.identical ? 'yes' : 'NO'}`);
    const [{ days }] = (await admin.query(`SELECT count(*)::int AS days FROM meter_day`)).rows;
    console.log(
      `detection days/readings speed ratio${o.history ? ' (plan year)' : ''}: ${timed.ratio.toFixed(2)} (${fmt(meters)} meters, ${fmt(readings)} readings, ${fmt(days)} daily summaries; median of ${REPEATS} refresh runs each, alternating)`,
    );
    const daysMs = median(timed.runs.filter((r) => r.path === 'days').map((r) => r.ms));
    return { seconds: daysMs / 1000, candidates: first.raised, readings, ratio: timed.ratio, identical: timed.identical };
  } finally {
    await db.close().catch(() => undefined);
    await admin.query('ROLLBACK').catch(() => undefined);
    if (process.env.BENCH_KEEP_SCHEMAS === '1') console.log(`kept schema ${SCHEMA} (BENCH_KEEP_SCHEMAS=1)`);
    else await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch((e) => console.error(`could not drop ${SCHEMA}:`, e));
    await admin.end().catch(() => undefined);
  }
}
