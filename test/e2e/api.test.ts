import { getIntrospectionQuery } from 'graphql';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TestHub, codeOf, startTestHub } from '../support/hub';
import { fromNow, inPeriod, policyNow, testPolicies } from '../support/policy-time';

/** End to end over HTTP: registration, records, grading, access, masking, audit. */
let t: TestHub;
let admin: string;
const code = (n: number, region = '130821') => withCheckChar(`91${region}MA${String(n).padStart(7, '0')}`);
const A = code(1);
const B = code(2);
const OTHER_COUNTY = code(3, '130822');

const REGISTER = `mutation($input: EnterpriseInput!, $o: Boolean) { registerEnterprise(input: $input, overrideCheckCharacter: $o) { id creditCode regionCode checkOverride } }`;
const RATING = `query($c: String!) { enterprise(creditCode: $c) { rating { grade score policyVersion reasons(lang: EN) measures(lang: EN) indicators { code score records { id level } } } } }`;
const DISHONESTY = `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { id status indicator level } }`;

beforeAll(async () => {
  t = await startTestHub('api');
  admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'], subject: 'admin:test' });
  for (const [c, region] of [
    [A, '130821'],
    [B, '130821'],
    [OTHER_COUNTY, '130822'],
  ]) {
    const r = await t.gql(
      REGISTER,
      {
        input: {
          creditCode: c,
          name: `测试企业${c.slice(-4)}`,
          regionCode: region,
          industry: '食品加工',
          legalRepresentative: '王建国',
          contactPhone: '13812341234',
          legalRepresentativeIdNumber: '130821199001011234',
        },
      },
      admin,
    );
    expect(r.errors).toBeUndefined();
  }
});
afterAll(() => t?.stop());

describe('registration and bad input', () => {
  it('names the expected check character', async () => {
    const bad = A.slice(0, 17) + (A[17] === '0' ? '1' : '0');
    const r = await t.gql(REGISTER, { input: { creditCode: bad, name: 'x', regionCode: '130821' } }, admin);
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toContain(`expected '${A[17]}'`);
  });
  it('lets a provincial authority register an early pilot code with an explicit override, not a county officer', async () => {
    const pilot = code(9).slice(0, 17) + (code(9)[17] === '0' ? '1' : '0');
    const county = t.token('COUNTY_AUTHORITY', { regions: ['130821'] });
    expect(codeOf(await t.gql(REGISTER, { input: { creditCode: pilot, name: '试点企业', regionCode: '130821' }, o: true }, county))).toBe('FORBIDDEN');
    const r = await t.gql(REGISTER, { input: { creditCode: pilot, name: '试点企业', regionCode: '130821' }, o: true }, admin);
    expect(r.data.registerEnterprise.checkOverride).toBe(true);
    const audit = await t.db.manager.query(`SELECT actor, outcome, detail FROM audit_log WHERE action = 'registerEnterprise' AND target_id = $1 ORDER BY id`, [
      pilot,
    ]);
    expect(audit.map((a: any) => a.outcome)).toEqual(['FORBIDDEN', 'OK']);
    expect(audit[1].detail.overrideCheckCharacter).toBe(true);
  });
  it('refuses a malformed region code and a duplicate enterprise', async () => {
    expect(codeOf(await t.gql(REGISTER, { input: { creditCode: code(20), name: 'x', regionCode: '13082' } }, admin))).toBe('BAD_USER_INPUT');
    const dup = await t.gql(REGISTER, { input: { creditCode: A, name: 'again', regionCode: '130821' } }, admin);
    expect(codeOf(dup)).toBe('BAD_USER_INPUT');
    expect(dup.errors![0].message).toMatch(/already registered/);
  });
  it('anonymous callers cannot write', async () => {
    const r = await t.gql(REGISTER, { input: { creditCode: code(21), name: 'x', regionCode: '130821' } });
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  });
  it('a bad token is UNAUTHENTICATED with HTTP 401', async () => {
    const r = await t.gql(`{ creditPolicies { version } }`, {}, 'not-a-token');
    expect(r.status).toBe(401);
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  });
});

describe('credit records re-grade the enterprise', () => {
  it('an unknown indicator, a missing level and an unknown code are refused and nothing is written', async () => {
    const base = { creditCode: A, occurredAt: inPeriod(30), basis: '第十一条' };
    expect(codeOf(await t.gql(DISHONESTY, { i: { ...base, indicator: '9.9', level: 'GENERAL' } }, admin))).toBe('BAD_USER_INPUT');
    const severe31 = await t.gql(DISHONESTY, { i: { ...base, indicator: '3.1', level: 'SEVERE' } }, admin);
    expect(codeOf(severe31)).toBe('BAD_USER_INPUT');
    expect(severe31.errors![0].message).toMatch(/3\.1 has no severe level/);
    expect(codeOf(await t.gql(DISHONESTY, { i: { ...base, creditCode: code(99), indicator: '1.1', level: 'GENERAL' } }, admin))).toBe('NOT_FOUND');
    const [{ n }] = await t.db.manager.query(`SELECT count(*)::int AS n FROM credit_record`);
    expect(n).toBe(0);
  });

  it('a general record grades C with 980 under the policy in force today', async () => {
    const r = await t.gql(DISHONESTY, { i: { creditCode: A, indicator: '2.3', level: 'GENERAL', occurredAt: inPeriod(30), basis: '第十一条' } }, admin);
    expect(r.errors).toBeUndefined();
    const rating = (await t.gql(RATING, { c: A }, admin)).data.enterprise.rating;
    expect(rating).toEqual(expect.objectContaining({ grade: 'C', score: 980, policyVersion: policyNow().version }));
    const ind = rating.indicators.find((i: any) => i.code === '2.3');
    expect(ind).toEqual({ code: '2.3', score: 80, records: [{ id: r.data.recordDishonesty.id, level: 'GENERAL' }] });
    expect(rating.reasons[0]).toMatch(/Art\. 16/);
  });

  it('a municipal honor grades a clean enterprise A', async () => {
    const r = await t.gql(
      `mutation { recordHonor(input: { creditCode: "${B}", title: "节水型企业", level: MUNICIPAL, awardedAt: "${inPeriod(60)}", category: WATER_SAVING_CARRIER, awardingBody: "承德市水务局", awardingBodyKind: GOVERNMENT_DEPARTMENT }) { id kind honorLevel awardedByGovernment } }`,
      {},
      admin,
    );
    expect(r.errors).toBeUndefined();
    expect((await t.gql(RATING, { c: B }, admin)).data.enterprise.rating.grade).toBe('A');
  });

  it('revoking the permit grades D; a second revocation is refused', async () => {
    await t.gql(
      `mutation { registerPermit(input: { creditCode: "${B}", permitNo: "取水(冀承)字[2024]第0001号", validFrom: "${fromNow(-3 * 365)}", validTo: "${fromNow(3 * 365)}", annualQuota: 120000 }) { id } }`,
      {},
      admin,
    );
    const rev = `mutation { revokePermit(permitNo: "取水(冀承)字[2024]第0001号", revokedAt: "${inPeriod(20)}", reason: "擅自转让取水权") { revokedAt } }`;
    expect((await t.gql(rev, {}, admin)).errors).toBeUndefined();
    const rating = (await t.gql(RATING, { c: B }, admin)).data.enterprise.rating;
    expect(rating.grade).toBe('D');
    expect(rating.reasons.join(' ')).toMatch(/revoked/);
    expect(codeOf(await t.gql(rev, {}, admin))).toBe('BAD_USER_INPUT');
  });

  it('a D repaired once becomes C (Art. 16(2)), and the history keeps every grade', async () => {
    const severe = await t.gql(DISHONESTY, { i: { creditCode: A, indicator: '2.2', level: 'SEVERE', occurredAt: inPeriod(29), basis: '第十一条' } }, admin);
    expect((await t.gql(RATING, { c: A }, admin)).data.enterprise.rating.grade).toBe('D');
    const id = severe.data.recordDishonesty.id;
    const r = await t.gql(`mutation($id: ID!) { setCreditRecordStatus(id: $id, status: REPAIRED, reason: "整改完成，信用修复") { status } }`, { id }, admin);
    expect(r.errors).toBeUndefined();
    const after = await t.gql(
      `query($c: String!) { enterprise(creditCode: $c) { rating { grade reasons(lang: EN) } ratingHistory { grade } } }`,
      { c: A },
      admin,
    );
    expect(after.data.enterprise.rating.grade).toBe('C');
    expect(after.data.enterprise.rating.reasons.join(' ')).toMatch(/graded D once/);
    expect(after.data.enterprise.ratingHistory.map((h: any) => h.grade)).toEqual(['C', 'D', 'C']);
  });

  it('evaluateEnterprise for a past date applies and names the 2023 policy', async () => {
    const r = await t.gql(
      `mutation($c: String!) { evaluateEnterprise(creditCode: $c, asOf: "2025-06-30T00:00:00+08:00") { grade policyVersion asOf } }`,
      { c: OTHER_COUNTY },
      admin,
    );
    expect(r.data.evaluateEnterprise).toEqual({ grade: 'B', policyVersion: 'chengde-2023', asOf: '2025-06-29T16:00:00.000Z' });
    const before = await t.gql(
      `mutation($c: String!) { evaluateEnterprise(creditCode: $c, asOf: "2020-01-01T00:00:00+08:00") { grade } }`,
      { c: OTHER_COUNTY },
      admin,
    );
    expect(codeOf(before)).toBe('BAD_USER_INPUT');
  });
});

describe('access, masking and audit', () => {
  const PERSON = `query($c: String!) { enterprise(creditCode: $c) { legalRepresentative contactPhone legalRepresentativeIdNumber } }`;

  it('masks personal data for the public and shows it to the supervising authority, auditing the read', async () => {
    const pub = await t.gql(PERSON, { c: A });
    expect(pub.data.enterprise).toEqual({ legalRepresentative: '王**', contactPhone: '138****1234', legalRepresentativeIdNumber: '130821********1234' });
    const county = t.token('COUNTY_AUTHORITY', { regions: ['130821'], subject: 'officer:130821-01' });
    const clear = await t.gql(PERSON, { c: A }, county);
    expect(clear.data.enterprise.contactPhone).toBe('13812341234');
    const [row] = await t.db.manager.query(`SELECT actor, detail FROM audit_log WHERE action = 'readPersonalData' ORDER BY id DESC LIMIT 1`);
    expect(row.actor).toBe('officer:130821-01');
    expect(JSON.stringify(row)).not.toContain('13812341234');
  });

  it('an authority sees only its jurisdiction; an enterprise only itself', async () => {
    const county = t.token('COUNTY_AUTHORITY', { regions: ['130822'] });
    expect(codeOf(await t.gql(PERSON, { c: A }, county))).toBe('FORBIDDEN');
    const list = await t.gql(`{ enterprises(first: 50) { totalCount edges { node { creditCode } } } }`, {}, county);
    expect(list.data.enterprises.edges.map((e: any) => e.node.creditCode)).toEqual([OTHER_COUNTY]);
    const self = t.token('ENTERPRISE', { creditCode: A });
    const mine = await t.gql(`{ enterprises { totalCount edges { node { creditCode meters { meterCode } } } } }`, {}, self);
    expect(mine.data.enterprises.totalCount).toBe(1);
    expect(codeOf(await t.gql(PERSON, { c: B }, self))).toBe('FORBIDDEN');
  });

  it('the public cannot read meters', async () => {
    expect(codeOf(await t.gql(`query($c: String!) { enterprise(creditCode: $c) { meters { meterCode } } }`, { c: A }))).toBe('FORBIDDEN');
  });

  it('the audit log refuses UPDATE and DELETE and never holds personal data', async () => {
    await expect(t.db.manager.query(`UPDATE audit_log SET outcome = 'X'`)).rejects.toThrow(/append-only/);
    await expect(t.db.manager.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    const all = JSON.stringify(await t.db.manager.query(`SELECT * FROM audit_log`));
    expect(all).not.toMatch(/13812341234|王建国|130821199001011234/);
    expect(all).toContain('recordDishonesty');
  });
});

describe('the schema', () => {
  it('serves the credit policies as data', async () => {
    const r = await t.gql(`{ creditPolicies { version assumedContinuation indicators { code severe } } }`);
    // The shipped two (and, once they have ended, the suite's continuation: see testPolicies).
    expect(r.data.creditPolicies.map((p: any) => p.version)).toEqual(testPolicies().map((p) => p.version));
    expect(r.data.creditPolicies.slice(0, 2).map((p: any) => p.version)).toEqual(['chengde-2023', 'chengde-2025-assumed']);
    expect(r.data.creditPolicies[0].indicators.find((i: any) => i.code === '4.1').severe).toBeNull();
    // Art. 24's unrepairable conditions, each with its legal basis, Chinese first.
    const u = await t.gql(`{ creditPolicies { unrepairable { code basisContains legalBasis en: legalBasis(lang: EN) } } }`);
    expect(u.errors).toBeUndefined();
    expect(u.data.creditPolicies[0].unrepairable[0]).toMatchObject({ code: 'LAW_SAYS_UNREPAIRABLE', basisContains: expect.arrayContaining(['不可修复']) });
    expect(u.data.creditPolicies[0].unrepairable[0].legalBasis).toMatch(/第二十四条/);
    expect(u.data.creditPolicies[0].unrepairable[0].en).toMatch(/Art\. 24/);
  });
  it('credit repair of an unknown record is NOT_FOUND (the operations are implemented)', async () => {
    const r = await t.gql(`mutation { submitCreditRepair(recordId: "00000000-0000-0000-0000-000000000000", statement: "x") { id } }`, {}, admin);
    expect(codeOf(r)).toBe('NOT_FOUND');
    const bad = await t.gql(`mutation { confirmCreditRepair(id: "not-a-uuid") { id } }`, {}, admin);
    expect(codeOf(bad)).toBe('NOT_FOUND');
  });
  it('/health is 200 once ready', async () => {
    const res = await fetch(`${t.url}/health`);
    expect(res.status).toBe(200);
    expect((await fetch(`${t.url}/metrics`)).status).toBe(200);
  });
});

describe('operation limits (graphql-armor)', () => {
  it('lets the IDE introspect the schema', async () => {
    const r = await t.gql(getIntrospectionQuery());
    expect(r.errors).toBeUndefined();
    expect(r.data.__schema.queryType.name).toBe('Query');
  });
  it('refuses an operation nested deeper than 12 levels, with a code', async () => {
    let q = 'id';
    for (let i = 0; i < 7; i++) q = `enterprise { permits { ${q} } }`;
    const r = await t.gql(`query($c: String!) { enterprise(creditCode: $c) { permits { ${q} } } }`, { c: A }, admin);
    expect(r.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors![0].message).toMatch(/depth/i);
  });
});
