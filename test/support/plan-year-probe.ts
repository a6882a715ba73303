import { DetectionPath, detectFor, thresholdsAt } from '../../src/modules/detection/detection.service';
import { IncomingReading } from '../../src/modules/ingest/ingest.rules';
import { series } from './reading-series';
import { ingest } from '../../src/modules/ingest/ingest.service';
import { rebuildMeterDays } from '../../src/modules/meter/meter-day.repository';
import { withTransaction } from '../../src/platform/context';
import { Database } from '../../src/platform/db';
import { runProbeOnEmbedded } from './embedded-probe';
import { testContext, testDeps } from './context';

/**
 * The plan-year cache (meter_plan_year, issue 12 target 6) on one database: detection on the year path (cached plan-year
 * states continued by the days after them) against the days path (every day of the year from meter_day) and the
 * readings path, at instants in and out of order, before and after late readings land in cached days, a day is rebuilt
 * and a day is deleted. What test/integration/plan-year.test.ts asserts.
 */
export interface PlanYearObservation {
  step: string;
  at: string;
  /** The year path's drafts equal the days path's, and the readings path's. */
  sameAsDays: boolean;
  sameAsReadings: boolean;
  /** How many of the level-1 meters had a valid cached state for asOf's year just before the year path ran. */
  validBefore: number;
  drafts: number;
  kinds: string[];
  /** When not the same: both, for the failure message. */
  diff?: { year: unknown; days: unknown };
}

export interface PlanYearProbe {
  observations: PlanYearObservation[];
  /** How far each meter's epoch moved after the first ingest (late readings, a rebuilt day, a deleted day move it). */
  epochs: Record<string, number>;
  /** Rows the cache holds at the end. */
  cached: number;
}

const H = 3_600_000;
const MIN = 60_000;
const at = (s: string) => Date.parse(s);

/** Level-1 meters (and one level-2) of three enterprises over January to March 2025, and the readings held back to arrive late. */
function fixture(): { meters: { code: string; enterprise: number; level: number; interval: number }[]; onTime: IncomingReading[]; late: IncomingReading[] } {
  const q = 15 * MIN;
  const start = at('2025-01-20T00:00:00+08:00');
  // Enterprise 1: a 15-minute meter with a five-day gap (Feb 3–7); an hourly one that wraps past the counter's top on Feb 12 and rolls back on Feb 20.
  const a = series('PY-A', start, q, 96 * 45, (k) => 1000 + 0.5 * k).filter(
    (r) => r.readAt < new Date('2025-02-03T00:00:00+08:00') || r.readAt >= new Date('2025-02-08T00:00:00+08:00'),
  );
  const b = series('PY-B', start, H, 24 * 45, (k) => {
    const v = 799_999_000 + k * 2 - (k >= 24 * 31 ? 30 : 0);
    return v > 799_999_999 ? v - 800_000_000 : v;
  });
  // Enterprise 2: a daily meter read since December 2024 (its spans cross the year's start); a 15-minute one whose early February arrives late.
  const c = series(
    'PY-C',
    at('2024-12-20T09:00:00+08:00'),
    24 * H,
    80,
    (k) => 20_000 + 40 * k,
    () => null,
  );
  const d = series('PY-D', start, q, 96 * 45, (k) => 300 + 0.25 * k);
  // Enterprise 3: a 15-minute meter with every third reading missing, flat for a week (no consumption), and a level-2 meter.
  const e = series('PY-E', start, q, 96 * 45, (k) => 700 + (k > 96 * 10 && k < 96 * 17 ? 96 * 10 : k) * 0.1).filter((_, k) => k % 3 !== 0);
  const f = series('PY-F', start, H, 24 * 45, (k) => 10 + k);
  const lateFrom = at('2025-02-02T00:00:00+08:00');
  const lateTo = at('2025-02-06T00:00:00+08:00');
  const isLate = (r: IncomingReading) => r.meterCode === 'PY-D' && r.readAt.getTime() >= lateFrom && r.readAt.getTime() < lateTo;
  const all = [...a, ...b, ...c, ...d, ...e, ...f].sort((x, y) => x.readAt.getTime() - y.readAt.getTime());
  return {
    meters: [
      { code: 'PY-A', enterprise: 1, level: 1, interval: 900 },
      { code: 'PY-B', enterprise: 1, level: 1, interval: 3600 },
      { code: 'PY-C', enterprise: 2, level: 1, interval: 86_400 },
      { code: 'PY-D', enterprise: 2, level: 1, interval: 900 },
      { code: 'PY-E', enterprise: 3, level: 1, interval: 900 },
      { code: 'PY-F', enterprise: 3, level: 2, interval: 3600 },
    ],
    onTime: all.filter((r) => !isLate(r)),
    late: all.filter(isLate),
  };
}

export async function probePlanYear(db: Database): Promise<PlanYearProbe> {
  const ctx = testContext(testDeps(db));
  const { meters, onTime, late } = fixture();
  await db.manager.query(
    `INSERT INTO enterprise (credit_code, name, region_code) SELECT '91130800000000020' || e, '计划年企业' || e, '130802' FROM generate_series(1, 3) e`,
  );
  for (const m of meters)
    await db.manager.query(
      `INSERT INTO meter (meter_code, enterprise_id, online, level, reporting_interval_seconds, max_flow_rate, calibration_expires_at, created_at)
       SELECT $1, id, true, $2, $3, 10, '2026-01-01T00:00:00+08:00', '2024-12-01T00:00:00+08:00' FROM enterprise WHERE credit_code = '91130800000000020' || $4`,
      [m.code, m.level, m.interval, m.enterprise],
    );
  // Enterprise 1 over its plan, enterprise 2 without a plan for 2025 (one for 2024), enterprise 3 within; enterprise 3's permit lapses Feb 10–14.
  await db.manager.query(`INSERT INTO water_plan (enterprise_id, year, planned_volume)
    SELECT id, CASE right(credit_code, 1) WHEN '2' THEN 2024 ELSE 2025 END, CASE right(credit_code, 1) WHEN '1' THEN 500 ELSE 1000000 END FROM enterprise
     WHERE credit_code LIKE '91130800000000020%'`);
  await db.manager.query(`INSERT INTO water_permit (permit_no, enterprise_id, valid_from, valid_to, annual_quota)
    SELECT 'PYP-' || right(credit_code, 1), id, '2024-01-01T00:00:00+08:00',
           CASE right(credit_code, 1) WHEN '3' THEN '2025-02-10T00:00:00+08:00'::timestamptz ELSE '2027-01-01T00:00:00+08:00'::timestamptz END, 100000
      FROM enterprise WHERE credit_code LIKE '91130800000000020%'`);
  await db.manager.query(`INSERT INTO water_permit (permit_no, enterprise_id, valid_from, valid_to, annual_quota)
    SELECT 'PYP-3b', id, '2025-02-15T00:00:00+08:00', '2027-01-01T00:00:00+08:00', 100000 FROM enterprise WHERE credit_code = '911308000000000203'`);
  for (let i = 0; i < onTime.length; i += 5000) await withTransaction(ctx, (tx) => ingest(tx, onTime.slice(i, i + 5000)));

  const epochs = async () => {
    const out: Record<string, number> = {};
    for (const r of await db.manager.query(
      `SELECT m.meter_code AS code, coalesce(e.epoch, 0)::int AS epoch FROM meter m LEFT JOIN meter_day_epoch e ON e.meter_id = m.id WHERE m.meter_code LIKE 'PY-%'`,
    ))
      out[r.code] = r.epoch;
    return out;
  };
  const initial = await epochs();
  const ids: string[] = (await db.manager.query(`SELECT id FROM enterprise WHERE credit_code LIKE '91130800000000020%' ORDER BY credit_code`)).map(
    (r: { id: string }) => r.id,
  );
  const level1: string[] = (await db.manager.query(`SELECT id FROM meter WHERE meter_code LIKE 'PY-%' AND level = 1`)).map((r: { id: string }) => r.id);
  const observations: PlanYearObservation[] = [];
  const drafts = async (asOf: Date, p: DetectionPath) =>
    (await withTransaction(ctx, (tx) => detectFor(tx, ids, asOf, thresholdsAt(ctx.policies, asOf), p)))
      .map((c) => ({ kind: c.kind, enterpriseId: c.enterpriseId, meterId: c.meterId, level: c.suggestedLevel, evidence: c.evidence }))
      .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  const observe = async (step: string, instant: string) => {
    const asOf = new Date(instant);
    const [{ n }] = await db.manager.query(
      `SELECT count(*)::int AS n FROM meter_plan_year c LEFT JOIN meter_day_epoch e USING (meter_id)
        WHERE c.meter_id = ANY($1::uuid[]) AND c.year = $2 AND c.epoch = coalesce(e.epoch, 0) AND c.through_day < $3::date`,
      [level1, Number(instant.slice(0, 4)), instant.slice(0, 10)],
    );
    const year = await drafts(asOf, 'year');
    const days = await drafts(asOf, 'days');
    const readings = await drafts(asOf, 'readings');
    const sameAsDays = JSON.stringify(year) === JSON.stringify(days);
    observations.push({
      step,
      at: instant,
      sameAsDays,
      sameAsReadings: JSON.stringify(year) === JSON.stringify(readings),
      validBefore: n,
      drafts: year.length,
      kinds: [...new Set(year.map((d) => d.kind))].sort(),
      ...(sameAsDays ? {} : { diff: { year, days } }),
    });
  };

  // In time order (each extends the cache), then back in time (older instants than the cache: computed afresh), then the year before.
  const instants = [
    '2025-02-10T12:07:00+08:00',
    '2025-02-10T12:07:00+08:00',
    '2025-02-16T00:00:00+08:00',
    '2025-02-20T12:00:00+08:00',
    '2025-02-21T15:30:00+08:00',
    '2025-02-26T23:45:00+08:00',
    '2025-03-05T10:00:00+08:00',
    '2025-03-05T10:00:00+08:00',
    '2025-02-12T09:00:00+08:00',
    '2025-01-02T08:00:00+08:00',
    '2024-12-28T08:00:00+08:00',
  ];
  for (const i of instants) await observe('in order', i);
  // Late readings land in cached days (out of order; the merge marks them unordered and ingest rebuilds them).
  const backwards = [...late].reverse();
  for (let i = 0; i < backwards.length; i += 97) await withTransaction(ctx, (tx) => ingest(tx, backwards.slice(i, i + 97)));
  await observe('after late readings', '2025-03-05T10:00:00+08:00');
  await observe('after late readings', '2025-03-05T10:00:00+08:00');
  // A rollback written into a cached day, the day rebuilt from the readings.
  const [e] = await db.manager.query(`SELECT id FROM meter WHERE meter_code = 'PY-E'`);
  await db.manager.query(`UPDATE meter_reading SET cumulative_volume = cumulative_volume - 50 WHERE meter_id = $1 AND read_at = '2025-02-04T12:15:00+08:00'`, [
    e.id,
  ]);
  await rebuildMeterDays(db.manager, [e.id], ['2025-02-04']);
  await observe('after a rebuilt day', '2025-03-05T10:00:00+08:00');
  await observe('after a rebuilt day', '2025-03-06T01:00:00+08:00');
  // A cached day's summary deleted (as a restore that lost it would).
  const [a] = await db.manager.query(`SELECT id FROM meter WHERE meter_code = 'PY-A'`);
  await db.manager.query(`DELETE FROM meter_day WHERE meter_id = $1 AND china_day = '2025-02-11'`, [a.id]);
  await observe('after a deleted day', '2025-03-06T01:00:00+08:00');
  // Enterprise 1 had a plan and a permit covering the year, so its states were mostly read without their days and not
  // cached again; its permit revoked, NO_VALID_PERMIT reads those days: the cached ones must be whole.
  await db.manager.query(
    `UPDATE water_permit SET revoked_at = '2025-02-25T00:00:00+08:00', revocation_reason = '吊销', revocation_kind = 'REVOCATION' WHERE permit_no = 'PYP-1'`,
  );
  await observe('after a revocation', '2025-03-06T01:00:00+08:00');

  const moved = await epochs();
  for (const code of Object.keys(moved)) moved[code] -= initial[code];
  const [{ cached }] = await db.manager.query(`SELECT count(*)::int AS cached FROM meter_plan_year`);
  return { observations, epochs: moved, cached };
}

/** `node dist/test/support/plan-year-probe.js`: the probe on a fresh embedded database (PGlite runs outside jest's VM), printed as JSON. */
if (require.main === module) runProbeOnEmbedded('hub-plan-year-', probePlanYear);
