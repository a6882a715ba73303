import { ratingService } from '../../src/modules/rating/rating.service';
import { Database } from '../../src/platform/db';
import { rows } from '../../src/platform/sql';
import { testContext, testDeps } from './context';
import { runProbeOnEmbedded } from './embedded-probe';
import { policyNow, testPolicies } from './policy-time';
import { seedRegradeMix } from './regrade-mix';

/**
 * The re-grade's inputs triggers (migration 1733130000000) on one database: which enterprises
 * the daily re-grade evaluates (their check moves to the run's asOf; the others keep theirs)
 * after changes written behind the hub's back, by plain SQL, to each input table. What
 * test/integration/regrade-inputs.test.ts asserts, on Postgres and on the embedded database.
 */
export interface RegradeInputsProbe {
  /** Per step: the letters (below) of the enterprises the re-grade evaluated, and the run's summary. */
  steps: { step: string; evaluated: string[]; stored: number; confirmed: number; gradeChanges: number; enterprises: number }[];
  /** The letters' current grades at the end. */
  grades: Record<string, string>;
}

const N = 60;

export async function probeRegradeInputs(db: Database): Promise<RegradeInputsProbe> {
  const policy = policyNow();
  const m = db.manager;
  const ctx = testContext(testDeps(db, { policies: testPolicies() }), { subject: 'system:evaluate', role: 'PROVINCE_AUTHORITY', regions: ['130000'] });
  await seedRegradeMix(m, { enterprises: N, policy, asOf: new Date(Date.now() - 3_600_000) });
  // Enterprises picked by what they have: R with records (one of them deleted later), P and Q with an unrevoked permit, plain ones A and C.
  const pick = async (sql: string) => (await rows<{ id: string }>(m, `SELECT e.id FROM enterprise e WHERE ${sql} ORDER BY e.id LIMIT 1`))[0].id;
  const noRecords = `NOT EXISTS (SELECT 1 FROM credit_record c WHERE c.enterprise_id = e.id)`;
  const unrevoked = `EXISTS (SELECT 1 FROM water_permit p WHERE p.enterprise_id = e.id AND p.revoked_at IS NULL)`;
  const letters: Record<string, string> = {};
  letters.R = await pick(`EXISTS (SELECT 1 FROM credit_record c WHERE c.enterprise_id = e.id AND c.kind = 'DISHONESTY')`);
  letters.A = await pick(`${noRecords} AND e.id NOT IN ('${letters.R}')`);
  letters.P = await pick(`${noRecords} AND ${unrevoked} AND e.id NOT IN ('${letters.A}')`);
  letters.Q = await pick(`${noRecords} AND ${unrevoked} AND e.id NOT IN ('${letters.A}', '${letters.P}')`);
  letters.C = await pick(`${noRecords} AND e.id NOT IN ('${letters.A}', '${letters.P}', '${letters.Q}')`);
  const letterOf = new Map(Object.entries(letters).map(([k, v]) => [v, k]));
  const steps: RegradeInputsProbe['steps'] = [];
  const run = async (step: string) => {
    const startedAt = new Date();
    const summary = await ratingService.reevaluateAll(ctx, undefined, 16);
    // Each batch evaluates as of its own start: every check from this run on is this run's.
    const evaluated = await rows<{ id: string }>(m, `SELECT id FROM enterprise WHERE checked_at >= $1 ORDER BY id`, [startedAt]);
    const all = evaluated.length === N;
    steps.push({ step, evaluated: all ? ['*'] : evaluated.map((r) => letterOf.get(r.id) ?? r.id).sort(), ...summary });
  };
  await run('first');
  await run('nothing changed');
  // Behind the hub's back: a record for A, R's records deleted, P's permit revoked as a penalty, Q's unrevoked permit extended, a case for C.
  await m.query(
    `INSERT INTO credit_record (id, enterprise_id, kind, indicator, level, occurred_at, determined_by, determined_at, determining_region_code,
            determining_authority_kind, source_act, conduct_region_code)
     VALUES (gen_random_uuid(), $1, 'DISHONESTY', $2, 'GENERAL', now() - interval '1 minute', 'probe', now(), '130800', 'CITY_WATER_AUTHORITY', 'ADMINISTRATIVE_PENALTY', '130800')`,
    [letters.A, policy.indicators[0].code],
  );
  await m.query(`DELETE FROM credit_record WHERE enterprise_id = $1`, [letters.R]);
  await m.query(
    `UPDATE water_permit SET revoked_at = now() - interval '1 minute', revocation_reason = '处罚吊销', revocation_kind = 'REVOCATION' WHERE enterprise_id = $1`,
    [letters.P],
  );
  await m.query(`UPDATE water_permit SET valid_to = valid_to + interval '1 day' WHERE enterprise_id = $1`, [letters.Q]);
  await m.query(
    `INSERT INTO enforcement_case (enterprise_id, indicator, case_no, conduct_region_code, opened_at, opened_by) VALUES ($1, $2, 'PROBE-1', '130800', now(), 'probe')`,
    [letters.C, policy.indicators[0].code],
  );
  await run('changed by SQL');
  await run('only the case moves with time');
  const grades = Object.fromEntries(
    await Promise.all(
      Object.entries(letters).map(async ([k, id]) => [k, (await rows<{ g: string }>(m, `SELECT current_grade AS g FROM enterprise WHERE id = $1`, [id]))[0].g]),
    ),
  );
  return { steps, grades };
}

/** `node dist/test/support/regrade-inputs-probe.js`: the probe on a fresh embedded database (PGlite runs outside jest's VM), printed as JSON. */
if (require.main === module) runProbeOnEmbedded('hub-regrade-inputs-', probeRegradeInputs);
