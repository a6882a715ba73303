import type { CreditPolicy } from '../../src/modules/policy/credit-policy';
import type { Queryable } from '../../src/platform/sql';
import { runStatements } from './sql-script';

/**
 * A realistic record mix for the daily re-grade (issue 12, target 4), seeded set-based, shared
 * by test/integration/regrade-batches.test.ts and bench/regrade-bench.ts. Enterprise k (1…n)
 * has the code 91130800 + k (10 digits) and ids derived from k (md5), so two schemas seeded
 * alike hold the same ids and their ratings can be compared field by field.
 *
 * Per enterprise k, by residue (about a third of enterprises have records, most have none):
 * one permit each; k % 200 = 3 permit revoked as a penalty (吊销, direct D), k % 400 = 7
 * cancelled (注销, no D); k % 10 = 1 one general record (C); k % 25 = 2 a serious and a general
 * one (C); k % 50 = 4 a severe one (D); k % 100 = 6 three serious ones (D); k % 30 = 5 a general
 * one repaired (C: repaired records keep A and B out of reach); k % 60 = 8 one revoked (no
 * effect); k % 40 = 13 one dated before the period (does not count); k % 20 = 9 a municipal
 * or higher government honor (A when clean); k % 45 = 11 a county honor (not enough for A).
 */
export interface RegradeMix {
  enterprises: number;
  policy: CreditPolicy;
  /** Records are dated between the period's start and this instant (the first re-grade's asOf or before). */
  asOf: Date;
}

const SEED = `
  INSERT INTO enterprise (id, credit_code, name, region_code)
  SELECT md5('e' || k)::uuid, '91130800' || lpad(k::text, 10, '0'), '评级企业 ' || k, '1308' || lpad((k % 11 + 1)::text, 2, '0')
    FROM generate_series(1, $1::int) k;
  INSERT INTO water_permit (id, permit_no, enterprise_id, valid_from, valid_to, annual_quota, revoked_at, revocation_reason, revocation_kind)
  SELECT md5('p' || k)::uuid, 'RP-' || lpad(k::text, 10, '0'), md5('e' || k)::uuid, $2::timestamptz, $2::timestamptz + interval '5 years', 100000,
         CASE WHEN k % 200 = 3 OR k % 400 = 7 THEN at END,
         CASE WHEN k % 200 = 3 THEN '依法吊销' WHEN k % 400 = 7 THEN '申请注销' END,
         CASE WHEN k % 200 = 3 THEN 'REVOCATION' WHEN k % 400 = 7 THEN 'CANCELLATION' END
    FROM generate_series(1, $1::int) k
    CROSS JOIN LATERAL (SELECT $2::timestamptz + (k % 89 + 1) * ($3::timestamptz - $2::timestamptz) / 100 AS at) d;
  INSERT INTO credit_record (id, enterprise_id, kind, indicator, level, occurred_at, status, status_reason, determined_by, determined_at,
         determining_region_code, determining_authority_kind, source_act, conduct_region_code)
  SELECT md5('r' || k || '-' || j)::uuid, md5('e' || k)::uuid, 'DISHONESTY', ind, lvl, at,
         st, CASE WHEN st <> 'ACTIVE' THEN '评级基准' END, 'seed', at, '130800', 'CITY_WATER_AUTHORITY', 'ADMINISTRATIVE_PENALTY', '130800'
    FROM generate_series(1, $1::int) k
    CROSS JOIN LATERAL (VALUES
      (1, k % 10 = 1, 'GENERAL', 'ACTIVE', false),
      (2, k % 25 = 2, 'SERIOUS', 'ACTIVE', false),
      (3, k % 25 = 2, 'GENERAL', 'ACTIVE', false),
      (4, k % 50 = 4, 'SEVERE', 'ACTIVE', true),
      (5, k % 100 = 6, 'SERIOUS', 'ACTIVE', false),
      (6, k % 100 = 6, 'SERIOUS', 'ACTIVE', false),
      (7, k % 100 = 6, 'SERIOUS', 'ACTIVE', false),
      (8, k % 30 = 5, 'GENERAL', 'REPAIRED', false),
      (9, k % 60 = 8, 'SERIOUS', 'REVOKED', false),
      (10, k % 40 = 13, 'SERIOUS', 'ACTIVE', false)) AS v(j, wanted, lvl, st, severe)
    CROSS JOIN LATERAL (SELECT CASE WHEN v.severe THEN ($5::text[])[1 + (k + j) % cardinality($5::text[])]
                                    ELSE ($4::text[])[1 + (k + j) % cardinality($4::text[])] END AS ind,
                               CASE WHEN j = 10 THEN $2::timestamptz - interval '30 days'
                                    ELSE $2::timestamptz + ((k * 7 + j) % 97 + 1) * ($3::timestamptz - $2::timestamptz) / 100 END AS at) x
   WHERE v.wanted;
  INSERT INTO credit_record (id, enterprise_id, kind, honor_level, title, occurred_at, determined_by, determined_at, determining_region_code,
         determining_authority_kind, conduct_region_code, honor_category, awarding_body, awarding_body_kind, awarded_by_government)
  SELECT md5('h' || k)::uuid, md5('e' || k)::uuid, 'HONOR', CASE WHEN k % 20 = 9 THEN 'PROVINCIAL' ELSE 'COUNTY' END, '节水型企业', at, 'seed', at,
         '130800', 'CITY_WATER_AUTHORITY', '130800', 'WATER_SAVING_CARRIER', '河北省水利厅', 'GOVERNMENT_DEPARTMENT', true
    FROM generate_series(1, $1::int) k
    CROSS JOIN LATERAL (SELECT $2::timestamptz + (k % 83 + 1) * ($3::timestamptz - $2::timestamptz) / 100 AS at) d
   WHERE k % 20 = 9 OR k % 45 = 11`;

/** Seeds the mix into the schema `m` works in (empty enterprise tables expected). */
export async function seedRegradeMix(m: Queryable, o: RegradeMix): Promise<void> {
  const codes = o.policy.indicators.map((i) => i.code);
  const severe = o.policy.indicators.filter((i) => i.levels.SEVERE !== undefined).map((i) => i.code);
  await runStatements(m, SEED, [o.enterprises, o.policy.periodStart, o.asOf, codes, severe]);
}

/**
 * One day's changes, the steady state of a daily re-grade: about one enterprise in 250 gets a
 * new general record (dated `at`), one in 500 has its active records repaired (day 1: among them
 * enterprises graded D, which become C under the D-once rule), one in 1,000 receives a provincial honor. `day` (1, 2, …) picks different enterprises each day.
 */
export async function applyRegradeDay(m: Queryable, o: { enterprises: number; day: number; at: Date; policy: CreditPolicy }): Promise<void> {
  const codes = o.policy.indicators.map((i) => i.code);
  await runStatements(
    m,
    `
  INSERT INTO credit_record (id, enterprise_id, kind, indicator, level, occurred_at, determined_by, determined_at, determining_region_code,
         determining_authority_kind, source_act, conduct_region_code)
  SELECT md5('d' || $2::int || '-' || k)::uuid, md5('e' || k)::uuid, 'DISHONESTY', ($4::text[])[1 + k % cardinality($4::text[])], 'GENERAL', $3, 'seed', $3,
         '130800', 'CITY_WATER_AUTHORITY', 'ADMINISTRATIVE_PENALTY', '130800'
    FROM generate_series(1, $1::int) k WHERE k % 250 = ($2::int * 37) % 250;
  UPDATE credit_record SET status = 'REPAIRED', status_reason = '信用修复', updated_at = $3
   WHERE kind = 'DISHONESTY' AND status = 'ACTIVE'
     AND enterprise_id IN (SELECT md5('e' || k)::uuid FROM generate_series(1, $1::int) k WHERE k % 500 = ($2::int * 54) % 500);
  INSERT INTO credit_record (id, enterprise_id, kind, honor_level, title, occurred_at, determined_by, determined_at, determining_region_code,
         determining_authority_kind, conduct_region_code, honor_category, awarding_body, awarding_body_kind, awarded_by_government)
  SELECT md5('dh' || $2::int || '-' || k)::uuid, md5('e' || k)::uuid, 'HONOR', 'PROVINCIAL', '节水标杆', $3, 'seed', $3, '130800', 'CITY_WATER_AUTHORITY', '130800',
         'WATER_EFFICIENCY_LEADER', '河北省水利厅', 'GOVERNMENT_DEPARTMENT', true
    FROM generate_series(1, $1::int) k WHERE k % 1000 = ($2::int * 211 + 500) % 1000`,
    [o.enterprises, o.day, o.at, codes],
  );
}
