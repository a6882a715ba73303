/**
 * Daily re-grading benchmark (issue 12, target 4): `ratingService.reevaluateAll` over 100,000
 * enterprises with the record mix of test/support/regrade-mix.ts, against one set-based SQL
 * statement computing the same scores and grades into a table (`peer_rating`), measured in
 * the same run on the same tables, schema `bench_regrade` (dropped and recreated, dropped at
 * the end unless BENCH_KEEP_SCHEMAS=1).
 *
 * Round 1 is the first re-grade: every enterprise gets its first rating (≈2.4 kB of evidence
 * each). Then each round applies one day's changes (regrade-mix `applyRegradeDay`: a few
 * hundred enterprises get a record, a repair or an honor) and re-grades again: the steady
 * state, where unchanged results are confirmed and only changes are stored. The peer runs
 * after the hub in every round (truncate + one INSERT … SELECT). Grades and scores of both are
 * compared after every round. Also printed: the hub's peak heap during a round (memory bounded
 * by the batch, not by the number of enterprises).
 *
 * The peer computes the score table, the count ladder, score thresholds, penalty revocations,
 * repaired records and honors; the mix has no enforcement cases (direct C/D by notices), and
 * no enterprise has a D history before round 1, so the D-once rule, which the peer does not
 * compute, first applies in round 2 (a D repaired that day): those enterprises are the only
 * expected grade differences and are counted apart.
 *
 * Env: BENCH_REGRADE_ENTERPRISES (100,000), BENCH_REGRADE_BATCH (the hub's REGRADE_BATCH, 2,500), BENCH_REGRADE_ROUNDS
 * (steady-state rounds after the first, 3).
 */
import { Client } from 'pg';
import { fmt, median, secs } from './format';
import { Database } from '../src/platform/db';
import { REGRADE_BATCH, ratingService } from '../src/modules/rating/rating.service';
import { CreditPolicy, HONOR_LEVELS, policyInForce } from '../src/modules/policy/credit-policy';
import { loadPolicies } from '../src/modules/policy/credit-policy.loader';
import { logger } from '../src/platform/logger';
import { testContext, testDeps } from '../test/support/context';
import { applyRegradeDay, seedRegradeMix } from '../test/support/regrade-mix';

const SCHEMA = 'bench_regrade';

export interface RegradeBenchOptions {
  url: string;
  enterprises: number;
  /** Enterprises per batch (the hub's REGRADE_BATCH when absent). */
  batch?: number;
  rounds: number;
}

/** The peer: one statement computing every enterprise's score and grade as of $1 under `policy`. */
function peerStatement(policy: CreditPolicy): { sql: string; params: unknown[] } {
  const ind = policy.indicators.map((i) => [i.code, i.maxScore, i.levels.GENERAL ?? null, i.levels.SERIOUS ?? null, i.levels.SEVERE ?? null]);
  const honorLevels = HONOR_LEVELS.slice(HONOR_LEVELS.indexOf(policy.honorMinLevel));
  const c = policy.counting;
  const sql = `
    INSERT INTO peer_rating (enterprise_id, score, grade)
    WITH ind AS (SELECT * FROM unnest($2::text[], $3::int[], $4::int[], $5::int[], $6::int[]) AS i(code, max_score, general, serious, severe)),
    rec AS (
      SELECT r.enterprise_id, r.indicator, r.level, r.status FROM credit_record r
       WHERE r.kind = 'DISHONESTY' AND r.status <> 'REVOKED' AND r.occurred_at >= $7 AND r.occurred_at < $8 AND r.occurred_at <= $1),
    lost AS (
      SELECT enterprise_id, sum(lost)::int AS lost FROM (
        SELECT a.enterprise_id, i.max_score - min(CASE a.level WHEN 'GENERAL' THEN i.general WHEN 'SERIOUS' THEN i.serious ELSE i.severe END) AS lost
          FROM rec a JOIN ind i ON i.code = a.indicator WHERE a.status = 'ACTIVE' GROUP BY a.enterprise_id, i.code, i.max_score) x
       GROUP BY enterprise_id),
    counts AS (
      SELECT enterprise_id, count(*) FILTER (WHERE status = 'ACTIVE') AS active, count(*) FILTER (WHERE status = 'ACTIVE' AND level = 'SERIOUS') AS serious,
             count(*) FILTER (WHERE status = 'ACTIVE' AND level = 'SEVERE') AS severe, count(*) FILTER (WHERE status = 'REPAIRED') AS repaired
        FROM rec GROUP BY enterprise_id),
    revoked AS (
      SELECT DISTINCT enterprise_id FROM water_permit
       WHERE revoked_at >= $7 AND revoked_at < $8 AND revoked_at <= $1 AND coalesce(revocation_kind, 'REVOCATION') = 'REVOCATION' AND annulled_at IS NULL),
    honor AS (
      SELECT DISTINCT enterprise_id FROM credit_record
       WHERE kind = 'HONOR' AND status = 'ACTIVE' AND honor_level = ANY($9::text[]) AND occurred_at >= $10 AND occurred_at <= $1
         AND awarded_by_government IS TRUE AND honor_category = ANY($11::text[]))
    SELECT e.id, s.score,
           CASE WHEN coalesce(n.severe, 0) >= $12 OR coalesce(n.serious, 0) >= $13 OR s.score < $14 OR v.enterprise_id IS NOT NULL THEN 'D'
                WHEN coalesce(n.active, 0) > 0 OR s.score < $15 OR ($16 AND coalesce(n.repaired, 0) > 0) THEN 'C'
                WHEN h.enterprise_id IS NOT NULL THEN 'A' ELSE 'B' END
      FROM enterprise e
      LEFT JOIN lost l ON l.enterprise_id = e.id
      CROSS JOIN LATERAL (SELECT (SELECT sum(max_score) FROM ind)::int - coalesce(l.lost, 0) AS score) s
      LEFT JOIN counts n ON n.enterprise_id = e.id
      LEFT JOIN revoked v ON v.enterprise_id = e.id
      LEFT JOIN honor h ON h.enterprise_id = e.id`;
  return {
    sql,
    params: [
      null, // asOf, set per round
      ind.map((x) => x[0]),
      ind.map((x) => x[1]),
      ind.map((x) => x[2]),
      ind.map((x) => x[3]),
      ind.map((x) => x[4]),
      policy.periodStart,
      policy.periodEnd,
      honorLevels,
      policy.honorWindowStart,
      policy.honorCategories,
      c.dMinSevere,
      c.dMinSerious,
      policy.thresholds.poor,
      policy.thresholds.full,
      policy.repairedRecordsBlockAB,
    ],
  };
}

export async function runRegradeBench(options: RegradeBenchOptions): Promise<void> {
  const o = { ...options, batch: options.batch ?? REGRADE_BATCH };
  const policies = loadPolicies();
  const start = new Date();
  const policy = policyInForce(policies, start);
  console.log(`\n=== daily re-grade: ${fmt(o.enterprises)} enterprises, batches of ${fmt(o.batch)}, 1 + ${o.rounds} rounds, schema ${SCHEMA} ===`);
  if (!policy) {
    console.log('no credit policy in force today: nothing to re-grade, benchmark skipped');
    return;
  }
  const admin = new Client({ connectionString: o.url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  const db = await Database.connect({ url: o.url, schema: SCHEMA, poolSize: 2 });
  const level = logger.level;
  try {
    await db.migrate();
    await admin.query(`SET search_path = ${SCHEMA}, public`);
    const t0 = performance.now();
    await admin.query('BEGIN');
    await seedRegradeMix(admin, { enterprises: o.enterprises, policy, asOf: new Date(start.getTime() - 3_600_000) });
    await admin.query('COMMIT');
    await admin.query(`CREATE TABLE peer_rating (enterprise_id uuid PRIMARY KEY, score int NOT NULL, grade text NOT NULL)`);
    await admin.query('VACUUM ANALYZE');
    const [{ records }] = (await admin.query(`SELECT count(*)::int AS records FROM credit_record`)).rows;
    console.log(`seeded ${fmt(o.enterprises)} enterprises, ${fmt(records)} credit records, ${fmt(o.enterprises)} permits in ${secs(performance.now() - t0)}`);

    const ctx = testContext(testDeps(db, { policies }), { subject: 'system:evaluate', role: 'PROVINCE_AUTHORITY', regions: ['130000'] });
    const peer = peerStatement(policy);
    // The hub warns of each statement over 2 s; the figures below are the point here.
    logger.level = 'error';
    const results: { label: string; hubMs: number; peerMs: number; stored: number; confirmed: number; changes: number; heapMb: number }[] = [];
    for (let round = 0; round <= o.rounds; round++) {
      const label = round === 0 ? 'first round (all new)' : `steady state, day ${round}`;
      if (round > 0) await applyRegradeDay(admin, { enterprises: o.enterprises, day: round, at: new Date(Date.now() - 1000), policy });
      await admin.query('CHECKPOINT');
      let heap = process.memoryUsage().heapUsed;
      const sampler = setInterval(() => (heap = Math.max(heap, process.memoryUsage().heapUsed)), 20);
      const h0 = performance.now();
      const summary = await ratingService.reevaluateAll(ctx, undefined, o.batch);
      const hubMs = performance.now() - h0;
      clearInterval(sampler);
      const asOf = new Date();
      await admin.query('TRUNCATE peer_rating');
      await admin.query('CHECKPOINT');
      const p0 = performance.now();
      await admin.query(peer.sql, [asOf, ...peer.params.slice(1)]);
      const peerMs = performance.now() - p0;
      results.push({
        label,
        hubMs,
        peerMs,
        stored: summary.stored,
        confirmed: summary.confirmed,
        changes: summary.gradeChanges,
        heapMb: heap / 1048576,
      });
      // Same scores and grades? The D-once rule (a D repaired) is the hub's alone (see the header).
      const [diff] = (
        await admin.query(`
          SELECT count(*) FILTER (WHERE p.score <> r.score)::int AS scores,
                 count(*) FILTER (WHERE p.grade <> e.current_grade AND NOT (p.grade = 'D' AND e.current_grade = 'C' AND r.reasons::text LIKE '%仅一次综合评价结果被确定为D级%'))::int AS grades,
                 count(*) FILTER (WHERE p.grade = 'D' AND e.current_grade = 'C')::int AS once_d
            FROM enterprise e JOIN peer_rating p ON p.enterprise_id = e.id JOIN credit_rating r ON r.id = e.current_rating_id`)
      ).rows;
      if (diff.scores || diff.grades) console.log(`WARNING ${label}: hub and peer differ on ${diff.scores} scores and ${diff.grades} grades`);
      else if (diff.once_d) console.log(`${label}: ${diff.once_d} enterprises C by the D-once rule (the peer, not reading history, says D)`);
    }
    logger.level = level;
    const [{ ratings, confirmations, bytes }] = (
      await admin.query(
        `SELECT (SELECT count(*) FROM credit_rating)::int AS ratings, (SELECT count(*) FROM credit_rating_confirmation)::int AS confirmations,
                pg_total_relation_size('credit_rating')::bigint AS bytes`,
      )
    ).rows;
    console.log(`round                          hub enterprises/s   peer enterprises/s   ratio   stored  confirmed  grade changes  peak heap`);
    for (const r of results)
      console.log(
        `${r.label.padEnd(30)} ${fmt((o.enterprises * 1000) / r.hubMs).padStart(17)} ${fmt((o.enterprises * 1000) / r.peerMs).padStart(20)} ${(r.peerMs / r.hubMs).toFixed(3).padStart(7)} ${fmt(r.stored).padStart(8)} ${fmt(r.confirmed).padStart(10)} ${fmt(r.changes).padStart(14)} ${r.heapMb.toFixed(0).padStart(7)} MB`,
      );
    const steady = results.slice(1);
    console.log(
      `credit_rating: ${fmt(ratings)} rows (${(Number(bytes) / ratings / 1024).toFixed(1)} kB each with indexes), ${fmt(confirmations)} confirmations`,
    );
    console.log(
      `re-grade ratio (hub/peer, enterprises/s): first round ${(results[0].peerMs / results[0].hubMs).toFixed(3)}` +
        (steady.length ? `, steady state ${median(steady.map((r) => r.peerMs / r.hubMs)).toFixed(3)} (median of ${steady.length})` : ''),
    );
  } finally {
    logger.level = level;
    await db.close().catch(() => undefined);
    await admin.query('ROLLBACK').catch(() => undefined);
    if (process.env.BENCH_KEEP_SCHEMAS === '1') console.log(`kept schema ${SCHEMA} (BENCH_KEEP_SCHEMAS=1)`);
    else await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch((e) => console.error(`could not drop ${SCHEMA}:`, e));
    await admin.end().catch(() => undefined);
  }
}
