import { GraphQLSchema, execute, parse } from 'graphql';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { loadPolicies } from '../../src/modules/policy/credit-policy.loader';
import { hubSchema } from '../../src/schema';
import { HubContext } from '../../src/modules/context';
import { Database } from '../../src/platform/db';
import { PUBLIC_PRINCIPAL } from '../../src/platform/auth/principal';
import { testContext, testDeps } from '../support/context';
import { testDatabase } from '../support/hub';
import { FieldPath, listPaths } from '../support/list-paths';

/**
 * Issue 8, item 6: no N+1 anywhere, checked on the served schema rather than on a hand-picked query. Every path from Query
 * down through composite fields (7 deep, no field twice on a path) becomes an operation selecting the scalar leaves at each
 * level, page sizes `$n`; each runs with 10 of everything seeded at page size 10, then with 110 at page size 100, and must
 * send the same number of SQL statements. A field added tomorrow is walked too.
 *
 * In-process (`execute`, as a resolver-only test may): the operation limits of the HTTP path would refuse the deepest paths
 * at page size 100, and they are not what is measured here.
 */
let db: Database;
let drop: () => Promise<void>;
let schema: GraphQLSchema;
const policies = loadPolicies();
const MAX_DEPTH = 7;

/**
 * Query fields that need an argument the walk cannot invent; each one's type is reached through a list instead,
 * except workingDayDeadline's Deadline: scalars only, computed without SQL.
 */
const SINGLE_ROOTS = [
  'Query.creditRecord',
  'Query.enforcementCase',
  'Query.enterprise',
  'Query.meter',
  'Query.objection',
  'Query.reportStatus',
  'Query.syncRun',
  'Query.tip',
  'Query.tipStatus',
  'Query.webhook',
  'Query.workingDayDeadline',
];

/** Separated duties (三员分立): the administrators' roots; every other path is walked by the provincial authority. */
const ADMIN_ROOTS: Record<string, 'SYSTEM_ADMIN' | 'SECURITY_ADMIN' | 'AUDIT_ADMIN'> = {
  'Query.auditLog': 'AUDIT_ADMIN', // the audit log is the audit administrator's alone
  'Query.dataSources': 'SYSTEM_ADMIN',
  'Query.syncRun': 'SYSTEM_ADMIN',
  'Query.webhooks': 'SYSTEM_ADMIN',
  'Query.webhook': 'SYSTEM_ADMIN',
  'Query.resultGrants': 'SECURITY_ADMIN',
};

function adminContext(root: string): HubContext {
  const role = ADMIN_ROOTS[root];
  const principal = role
    ? { ...PUBLIC_PRINCIPAL, subject: `n-plus-one:${role.toLowerCase()}`, role, regions: [] }
    : { ...PUBLIC_PRINCIPAL, subject: 'n-plus-one', role: 'PROVINCE_AUTHORITY' as const, regions: ['130000'] };
  return testContext(testDeps(db, { policies }), principal);
}

/** `count` more of everything, each parent with children: enterprises (meters with readings, permits, plans, enforcement cases with notices and fines, records with an objection, a filing and a platform push, candidates, two ratings, a result grant with two logged reads), sources with runs, webhooks with deliveries and attempts. */
async function seed(from: number, count: number): Promise<void> {
  const codes = Array.from({ length: count }, (_, i) => withCheckChar(`91130821MN${String(from + i).padStart(7, '0')}`));
  await db.manager.query(
    `WITH e AS (
       INSERT INTO enterprise (credit_code, name, region_code, legal_representative, legal_representative_id_number, contact_phone)
       SELECT c, '企业' || c, '130821', '张三', '130821199001011234', '13800001234' FROM unnest($1::text[]) c RETURNING id, credit_code),
     m AS (INSERT INTO meter (meter_code, enterprise_id, online, level, last_reading_at)
           SELECT e.credit_code || '-M' || k, e.id, true, 1, now() FROM e, generate_series(1, 2) k RETURNING id, enterprise_id),
     rd AS (INSERT INTO meter_reading (meter_id, read_at, cumulative_volume) SELECT m.id, now() - k * interval '1 hour', 100 - k FROM m, generate_series(1, 2) k RETURNING 1),
     p AS (INSERT INTO water_permit (permit_no, enterprise_id, valid_from, valid_to, annual_quota)
           SELECT 'P-' || e.credit_code, e.id, now() - interval '1 year', now() + interval '3 years', 1000 FROM e RETURNING 1),
     pl AS (INSERT INTO water_plan (enterprise_id, year, planned_volume) SELECT e.id, extract(year FROM now())::int, 900 FROM e RETURNING 1),
     ec AS (INSERT INTO enforcement_case (enterprise_id, indicator, case_no, conduct_region_code, opened_at, opened_by)
            SELECT e.id, '1.1', 'CASE-' || e.credit_code, '130821', now() - interval '40 days', 'test' FROM e RETURNING id, enterprise_id),
     rn AS (INSERT INTO rectification_notice (case_id, notice_no, issued_at, deadline_date, created_by)
            SELECT ec.id, 'N-' || k, now() - interval '40 days', (now() - interval '30 days')::date, 'test' FROM ec, generate_series(1, 2) k RETURNING 1),
     ef AS (INSERT INTO enforcement_fine (case_id, decision_no, served_at, due_date, due_provisional, created_by)
            SELECT ec.id, 'F-' || k, now() - interval '35 days', (now() - interval '20 days')::date, false, 'test' FROM ec, generate_series(1, 2) k RETURNING 1),
     cr AS (INSERT INTO credit_record (enterprise_id, kind, indicator, level, occurred_at, determined_by, determined_at, determining_region_code,
                                       determining_authority_kind, conduct_region_code, case_id)
            SELECT e.id, 'DISHONESTY', '1.1', 'GENERAL', now() - interval '30 days', 'test', now() - interval '29 days', '130821', 'COUNTY_WATER_AUTHORITY', '130821', ec.id
              FROM e JOIN ec ON ec.enterprise_id = e.id RETURNING id, enterprise_id),
     rp AS (INSERT INTO credit_repair (record_id, enterprise_id, status, statement, submitted_at, submitted_by, confirmed_at, confirmed_by,
                                       decision_due_date, decision_due_provisional)
            SELECT cr.id, cr.enterprise_id, 'CONFIRMED', '已整改', now() - interval '10 days', 'test', now() - interval '9 days', 'test',
                   (now() - interval '6 days')::date, false FROM cr RETURNING 1),
     rnt AS (INSERT INTO credit_repair_notice (enterprise_id, grade, content)
             SELECT cr.enterprise_id, 'C', jsonb_build_object('text', jsonb_build_object('zh', '告知书', 'en', 'notice'), 'how', jsonb_build_object('zh', '方式', 'en', 'how'),
                    'records', jsonb_build_array(jsonb_build_object('recordId', cr.id, 'indicator', '1.1', 'level', 'GENERAL', 'occurredAt', now(), 'repairable', true, 'reason', null)))
               FROM cr RETURNING 1),
     -- corrected_record_id: only so the walk finds Objection.correctedRecord filled (the record stands for its own correction).
     ob AS (INSERT INTO objection (enterprise_id, record_id, status, statement, received_by, received_at, filed_by, due_date, due_provisional, corrected_record_id)
            SELECT cr.enterprise_id, cr.id, 'OPEN', '异议', 'EVALUATING_BODY', now() - interval '5 days', 'test', now()::date, false, cr.id FROM cr RETURNING 1),
     cl AS (INSERT INTO credit_letter (record_id, from_region_code, from_authority_kind, to_region_code, to_authority_kind, subject, body)
            SELECT cr.id, '130822', 'COUNTY_WATER_AUTHORITY', '130821', 'COUNTY_WATER_AUTHORITY', '关于企业失信信息认定情况的函', '函告' FROM cr RETURNING 1),
     cv AS (INSERT INTO candidate_violation (enterprise_id, meter_id, kind, indicator, suggested_level, credit_record_id)
            SELECT cr.enterprise_id, (SELECT m.id FROM m WHERE m.enterprise_id = cr.enterprise_id LIMIT 1), 'NON_NETWORKED', '2.3', 'GENERAL', cr.id FROM cr RETURNING 1),
     r AS (INSERT INTO credit_rating (enterprise_id, grade, score, indicators, reasons, measures, policy_version, as_of, evaluated_by)
           SELECT cr.enterprise_id, 'B', 990,
                  jsonb_build_array(jsonb_build_object('code', '1.1', 'name', '违法行为', 'maxScore', 100, 'score', 90, 'recordIds', jsonb_build_array(cr.id))),
                  '[{"clause":null,"zh":"理由","en":"reason"}]', '[{"zh":"措施","en":"measure"}]', 'chengde-2025-assumed', now() - k * interval '1 day', 'test'
             FROM cr, generate_series(1, 2) k RETURNING id, enterprise_id, as_of),
     fr AS (INSERT INTO false_info_report (receipt_no, enterprise_id, record_id, content, reporter_name, reporter_contact, status, received_at, due_date, due_provisional)
            SELECT 'JB' || cr.id, cr.enterprise_id, cr.id, '信息不实', '李四', '13900001111', 'RECEIVED', now() - interval '2 days', (now() + interval '7 days')::date, false
              FROM cr RETURNING 1),
     tp AS (INSERT INTO tip (receipt_no, source_kind, enterprise_id, indicator, content, evidence_refs, tipster_name, tipster_organisation, tipster_contact,
                             status, received_at, due_date, due_provisional)
            SELECT 'XS' || cr.id, 'FINANCIAL_INSTITUTION', cr.enterprise_id, '1.1', '私自取水', '{照片1.jpg}', '王五', '承德某银行', '13700002222', 'RECEIVED',
                   now() - interval '2 days', (now() + interval '7 days')::date, false
              FROM cr RETURNING 1),
     fl AS (INSERT INTO credit_filing (subject_kind, record_id, enterprise_id, from_region_code, filed_with_region_code, determined_at, due_date, due_provisional)
            SELECT 'DETERMINATION', cr.id, cr.enterprise_id, '130821', '130800', now() - interval '29 days', (now() - interval '20 days')::date, false FROM cr RETURNING 1),
     pp AS (INSERT INTO platform_push (subject_kind, record_id, document, state) SELECT 'DETERMINATION', cr.id, '{}', 'NOT_CONFIGURED' FROM cr RETURNING 1),
     rg AS (INSERT INTO result_grant (enterprise_id, grantee_agency, scope, purpose, valid_from, valid_until, granted_by)
            SELECT e.id, '承德银行', 'RESULT_ONLY', '贷款审批', now() - interval '1 day', now() + interval '30 days', e.credit_code FROM e RETURNING id, enterprise_id),
     rr AS (INSERT INTO result_read (enterprise_id, reader_subject, reader_role, reader_agency, grant_id, purpose, fields)
            SELECT rg.enterprise_id, 'bank:chengde', 'PARTNER_AGENCY', '承德银行', rg.id, '贷款审批', '{rating}' FROM rg, generate_series(1, 2) k RETURNING 1),
     ev AS (INSERT INTO outbox_event (topic, enterprise_id, sequence, payload, published_at)
            SELECT 'rating.changed', e.id, 1, jsonb_build_object('creditCode', e.credit_code, 'regionCode', '130821'), now() FROM e RETURNING 1)
     SELECT (SELECT count(*) FROM ev) + (SELECT count(*) FROM rn) + (SELECT count(*) FROM ef) + (SELECT count(*) FROM tp) + (SELECT count(*) FROM rr)`,
    [codes],
  );
  // A separate statement: the one above cannot see the enterprises it inserted.
  await db.manager.query(
    `UPDATE enterprise x SET current_rating_id = (SELECT r.id FROM credit_rating r WHERE r.enterprise_id = x.id ORDER BY r.as_of DESC LIMIT 1), current_grade = 'B'
      WHERE x.current_rating_id IS NULL AND x.credit_code = ANY($1::text[])`,
    [codes],
  );
  // Every other enterprise's tip confirmed into a TIP candidate, linked both ways (Tip.candidate, CandidateViolation.tip): the
  // newest candidates, so a page holds both kinds (meter and record fields are filled by the others).
  await db.manager.query(
    `WITH c AS (INSERT INTO candidate_violation (enterprise_id, meter_id, kind, indicator, suggested_level, evidence, detected_at, origin, tip_id)
                SELECT t.enterprise_id, NULL, 'TIP', '1.1', 'GENERAL', '{}', now(), 'TIP', t.id
                  FROM tip t JOIN enterprise x ON x.id = t.enterprise_id WHERE x.credit_code = ANY($1::text[]) AND t.status = 'RECEIVED' RETURNING id, tip_id)
     UPDATE tip t SET status = 'CONFIRMED', candidate_id = c.id, verified_at = now(), verified_by = 'test', note = '属实' FROM c WHERE t.id = c.tip_id`,
    [codes.filter((_, k) => k % 2 === 0)],
  );
  const names = codes.map((c) => `source-${c}`);
  await db.manager.query(
    `WITH s AS (INSERT INTO data_source (name, connector, config) SELECT n, 'csv', '{"dir": "/tmp"}' FROM unnest($1::text[]) n RETURNING id)
     INSERT INTO sync_run (source_id, status, queued_at, requested_by, rejected_sample)
     SELECT s.id, 'SUCCEEDED', now() - k * interval '1 hour', 'test', '[{"position": 1, "reason": "bad"}]' FROM s, generate_series(1, 2) k`,
    [names],
  );
  await db.manager.query(
    `WITH w AS (INSERT INTO webhook (owner_subject, owner_role, url, events, secret)
                SELECT 'agency:' || c, 'PARTNER_AGENCY', 'https://partner.example/hook', '{rating.changed}', 'whsec_test' FROM unnest($1::text[]) c RETURNING id, owner_subject),
     d AS (INSERT INTO webhook_delivery (webhook_id, event_id, status, attempts)
           SELECT w.id, o.id, 'DELIVERED', 1 FROM w JOIN enterprise x ON 'agency:' || x.credit_code = w.owner_subject JOIN outbox_event o ON o.enterprise_id = x.id RETURNING id)
     INSERT INTO webhook_attempt (delivery_id, attempt, status_code, duration_ms) SELECT d.id, 1, 200, 12 FROM d`,
    [codes],
  );
}

/** Runs one path's operation at page size `n`; returns the statements it sent and whether the field reached held something (a non-empty list, an object). */
async function run(path: FieldPath, n: number): Promise<{ statements: number; filled: boolean }> {
  const before = db.statementCount;
  const result = await execute({ schema, document: parse(path.query), variableValues: { n }, contextValue: adminContext(path.coords[0]) });
  const statements = db.statementCount - before;
  const name = path.coords.join(' → ');
  expect({ name, errors: result.errors?.map((e) => e.message) }).toEqual({ name, errors: undefined });
  // Follow the path down the answer to the values of its last field.
  const fieldOf = (coord: string) => coord.split('.')[1];
  let parents: Record<string, unknown>[] = [result.data as Record<string, unknown>];
  for (const coord of path.coords.slice(0, -1)) {
    parents = parents.flatMap((v) => {
      const x = v[fieldOf(coord)];
      return Array.isArray(x) ? x : x == null ? [] : [x];
    }) as Record<string, unknown>[];
  }
  const last = fieldOf(path.coords[path.coords.length - 1]);
  return { statements, filled: parents.some((v) => (Array.isArray(v[last]) ? (v[last] as unknown[]).length > 0 : v[last] != null)) };
}

beforeAll(async () => {
  ({ db, drop } = await testDatabase('nplusone'));
  schema = await hubSchema();
});
afterAll(() => drop?.());

it('walks every composite field reachable from Query; the few it cannot reach alone are the single lookups by key', () => {
  const { paths, skipped, listCoords } = listPaths(schema, MAX_DEPTH);
  expect(skipped).toEqual(SINGLE_ROOTS);
  expect(paths.length).toBeGreaterThan(100);
  expect(listCoords).toContain('Webhook.deliveries');
  const walked = new Set(paths.map((p) => p.coords[p.coords.length - 1]));
  for (const c of ['DataSource.lastRun', 'SyncRun.source', 'Webhook.deliveries', 'WebhookDelivery.attemptLog', 'Meter.readings', 'IndicatorScore.records'])
    expect(walked).toContain(c);
});

it('sends as many SQL statements at page size 100 as at 10, on every path', async () => {
  const { paths } = listPaths(schema, MAX_DEPTH);
  await seed(0, 10);
  const at10 = new Map<FieldPath, number>();
  for (const p of paths) at10.set(p, (await run(p, 10)).statements);
  await seed(10, 100);
  const grows: string[] = [];
  const filled = new Set<string>();
  for (const p of paths) {
    const r = await run(p, 100);
    if (r.filled) filled.add(p.coords[p.coords.length - 1]);
    if (r.statements !== at10.get(p)) grows.push(`${p.coords.join(' → ')}: ${at10.get(p)} statements at 10, ${r.statements} at 100`);
  }
  expect(grows).toEqual([]);
  // The seed fills every field walked, or a growth there could not show. The policy in force today may be none (issue 8, item 7).
  const walked = [...new Set(paths.map((p) => p.coords[p.coords.length - 1]))];
  expect(walked.filter((c) => !filled.has(c) && c !== 'Query.creditPolicy')).toEqual([]);
  // ~150 paths (each type's fields walked once below a list), run twice: well inside two minutes on a loaded machine.
}, 120_000);
