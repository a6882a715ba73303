import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TestHub, codeOf, startTestHub } from '../support/hub';
import { fromNow, inPeriod } from '../support/policy-time';

/** Who may do what, and what stays consistent under concurrent changes. */
let t: TestHub;
let admin: string;
const code = (n: number, region = '130821') => withCheckChar(`91${region}MB${String(n).padStart(7, '0')}`);
const E = code(1);
const F = code(2);
const G = code(3);
const DISHONESTY = `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { id } }`;
const occurredAt = inPeriod(30);

beforeAll(async () => {
  t = await startTestHub('access');
  admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'] });
  for (const c of [E, F, G]) {
    const r = await t.gql(
      `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: "130821", contactPhone: "13912345678", legalRepresentative: "李明" }) { id } }`,
      { c },
      admin,
    );
    expect(r.errors).toBeUndefined();
  }
  await t.gql(
    `mutation { registerPermit(input: { creditCode: "${E}", permitNo: "P-E-1", validFrom: "${fromNow(-3 * 365)}", validTo: "${fromNow(3 * 365)}", annualQuota: 1000 }) { id } }`,
    {},
    admin,
  );
});
afterAll(() => t?.stop());

describe('writes are refused outside jurisdiction and role', () => {
  it('an authority of another county, the credit authority and a partner agency get FORBIDDEN and write nothing', async () => {
    const other = t.token('COUNTY_AUTHORITY', { regions: ['130822'] });
    const credit = t.token('CREDIT_AUTHORITY');
    const partner = t.token('PARTNER_AGENCY', { agency: '行政审批局' });
    const input = { creditCode: E, indicator: '1.1', level: 'GENERAL', occurredAt, basis: '第十一条' };
    for (const token of [other, credit, partner]) expect(codeOf(await t.gql(DISHONESTY, { i: input }, token))).toBe('FORBIDDEN');
    const rev = `mutation { revokePermit(permitNo: "P-E-1", revokedAt: "${inPeriod(34)}", reason: "x") { id } }`;
    expect(codeOf(await t.gql(rev, {}, other))).toBe('FORBIDDEN');
    const [{ n }] = await t.db.manager.query(`SELECT count(*)::int AS n FROM credit_record`);
    expect(n).toBe(0);
    const [{ revoked }] = await t.db.manager.query(`SELECT count(*)::int AS revoked FROM water_permit WHERE revoked_at IS NOT NULL`);
    expect(revoked).toBe(0);
  });

  it('a duplicate permit is BAD_USER_INPUT', async () => {
    const r = await t.gql(
      `mutation { registerPermit(input: { creditCode: "${F}", permitNo: "P-E-1", validFrom: "${fromNow(-3 * 365)}", validTo: "${fromNow(3 * 365)}", annualQuota: 1 }) { id } }`,
      {},
      admin,
    );
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/already registered/);
  });

  it('a mutation refused by validation is audited with its code', async () => {
    const r = await t.gql(
      `mutation { recordDishonesty(input: { creditCode: "${F}", indicator: "1.1", level: HUGE, occurredAt: "${occurredAt}", basis: "第十一条" }) { id } }`,
      {},
      admin,
    );
    expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    const [row] = await t.db.manager.query(`SELECT outcome, target_id FROM audit_log WHERE action = 'recordDishonesty' ORDER BY id DESC LIMIT 1`);
    expect(row).toEqual({ outcome: 'GRAPHQL_VALIDATION_FAILED', target_id: F });
  });
});

describe('what each role reads', () => {
  it('the credit authority and partner agencies see personal data masked', async () => {
    const q = `query($c: String!) { enterprise(creditCode: $c) { contactPhone legalRepresentative } }`;
    for (const token of [t.token('CREDIT_AUTHORITY'), t.token('PARTNER_AGENCY', { agency: '工信局' })]) {
      const r = await t.gql(q, { c: E }, token);
      expect(r.data.enterprise).toEqual({ contactPhone: '139****5678', legalRepresentative: '李*' });
    }
  });

  it('evaluation results are not public (Art. 23); partner agencies see them', async () => {
    const q = `query($c: String!) { enterprise(creditCode: $c) { rating { grade } } }`;
    await t.gql(`mutation { evaluateEnterprise(creditCode: "${E}") { grade } }`, {}, admin);
    expect(codeOf(await t.gql(q, { c: E }))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(`{ enterprises(grade: B) { edges { cursor } } }`))).toBe('FORBIDDEN');
    const partner = await t.gql(q, { c: E }, t.token('PARTNER_AGENCY', { agency: '工信局' }));
    expect(partner.data.enterprise.rating.grade).toBe('B');
  });

  it('revoked and repaired records are hidden from the public and partners, also behind a rating', async () => {
    const rec = await t.gql(DISHONESTY, { i: { creditCode: G, indicator: '2.1', level: 'GENERAL', occurredAt, basis: '第十一条' } }, admin);
    const id = rec.data.recordDishonesty.id;
    await t.gql(`mutation($id: ID!) { setCreditRecordStatus(id: $id, status: REVOKED, reason: "异议成立") { status } }`, { id }, admin);
    const pub = await t.gql(`query($c: String!) { enterprise(creditCode: $c) { creditRecords { id } } }`, { c: G });
    expect(pub.data.enterprise.creditRecords).toEqual([]);
    const partner = t.token('PARTNER_AGENCY', { agency: '工信局' });
    const hist = await t.gql(
      `query($c: String!) { enterprise(creditCode: $c) { ratingHistory { grade indicators { code records { id status } } } } }`,
      { c: G },
      partner,
    );
    const shown = hist.data.enterprise.ratingHistory.flatMap((h: any) => h.indicators.flatMap((i: any) => i.records));
    expect(shown).toEqual([]);
    const [audit] = await t.db.manager.query(`SELECT target_type, target_id FROM audit_log WHERE action = 'setCreditRecordStatus' ORDER BY id DESC LIMIT 1`);
    expect(audit).toEqual({ target_type: 'credit_record', target_id: id });
  });

  it('a malformed cursor is BAD_USER_INPUT', async () => {
    expect(codeOf(await t.gql(`{ enterprises(after: "bm9wZQ") { totalCount } }`, {}, admin))).toBe('BAD_USER_INPUT');
  });
});

describe('consistency', () => {
  it('a second change in the same operation sees the first (loaders are fresh after each write)', async () => {
    const r = await t.gql(
      `mutation($a: DishonestyInput!, $b: DishonestyInput!) {
        a: recordDishonesty(input: $a) { enterprise { rating { grade score } } }
        b: recordDishonesty(input: $b) { enterprise { rating { grade score } } } }`,
      {
        a: { creditCode: F, indicator: '1.1', level: 'GENERAL', occurredAt, basis: '第十一条' },
        b: { creditCode: F, indicator: '1.2', level: 'SEVERE', occurredAt, basis: '第十一条' },
      },
      admin,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.a.enterprise.rating).toEqual({ grade: 'C', score: 980 });
    expect(r.data.b.enterprise.rating).toEqual({ grade: 'D', score: 880 });
  });

  it('concurrent status changes of one enterprise leave a current rating that counts all of them', async () => {
    const ids: string[] = [];
    for (const ind of ['1.1', '1.2', '1.3', '2.1', '2.2'])
      ids.push(
        (await t.gql(DISHONESTY, { i: { creditCode: E, indicator: ind, level: 'SERIOUS', occurredAt, basis: '第十一条' } }, admin)).data.recordDishonesty.id,
      );
    await Promise.all(
      ids.map((id) => t.gql(`mutation($id: ID!) { setCreditRecordStatus(id: $id, status: REVOKED, reason: "异议成立") { status } }`, { id }, admin)),
    );
    const r = await t.gql(`query($c: String!) { enterprise(creditCode: $c) { rating { grade score } } }`, { c: E }, admin);
    expect(r.data.enterprise.rating).toEqual({ grade: 'B', score: 1000 });
  });
});
