import { randomUUID } from 'node:crypto';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { enterpriseService } from '../../src/modules/enterprise/enterprise.service';
import { HubContext } from '../../src/modules/context';
import { TestHub, codeOf, startTestHub } from '../support/hub';
import { testContext, testDeps } from '../support/context';
import { recordGeneral } from '../support/credit-steps';
import { inPeriod, policyNow, testPolicies } from '../support/policy-time';
import { eventually } from '../support/eventually';
import { subscribe } from '../support/ws';
import { startReceiver } from '../support/webhook-receiver';
import { ratingBus } from '../../src/modules/rating-feed/rating-bus';
import type { RatingChangedEvent } from '../../src/modules/outbox/outbox';
import { attemptDelivery } from '../../src/modules/webhook/webhook.delivery';
import { newSecret } from '../../src/modules/webhook/standard-webhooks';
import { DeliveryReadLog, FLUSH_AT } from '../../src/modules/enterprise/result-delivery-log';

/**
 * Issue 10 item 6 over HTTP: written authorisation to read an evaluation result (Art. 23). A
 * grantee outside the enterprise's scope reads through a valid grant only (not before validFrom,
 * not after validUntil or revocation; RESULT_ONLY hides the records); every read by anyone but
 * the enterprise is logged with the grant or the stated purpose, one insert per request; the
 * enterprise lists its readers; refused steps store nothing; grant and revoke are audited.
 * Grant windows are relative to now (a grant may not end in the past); nothing depends on the calendar.
 */
const DAY = 86_400_000;
const policy = policyNow();
const indicator = policy.indicators.find((i) => i.levels.GENERAL !== undefined)!;
let t: TestHub;
let admin: HubContext;
let seq = 0;

const county = () => testContext(testDeps(t.db, { policies: testPolicies() }), { subject: 'officer:130821', role: 'COUNTY_AUTHORITY', regions: ['130821'] });

async function enterprise(withRecord = false): Promise<string> {
  const creditCode = withCheckChar(`91130821GR${String(++seq).padStart(7, '0')}`);
  await enterpriseService.register(admin, { creditCode, name: `承德县授权测试企业${seq}`, regionCode: '130821' });
  if (withRecord) await recordGeneral(county(), creditCode, indicator.code, new Date(inPeriod(40)), new Date(inPeriod(30)));
  else
    await t.db.manager.query(
      `WITH r AS (INSERT INTO credit_rating (enterprise_id, grade, score, indicators, reasons, measures, policy_version, as_of, evaluated_by)
         SELECT id, 'A', 1000, '[]', '[]', '[]', $2, now(), 'test' FROM enterprise WHERE credit_code = $1 RETURNING id, enterprise_id, grade)
       UPDATE enterprise e SET current_rating_id = r.id, current_grade = r.grade FROM r WHERE e.id = r.enterprise_id`,
      [creditCode, policy.version],
    );
  return creditCode;
}

const own = (cc: string) => t.token('ENTERPRISE', { creditCode: cc, subject: cc });
/** A bank's token: a partner agency of another county, outside the enterprise's scope. */
const bank = () => t.token('PARTNER_AGENCY', { agency: '承德银行', regions: ['130822'], subject: 'bank:chengde' });
const otherBank = () => t.token('PARTNER_AGENCY', { agency: '另一银行', regions: ['130822'], subject: 'bank:other' });

const GRANT = `mutation($input: ResultGrantInput!) { grantResultAccess(input: $input) { id scope purpose validFrom validUntil revokedAt granteeAgency granteeSubject } }`;
const REVOKE = `mutation($id: ID!, $at: DateTime) { revokeResultAccess(id: $id, at: $at) { id revokedAt } }`;
const READ = `query($cc: String!) { enterprise(creditCode: $cc) { creditCode rating { grade score } } }`;
const READ_RECORDS = `query($cc: String!) { enterprise(creditCode: $cc) { creditCode creditRecords { id status } } }`;

const iso = (ms: number) => new Date(ms).toISOString();
const grantInput = (cc: string, over: Record<string, unknown> = {}) => ({
  creditCode: cc,
  grantee: { agency: '承德银行' },
  scope: 'RESULT_ONLY',
  purpose: '贷款审批 / loan approval',
  validUntil: iso(Date.now() + 30 * DAY),
  ...over,
});

async function grant(cc: string, over: Record<string, unknown> = {}) {
  const r = await t.gql(GRANT, { input: grantInput(cc, over) }, own(cc));
  expect(r.errors).toBeUndefined();
  return r.data.grantResultAccess as { id: string; scope: string; purpose: string; validFrom: string; revokedAt: string | null };
}

interface ReadRow {
  reader_subject: string;
  reader_role: string;
  reader_agency: string | null;
  grant_id: string | null;
  purpose: string;
  fields: string[];
}
const readsOf = async (cc: string): Promise<ReadRow[]> =>
  t.db.manager.query(
    `SELECT r.reader_subject, r.reader_role, r.reader_agency, r.grant_id, r.purpose, r.fields FROM result_read r JOIN enterprise e ON e.id = r.enterprise_id
      WHERE e.credit_code = $1 ORDER BY r.id`,
    [cc],
  );

const counts = async () =>
  (
    await t.db.manager.query(
      `SELECT (SELECT count(*) FROM result_grant)::int AS grants, (SELECT count(*) FROM result_grant WHERE revoked_at IS NOT NULL)::int AS revoked,
        (SELECT count(*) FROM result_read)::int AS reads`,
    )
  )[0];

beforeAll(async () => {
  t = await startTestHub('grants', { relay: false });
  admin = testContext(testDeps(t.db, { policies: testPolicies() }));
});
afterAll(() => t?.stop());

describe('written authorisation (Art. 23)', () => {
  it('a grantee outside scope reads the result through a valid grant only; RESULT_ONLY hides the records', async () => {
    const cc = await enterprise(true);
    const before = await t.gql(READ, { cc }, bank());
    expect(codeOf(before)).toBe('FORBIDDEN');
    expect(before.data?.enterprise ?? null).toBeNull();

    const g = await grant(cc);
    expect(g).toMatchObject({ scope: 'RESULT_ONLY', purpose: '贷款审批 / loan approval', revokedAt: null });
    const ok = await t.gql(READ, { cc }, bank());
    expect(ok.errors).toBeUndefined();
    expect(ok.data.enterprise.rating.score).toBeLessThan(1000);
    // The grant names 承德银行: another agency gets nothing.
    expect(codeOf(await t.gql(READ, { cc }, otherBank()))).toBe('FORBIDDEN');
    // RESULT_ONLY: no records, and no internal data either.
    const records = await t.gql(READ_RECORDS, { cc }, bank());
    expect(codeOf(records)).toBe('FORBIDDEN');
    expect(records.errors![0].message).toMatch(/不含信用记录/);
    // …nor through the records a rating's indicator scores name.
    const viaRating = await t.gql(`query($cc: String!) { enterprise(creditCode: $cc) { rating { indicators { code records { id } } } } }`, { cc }, bank());
    expect(codeOf(viaRating)).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(`query($cc: String!) { enterprise(creditCode: $cc) { meters { meterCode } } }`, { cc }, bank()))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(`query($cc: String!) { enterprise(creditCode: $cc) { resultGrants { id } } }`, { cc }, bank()))).toBe('FORBIDDEN');

    // WITH_RECORDS: the ACTIVE records come with the result.
    await grant(cc, { scope: 'WITH_RECORDS', grantee: { agency: '承德银行', subject: 'bank:chengde' } });
    const withRecords = await t.gql(READ_RECORDS, { cc }, bank());
    expect(withRecords.errors).toBeUndefined();
    expect(withRecords.data.enterprise.creditRecords).toHaveLength(1);
    expect(withRecords.data.enterprise.creditRecords[0].status).toBe('ACTIVE');
    const named = await t.gql(`query($cc: String!) { enterprise(creditCode: $cc) { rating { indicators { records { id } } } } }`, { cc }, bank());
    expect(named.errors).toBeUndefined();
    expect(named.data.enterprise.rating.indicators.flatMap((i: { records: unknown[] }) => i.records)).toHaveLength(1);

    const reads = await readsOf(cc);
    expect(reads.map((r) => [r.reader_subject, r.grant_id !== null, r.purpose, r.fields])).toEqual([
      ['bank:chengde', true, '贷款审批 / loan approval', ['rating']],
      // The rating resolved before its records were refused (the error then nulls it): logged, on the safe side.
      ['bank:chengde', true, '贷款审批 / loan approval', ['rating']],
      ['bank:chengde', true, '贷款审批 / loan approval', ['creditRecords']],
      ['bank:chengde', true, '贷款审批 / loan approval', ['rating', 'creditRecords']],
    ]);
  });

  it('not before validFrom, not after validUntil, not after revocation', async () => {
    const cc = await enterprise();
    const future = await grant(cc, { validFrom: iso(Date.now() + 2 * DAY), validUntil: iso(Date.now() + 10 * DAY) });
    expect(codeOf(await t.gql(READ, { cc }, bank()))).toBe('FORBIDDEN');
    // Time passes: the window opens (moved into the past by SQL: a grant cannot be given for the past).
    await t.db.manager.query(`UPDATE result_grant SET valid_from = now() - interval '1 day', granted_at = now() - interval '2 days' WHERE id = $1`, [
      future.id,
    ]);
    expect((await t.gql(READ, { cc }, bank())).data.enterprise.rating.grade).toBe('A');
    // …and closes.
    await t.db.manager.query(`UPDATE result_grant SET valid_until = now() - interval '1 second' WHERE id = $1`, [future.id]);
    expect(codeOf(await t.gql(READ, { cc }, bank()))).toBe('FORBIDDEN');

    const g = await grant(cc);
    expect((await t.gql(READ, { cc }, bank())).errors).toBeUndefined();
    const r = await t.gql(REVOKE, { id: g.id }, own(cc));
    expect(r.errors).toBeUndefined();
    expect(r.data.revokeResultAccess.revokedAt).not.toBeNull();
    expect(codeOf(await t.gql(READ, { cc }, bank()))).toBe('FORBIDDEN');
    // Revoking twice is refused and changes nothing.
    const again = await t.gql(REVOKE, { id: g.id }, own(cc));
    expect(codeOf(again)).toBe('BAD_USER_INPUT');

    const audit = await t.db.manager.query(
      `SELECT action, outcome, target_type, target_id, detail FROM audit_log WHERE action IN ('grantResultAccess','revokeResultAccess') AND (target_id = $1 OR target_id = $2) ORDER BY id`,
      [cc, g.id],
    );
    expect(audit.map((a: { action: string; outcome: string }) => [a.action, a.outcome])).toEqual([
      ['grantResultAccess', 'OK'],
      ['grantResultAccess', 'OK'],
      ['revokeResultAccess', 'OK'],
      ['revokeResultAccess', 'BAD_USER_INPUT'],
    ]);
    expect(audit[1].detail).toMatchObject({ grantId: g.id, scope: 'RESULT_ONLY' });
  });

  it('reads by a partner and the credit authority are logged with their purpose; the enterprise lists its readers; its own reads are not logged', async () => {
    const cc = await enterprise();
    const partner = t.token('PARTNER_AGENCY', { agency: '县发改局', regions: ['130821'], subject: 'partner:fgj' });
    const credit = t.token('CREDIT_AUTHORITY', { regions: ['130800'], subject: 'credit:130800' });
    expect((await t.gql(READ, { cc }, partner, { 'x-purpose': encodeURIComponent('评优评先审核（第十八条）') })).errors).toBeUndefined();
    expect((await t.gql(READ, { cc }, partner)).errors).toBeUndefined();
    expect((await t.gql(`query($cc: String!) { enterprise(creditCode: $cc) { ratingHistory { grade } } }`, { cc }, credit)).errors).toBeUndefined();
    expect((await t.gql(READ, { cc }, own(cc))).errors).toBeUndefined();

    expect((await readsOf(cc)).map((r) => [r.reader_subject, r.reader_role, r.reader_agency, r.grant_id, r.purpose, r.fields])).toEqual([
      ['partner:fgj', 'PARTNER_AGENCY', '县发改局', null, '评优评先审核（第十八条）', ['rating']],
      ['partner:fgj', 'PARTNER_AGENCY', '县发改局', null, '联合奖惩（第十八至二十一条） / joint rewards and punishments (Art. 18–21)', ['rating']],
      ['credit:130800', 'CREDIT_AUTHORITY', null, null, '信用监管 / credit supervision', ['ratingHistory']],
    ]);

    const LIST = `query($cc: String!, $after: String) { enterprise(creditCode: $cc) { resultReads(first: 2, after: $after) {
      edges { node { readerSubject readerRole readerAgency grantId purpose fields readAt } } pageInfo { hasNextPage endCursor } } } }`;
    const p1 = await t.gql(LIST, { cc }, own(cc));
    expect(p1.errors).toBeUndefined();
    const page1 = p1.data.enterprise.resultReads;
    expect(page1.edges.map((e: { node: { readerSubject: string; fields: string[] } }) => [e.node.readerSubject, e.node.fields])).toEqual([
      ['credit:130800', ['ratingHistory']],
      ['partner:fgj', ['rating']],
    ]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await t.gql(LIST, { cc, after: page1.pageInfo.endCursor }, own(cc))).data.enterprise.resultReads;
    expect(page2.edges).toHaveLength(1);
    expect(page2.edges[0].node.purpose).toBe('评优评先审核（第十八条）');
    expect(page2.pageInfo.hasNextPage).toBe(false);
    // Listing the readers is no read of the result; a partner may not list them.
    expect(await readsOf(cc)).toHaveLength(3);
    expect(codeOf(await t.gql(LIST, { cc }, partner))).toBe('FORBIDDEN');
    // The supervising county lists them too (read-only).
    expect((await t.gql(LIST, { cc }, t.token('COUNTY_AUTHORITY', { regions: ['130821'] }))).errors).toBeUndefined();
  });

  it('a list of many enterprises logs its reads in one insert: the same statements for 10 and 40', async () => {
    const codes = Array.from({ length: 40 }, (_, i) => withCheckChar(`91130826GL${String(i).padStart(7, '0')}`));
    await t.db.manager.query(
      `WITH e AS (INSERT INTO enterprise (credit_code, name, region_code) SELECT c, '企业' || c, '130826' FROM unnest($1::text[]) c RETURNING id),
       r AS (INSERT INTO credit_rating (enterprise_id, grade, score, indicators, reasons, measures, policy_version, as_of, evaluated_by)
             SELECT e.id, 'B', 900, '[]', '[]', '[]', $2, now(), 'test' FROM e RETURNING id, enterprise_id, grade)
       UPDATE enterprise x SET current_rating_id = r.id, current_grade = r.grade FROM r WHERE x.id = r.enterprise_id`,
      [codes, policy.version],
    );
    const token = t.token('COUNTY_AUTHORITY', { regions: ['130826'], subject: 'officer:130826' });
    const run = async (n: number) => {
      const before = t.db.statementCount;
      const readsBefore = (await counts()).reads;
      const r = await t.gql(`query($n: Int) { enterprises(first: $n, regionCode: "130826") { edges { node { rating { grade } } } } }`, { n }, token);
      expect(r.errors).toBeUndefined();
      const statements = t.db.statementCount - before - 1; // minus counts()
      expect((await counts()).reads - readsBefore).toBe(n);
      return statements;
    };
    const at10 = await run(10);
    const at40 = await run(40);
    expect(at40).toBe(at10);
    // the page (ratings fetched with it) and the one insert of the read log
    expect(at40).toBeLessThanOrEqual(2);
  });

  it('refused grants and revocations store nothing; PUBLIC never sees results', async () => {
    const cc = await enterprise();
    const other = await enterprise();
    const before = await counts();
    const refused = async (token: string | undefined, over: Record<string, unknown>, code: string, field?: string) => {
      const r = await t.gql(GRANT, { input: grantInput(cc, over) }, token);
      expect(codeOf(r)).toBe(code);
      if (field) expect(r.errors![0].extensions.field).toBe(field);
    };
    await refused(own(cc), { validUntil: iso(Date.now() - DAY), validFrom: iso(Date.now() - 2 * DAY) }, 'BAD_USER_INPUT', 'validUntil');
    await refused(own(cc), { validFrom: iso(Date.now() + 5 * DAY), validUntil: iso(Date.now() + 4 * DAY) }, 'BAD_USER_INPUT', 'validUntil');
    await refused(own(cc), { validUntil: iso(Date.now() + 400 * DAY) }, 'BAD_USER_INPUT', 'validUntil');
    await refused(own(cc), { purpose: '   ' }, 'BAD_USER_INPUT', 'purpose');
    await refused(own(cc), { purpose: '用'.repeat(501) }, 'BAD_USER_INPUT', 'purpose');
    await refused(own(cc), { grantee: {} }, 'BAD_USER_INPUT', 'grantee');
    await refused(own(cc), { grantee: { subject: 'anonymous' } }, 'BAD_USER_INPUT', 'grantee.subject');
    await refused(own(other), {}, 'FORBIDDEN');
    await refused(bank(), {}, 'FORBIDDEN');
    await refused(t.token('COUNTY_AUTHORITY', { regions: ['130821'] }), {}, 'FORBIDDEN');
    await refused(undefined, {}, 'UNAUTHENTICATED');
    const g = await grant(cc);
    const mid = await counts();
    expect(mid.grants).toBe(before.grants + 1);
    expect(codeOf(await t.gql(REVOKE, { id: g.id }, own(other)))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(REVOKE, { id: g.id, at: iso(Date.now() + DAY) }, own(cc)))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.gql(REVOKE, { id: '00000000-0000-0000-0000-000000000000' }, own(cc)))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(REVOKE, { id: 'nope' }, own(cc)))).toBe('NOT_FOUND');
    expect(await counts()).toEqual(mid);

    // PUBLIC: no result, nothing logged.
    const pub = await t.gql(READ, { cc });
    expect(codeOf(pub)).toBe('FORBIDDEN');
    expect(await readsOf(cc)).toHaveLength(0);
  });
});

describe('result reads over subscriptions and webhooks (Art. 23)', () => {
  const SUB = `subscription($c: String) { ratingChanged(creditCode: $c) { eventId grade enterprise { creditCode } } }`;
  /** Partner agencies of the enterprise's county (within their remit: no grant needed). */
  const partner = (subject: string) => t.token('PARTNER_AGENCY', { agency: '承德县水务合作银行', regions: ['130821'], subject });
  const enterpriseIdOf = async (cc: string): Promise<string> =>
    (await t.db.manager.query(`SELECT id FROM enterprise WHERE credit_code = $1`, [cc]))[0].id as string;
  let sequence = 0;
  async function ratingEvent(cc: string): Promise<RatingChangedEvent> {
    const enterpriseId = await enterpriseIdOf(cc);
    sequence++;
    const event: RatingChangedEvent = {
      eventId: randomUUID(),
      type: 'rating.changed',
      sequence,
      enterpriseId,
      creditCode: cc,
      regionCode: '130821',
      previousGrade: 'A',
      grade: 'B',
      score: 900,
      policyVersion: policy.version,
      asOf: new Date().toISOString(),
      ratingId: randomUUID(),
      evaluatedAt: new Date().toISOString(),
      changedAt: new Date().toISOString(),
    };
    await t.db.manager.query(
      `INSERT INTO outbox_event (event_id, topic, enterprise_id, sequence, payload, published_at) VALUES ($1, 'rating.changed', $2, $3, $4::jsonb, now())`,
      [event.eventId, enterpriseId, sequence, JSON.stringify(event)],
    );
    return event;
  }

  it('logs one row per delivered message and subscriber with its stated purpose (shared answers too), none for the enterprise itself', async () => {
    const cc = await enterprise();
    const before = await readsOf(cc);
    const stated = subscribe(t.url, SUB, { c: cc }, partner('bank:stated'), { purpose: '  授信复核 / credit review  ' });
    // The same query and rights: the answer is shared, the log is still one row per subscriber.
    const plain = subscribe(t.url, SUB, { c: cc }, partner('bank:plain'));
    const self = subscribe(t.url, SUB, { c: cc }, own(cc));
    try {
      await Promise.all([stated.listening(), plain.listening(), self.listening()]);
      const e1 = await ratingEvent(cc);
      ratingBus.deliver(e1);
      const e2 = await ratingEvent(cc);
      ratingBus.deliver(e2);
      for (const s of [stated, plain, self]) {
        const got = await s.waitFor(2);
        expect(got.map((r) => r.data.ratingChanged.eventId)).toEqual([e1.eventId, e2.eventId]);
      }
      const rows = await eventually(async () => {
        const r = (await readsOf(cc)).slice(before.length);
        expect(r).toHaveLength(4);
        return r;
      });
      const partnerDefault = '联合奖惩（第十八至二十一条） / joint rewards and punishments (Art. 18–21)';
      expect(rows.map((r) => [r.reader_subject, r.reader_role, r.reader_agency, r.grant_id, r.purpose, r.fields]).sort()).toEqual(
        [
          ['bank:plain', 'PARTNER_AGENCY', '承德县水务合作银行', null, partnerDefault, ['ratingChanged']],
          ['bank:plain', 'PARTNER_AGENCY', '承德县水务合作银行', null, partnerDefault, ['ratingChanged']],
          ['bank:stated', 'PARTNER_AGENCY', '承德县水务合作银行', null, '授信复核 / credit review', ['ratingChanged']],
          ['bank:stated', 'PARTNER_AGENCY', '承德县水务合作银行', null, '授信复核 / credit review', ['ratingChanged']],
        ].sort(),
      );
      // The enterprise lists them.
      const listed = await t.gql(
        `query($cc: String!) { enterprise(creditCode: $cc) { resultReads(first: 10) { edges { node { readerSubject readerRole purpose fields } } } } }`,
        { cc },
        own(cc),
      );
      expect(listed.errors).toBeUndefined();
      const nodes = listed.data.enterprise.resultReads.edges.map((x: { node: Record<string, unknown> }) => x.node);
      expect(nodes.filter((n: { fields: string[] }) => n.fields.includes('ratingChanged'))).toHaveLength(4);
      expect(nodes).toContainEqual({
        readerSubject: 'bank:stated',
        readerRole: 'PARTNER_AGENCY',
        purpose: '授信复核 / credit review',
        fields: ['ratingChanged'],
      });
    } finally {
      await Promise.all([stated.dispose(), plain.dispose(), self.dispose()]);
    }
  });

  it(`writes a burst in batches: 2.4 × ${FLUSH_AT} deliveries are 3 INSERTs`, async () => {
    const cc = await enterprise();
    const before = (await readsOf(cc)).length;
    const statements: number[] = [];
    const db = {
      query: (sql: string, params?: unknown[]) => (statements.push((params![0] as unknown[]).length), t.db.manager.query(sql, params)),
    };
    const log = new DeliveryReadLog();
    const e = await ratingEvent(cc);
    const subscribers = Array.from({ length: FLUSH_AT / 5 }, (_, i) => ({
      subject: `bank:${i}`,
      role: 'PARTNER_AGENCY' as const,
      agency: '承德县水务合作银行',
      regions: ['130821'],
    }));
    for (let round = 0; round < 12; round++) for (const p of subscribers) log.note(db, p, e, null, `ws:${p.subject}`);
    // The enterprise itself: nothing.
    log.note(db, { subject: cc, role: 'ENTERPRISE', creditCode: cc, regions: [] }, e, null, 'ws:self');
    await log.flush();
    expect(statements).toEqual([FLUSH_AT, FLUSH_AT, 0.4 * FLUSH_AT]);
    expect((await readsOf(cc)).length - before).toBe(2.4 * FLUSH_AT);
  });

  it('logs a successful webhook delivery of a rating change as a read by the webhook owner', async () => {
    const cc = await enterprise();
    const before = await readsOf(cc);
    const receiver = await startReceiver();
    try {
      receiver.respond = () => ({ status: 200 });
      const e = await ratingEvent(cc);
      const [w] = await t.db.manager.query(
        `INSERT INTO webhook (owner_subject, owner_role, agency, scope_prefixes, url, events, secret)
         VALUES ('bank:hook', 'PARTNER_AGENCY', '承德县水务合作银行', '{130821}', $1, '{rating.changed}', $2) RETURNING id`,
        [receiver.url, newSecret()],
      );
      const [d] = await t.db.manager.query(
        `INSERT INTO webhook_delivery (webhook_id, event_id) SELECT $1, id FROM outbox_event WHERE event_id = $2 RETURNING id`,
        [w.id, e.eventId],
      );
      // A failed attempt is no read.
      receiver.respond = () => ({ status: 500 });
      expect(await attemptDelivery(testContext(testDeps(t.db)), d.id)).toMatchObject({ outcome: 'retry' });
      expect(await readsOf(cc)).toEqual(before);
      await t.db.manager.query(`UPDATE webhook_delivery SET next_attempt_at = now() WHERE id = $1`, [d.id]);
      receiver.respond = () => ({ status: 200 });
      expect(await attemptDelivery(testContext(testDeps(t.db)), d.id)).toMatchObject({ outcome: 'delivered' });
      const rows = (await readsOf(cc)).slice(before.length);
      expect(rows).toEqual([
        {
          reader_subject: 'bank:hook',
          reader_role: 'PARTNER_AGENCY',
          reader_agency: '承德县水务合作银行',
          grant_id: null,
          purpose: '联合奖惩（第十八至二十一条） / joint rewards and punishments (Art. 18–21)',
          fields: ['webhook'],
        },
      ]);
      const listed = await t.gql(
        `query($cc: String!) { enterprise(creditCode: $cc) { resultReads { edges { node { readerSubject fields } } } } }`,
        { cc },
        own(cc),
      );
      expect(listed.data.enterprise.resultReads.edges[0].node).toEqual({ readerSubject: 'bank:hook', fields: ['webhook'] });
    } finally {
      await receiver.close();
    }
  });
});
