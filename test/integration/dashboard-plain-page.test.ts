import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TestHub, startTestHub } from '../support/hub';

/**
 * A plain selection of `enterprises` (page-plan.ts) is fetched column by column and, for a supervisor listing ratings as
 * the only root field, writes its read log in the page statement. Its answers and its read log must be those of the
 * general path: the same query with a field that is not plain (`plans`) goes the general way and is compared with it.
 */
let t: TestHub;
const codes = Array.from({ length: 6 }, (_, i) => withCheckChar(`91130821PL${String(i).padStart(7, '0')}`));

beforeAll(async () => {
  t = await startTestHub('plainpage', { relay: false });
  // Enterprise 0: no rating, no meter, no permit; the others two meters (one never read) and a permit, and a rating.
  await t.db.manager.query(
    `WITH e AS (
       INSERT INTO enterprise (credit_code, name, region_code, industry) SELECT c, '企业' || c, '130821', 'C' || c FROM unnest($1::text[]) c RETURNING id, credit_code),
     m AS (INSERT INTO meter (meter_code, enterprise_id, online, level, last_reading_at, max_flow_rate)
           SELECT e.credit_code || '-M' || k, e.id, true, 1, CASE k WHEN 1 THEN timestamptz '2025-03-04 05:06:07.891+08' END, 12.5
             FROM e, generate_series(1, 2) k WHERE e.credit_code <> $2 RETURNING 1),
     p AS (INSERT INTO water_permit (permit_no, enterprise_id, valid_from, valid_to, annual_quota)
           SELECT 'P-' || e.credit_code, e.id, timestamptz '2024-01-01 00:00+08', timestamptz '2029-01-01 00:00+08', 1000.5 FROM e WHERE e.credit_code <> $2 RETURNING 1),
     r AS (INSERT INTO credit_rating (enterprise_id, grade, score, indicators, reasons, measures, policy_version, as_of, evaluated_by)
           SELECT e.id, 'B', 1000, '[]', '[]', '[]', 'chengde-2025-assumed', timestamptz '2025-06-01 00:00+08', 'test' FROM e WHERE e.credit_code <> $2 RETURNING 1)
     SELECT count(*) FROM r`,
    [codes, codes[0]],
  );
  await t.db.manager.query(`UPDATE enterprise e SET current_rating_id = r.id, current_grade = r.grade FROM credit_rating r WHERE r.enterprise_id = e.id`);
});
afterAll(() => t?.stop());

const NODE = `id creditCode name regionCode industry checkOverride
  rating { id grade score policyVersion asOf evaluatedAt official }
  meters { id meterCode online level reportingIntervalSeconds maxFlowRate calibrationExpiresAt lastReadingAt }
  permits { id permitNo validFrom validTo annualQuota revokedAt revocationReason revocationKind annulledAt annulmentReason }`;
const plain = `query($n: Int) { enterprises(first: $n, regionCode: "130821") { edges { cursor node { ${NODE} } } pageInfo { hasNextPage endCursor } } }`;
const general = `query($n: Int) { enterprises(first: $n, regionCode: "130821") { edges { cursor node { ${NODE} plans { year } } } pageInfo { hasNextPage endCursor } } }`;

async function reads(requestId: string) {
  return t.db.manager.query(
    `SELECT e.credit_code, reader_subject, reader_role, reader_agency, grant_id, purpose, fields FROM result_read r JOIN enterprise e ON e.id = r.enterprise_id WHERE request_id = $1 ORDER BY e.credit_code`,
    [requestId],
  );
}

it('answers as the general path does, and logs the same reads', async () => {
  const token = t.token('COUNTY_AUTHORITY', { regions: ['130821'], subject: 'officer:plain' });
  const a = await t.gql(plain, { n: 5 }, token, { 'x-request-id': 'plain-1', 'x-purpose': encodeURIComponent('检查') });
  const b = await t.gql(general, { n: 5 }, token, { 'x-request-id': 'general-1', 'x-purpose': encodeURIComponent('检查') });
  expect(a.errors).toBeUndefined();
  expect(b.errors).toBeUndefined();
  const withoutPlans = b.data.enterprises.edges.map(({ cursor, node: { plans: _plans, ...node } }: any) => ({ cursor, node }));
  expect(a.data.enterprises.edges).toEqual(withoutPlans);
  expect(a.data.enterprises.pageInfo).toEqual(b.data.enterprises.pageInfo);
  expect(a.data.enterprises.pageInfo.hasNextPage).toBe(true);
  const first = a.data.enterprises.edges[0].node;
  expect(first).toMatchObject({ creditCode: codes[0], rating: null, meters: [], permits: [] });
  const second = a.data.enterprises.edges[1].node;
  expect(second.meters[0]).toMatchObject({ lastReadingAt: '2025-03-03T21:06:07.891Z', maxFlowRate: 12.5 });
  expect(second.meters[1].lastReadingAt).toBeNull();
  expect(second.rating).toMatchObject({ grade: 'B', score: 1000, asOf: '2025-05-31T16:00:00.000Z', official: true });
  // Five reads (not the sixth row that tells a page follows), the same rows as the general path writes after the response
  // (whose insertion order its join leaves to the planner: compared by enterprise).
  const logged = await reads('plain-1');
  expect(logged).toHaveLength(5);
  expect(logged).toEqual(await reads('general-1'));
  expect(logged[0]).toMatchObject({ reader_subject: 'officer:plain', reader_role: 'COUNTY_AUTHORITY', purpose: '检查', fields: ['rating'], grant_id: null });
});

it('a plain page that is not the only root field, or asked by a partner agency, logs its reads after the response as before', async () => {
  const county = t.token('COUNTY_AUTHORITY', { regions: ['130821'], subject: 'officer:two' });
  const two = `{ a: enterprises(first: 2, regionCode: "130821") { edges { node { rating { grade } } } }
                 b: enterprises(first: 3, regionCode: "130821") { edges { node { rating { grade } } } } }`;
  const r = await t.gql(two, {}, county, { 'x-request-id': 'two-roots' });
  expect(r.errors).toBeUndefined();
  // One row per enterprise and request, whichever root field read it.
  expect(await reads('two-roots')).toHaveLength(3);
  const partner = t.token('PARTNER_AGENCY', { regions: ['130821'], agency: '银行', subject: 'bank:1' });
  const p = await t.gql(`{ enterprises(first: 4, regionCode: "130821") { edges { node { name rating { grade } } } } }`, {}, partner, {
    'x-request-id': 'partner-1',
  });
  expect(p.errors).toBeUndefined();
  expect(await reads('partner-1')).toHaveLength(4);
});
