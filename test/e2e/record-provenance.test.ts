import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TestHub, codeOf, startTestHub } from '../support/hub';
import { inPeriod } from '../support/policy-time';

/**
 * Issue 9 items 2, 3, 7 over HTTP: a record's provenance and what the public sees of it, the
 * required basis, Art. 9 determinations for enterprises registered elsewhere with their letters
 * (函告), and honors with their awarding body.
 */
let t: TestHub;
let admin: string;
let chengde: string; // county officer of 承德县 (130821), where E is registered
let xinglong: string; // county officer of 兴隆县 (130822), where some conduct happens
let luanping: string; // a third county, 滦平县 (130824)
const code = (n: number, region = '130821') => withCheckChar(`91${region}MA${String(n).padStart(7, '0')}`);
const E = code(1);
const H = code(2);
const H2 = code(3);
const BEIJING = code(4, '110105');

const REGISTER = `mutation($input: EnterpriseInput!, $c: String) { registerEnterprise(input: $input, conductRegionCode: $c) { id creditCode regionCode } }`;
const DISHONESTY = `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) {
  id determinedAt sourceAct sourceDocumentNo conductRegionCode publicSummary description determinedBy
  determiningAuthority { regionCode kind nameZh } } }`;
const RECORD = `query($id: ID!) { creditRecord(id: $id) { id description determinedBy publicSummary conductRegionCode
  determiningAuthority { regionCode kind nameZh } letters { id subject readAt } } }`;
const LETTERS = `query($d: LetterDirection!) { creditLetters(direction: $d) { edges { node { id subject body readAt sentAt
  fromAuthority { regionCode kind nameZh } toAuthority { regionCode nameZh } record { id conductRegionCode } } } } }`;
const HONOR = `mutation($h: HonorInput!) { recordHonor(input: $h) { id honorCategory awardingBody awardingBodyKind awardedByGovernment awardDocumentNo } }`;
const GRADE = `query($c: String!) { enterprise(creditCode: $c) { rating { grade } } }`;

const count = async (table: string) => (await t.db.manager.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
const dishonesty = (extra: Record<string, unknown> = {}) => ({
  creditCode: E,
  indicator: '2.3',
  level: 'GENERAL',
  occurredAt: inPeriod(40),
  basis: '《承德市企业节约用水信用管理实施细则（试行）》第十一条、附件评价指标2.3',
  description: '在线计量设施未与监控平台联网，经现场检查发现，联系人王建国',
  ...extra,
});

beforeAll(async () => {
  t = await startTestHub('provenance');
  admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'], subject: 'admin:test' });
  chengde = t.token('COUNTY_AUTHORITY', { regions: ['130821'], subject: 'officer:130821-07' });
  xinglong = t.token('COUNTY_AUTHORITY', { regions: ['130822'], subject: 'officer:130822-03' });
  luanping = t.token('COUNTY_AUTHORITY', { regions: ['130824'] });
  for (const c of [E, H, H2]) {
    const r = await t.gql(
      REGISTER,
      { input: { creditCode: c, name: `承德县测试企业${c.slice(-4)}有限公司`, regionCode: '130821', legalRepresentative: '王建国' } },
      admin,
    );
    expect(r.errors).toBeUndefined();
  }
});
afterAll(() => t?.stop());

describe('determining a record (认定)', () => {
  it('refuses a missing or blank basis with BAD_USER_INPUT on basis and stores nothing', async () => {
    const before = await count('credit_record');
    for (const basis of [null, '   ']) {
      const r = await t.gql(DISHONESTY, { i: dishonesty({ basis }) }, chengde);
      expect(codeOf(r)).toBe('BAD_USER_INPUT');
      expect(r.errors![0].extensions.field).toBe('basis');
    }
    expect(await count('credit_record')).toBe(before);
  });

  it('refuses a determination date before the conduct or in the future, and a public summary with personal data', async () => {
    const before = await count('credit_record');
    const occurredAt = inPeriod(40);
    const early = await t.gql(
      DISHONESTY,
      { i: dishonesty({ occurredAt, determinedAt: new Date(Date.parse(occurredAt) - 86_400_000).toISOString() }) },
      chengde,
    );
    expect([codeOf(early), early.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'determinedAt']);
    const later = await t.gql(DISHONESTY, { i: dishonesty({ determinedAt: new Date(Date.now() + 3 * 86_400_000).toISOString() }) }, chengde);
    expect([codeOf(later), later.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'determinedAt']);
    const phone = await t.gql(DISHONESTY, { i: dishonesty({ publicSummary: '该企业未联网，联系电话13812341234' }) }, chengde);
    expect([codeOf(phone), phone.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'publicSummary']);
    const name = await t.gql(DISHONESTY, { i: dishonesty({ publicSummary: '法定代表人王建国拒不整改' }) }, chengde);
    expect([codeOf(name), name.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'publicSummary']);
    expect(await count('credit_record')).toBe(before);
  });

  it('stores the provenance; the public sees the authority and the public summary, never the description or the officer', async () => {
    const occurredAt = inPeriod(30);
    const determinedAt = new Date(Math.min(Date.parse(occurredAt) + 2 * 86_400_000, Date.now())).toISOString();
    const r = await t.gql(
      DISHONESTY,
      { i: dishonesty({ occurredAt, determinedAt, sourceAct: 'ADMINISTRATIVE_PENALTY', sourceDocumentNo: '承县水罚〔2026〕12号' }) },
      chengde,
    );
    expect(r.errors).toBeUndefined();
    const rec = r.data.recordDishonesty;
    expect(rec).toMatchObject({
      determinedAt,
      sourceAct: 'ADMINISTRATIVE_PENALTY',
      sourceDocumentNo: '承县水罚〔2026〕12号',
      conductRegionCode: '130821',
      determinedBy: 'officer:130821-07',
      determiningAuthority: { regionCode: '130821', kind: 'COUNTY_WATER_AUTHORITY', nameZh: '承德县水行政主管部门' },
    });
    expect(rec.description).toContain('王建国');
    expect(rec.publicSummary).toMatch(/评价指标 2\.3.*一般失信行为，依据行政处罚认定/);
    expect(rec.publicSummary).not.toContain('王建国');

    const pub = await t.gql(RECORD.replace(' letters { id subject readAt }', ''), { id: rec.id });
    expect(pub.errors).toBeUndefined();
    expect(pub.data.creditRecord).toMatchObject({ description: null, determinedBy: null, publicSummary: rec.publicSummary });
    expect(pub.data.creditRecord.determiningAuthority.nameZh).toBe('承德县水行政主管部门');
    const list = await t.gql(`query($c: String!) { enterprise(creditCode: $c) { creditRecords { id description determinedBy publicSummary } } }`, { c: E });
    expect(list.data.enterprise.creditRecords.find((x: { id: string }) => x.id === rec.id)).toEqual({
      id: rec.id,
      description: null,
      determinedBy: null,
      publicSummary: rec.publicSummary,
    });
    expect(codeOf(await t.gql(`query($id: ID!) { creditRecord(id: $id) { letters { id } } }`, { id: rec.id }))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(RECORD, { id: '00000000-0000-4000-8000-000000000000' }, admin))).toBe('NOT_FOUND');
  });
});

describe('Art. 9: conduct outside the registration region', () => {
  it('lets the conduct region determine, sends a letter, and the registration authority reads both', async () => {
    expect(codeOf(await t.gql(DISHONESTY, { i: dishonesty({ creditCode: H }) }, xinglong))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(DISHONESTY, { i: dishonesty({ creditCode: H, conductRegionCode: '130821' }) }, xinglong))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(DISHONESTY, { i: dishonesty({ creditCode: H, conductRegionCode: '1308' }) }, xinglong))).toBe('BAD_USER_INPUT');
    const lettersBefore = await count('credit_letter');

    const r = await t.gql(
      DISHONESTY,
      { i: dishonesty({ creditCode: H, conductRegionCode: '130822', sourceAct: 'ADMINISTRATIVE_PENALTY', sourceDocumentNo: '兴水罚〔2026〕3号' }) },
      xinglong,
    );
    expect(r.errors).toBeUndefined();
    const rec = r.data.recordDishonesty;
    expect(rec.determiningAuthority).toEqual({ regionCode: '130822', kind: 'COUNTY_WATER_AUTHORITY', nameZh: '兴隆县水行政主管部门' });
    expect(await count('credit_letter')).toBe(lettersBefore + 1);
    const [audit] = await t.db.manager.query(`SELECT outcome, detail FROM audit_log WHERE action = 'recordDishonesty' ORDER BY id DESC LIMIT 1`);
    expect(audit.outcome).toBe('OK');
    expect(audit.detail).toMatchObject({ conductRegionCode: '130822', determiningRegionCode: '130822' });
    expect(audit.detail.letterSent).toBe(true);

    const incoming = await t.gql(LETTERS, { d: 'INCOMING' }, chengde);
    expect(incoming.errors).toBeUndefined();
    const letter = incoming.data.creditLetters.edges.map((e: { node: any }) => e.node).find((l: any) => l.record.id === rec.id);
    expect(letter).toMatchObject({
      subject: `关于承德县测试企业${H.slice(-4)}有限公司失信信息认定情况的函`,
      readAt: null,
      fromAuthority: { regionCode: '130822', kind: 'COUNTY_WATER_AUTHORITY', nameZh: '兴隆县水行政主管部门' },
      toAuthority: { regionCode: '130821', nameZh: '承德县水行政主管部门' },
    });
    expect(letter.body).toContain('兴水罚〔2026〕3号');
    expect(letter.body).not.toMatch(/王建国|officer:/);
    expect((await t.gql(LETTERS, { d: 'OUTGOING' }, xinglong)).data.creditLetters.edges.map((e: any) => e.node.id)).toContain(letter.id);
    expect((await t.gql(LETTERS, { d: 'INCOMING' }, xinglong)).data.creditLetters.edges.map((e: any) => e.node.id)).not.toContain(letter.id);
    expect(codeOf(await t.gql(LETTERS, { d: 'INCOMING' }))).toBe('UNAUTHENTICATED');

    // The registration authority and the determining one read the record with its internal facts; a third county does not.
    const read = await t.gql(RECORD, { id: rec.id }, chengde);
    expect(read.data.creditRecord).toMatchObject({ conductRegionCode: '130822', determinedBy: 'officer:130822-03', letters: [{ id: letter.id }] });
    expect(read.data.creditRecord.description).toContain('在线计量设施');
    expect((await t.gql(RECORD, { id: rec.id }, xinglong)).data.creditRecord.determinedBy).toBe('officer:130822-03');
    expect(codeOf(await t.gql(RECORD, { id: rec.id }, luanping))).toBe('FORBIDDEN');

    // Only the recipient acknowledges; the first reading stays.
    const ACK = `mutation($id: ID!) { acknowledgeCreditLetter(id: $id) { id readAt } }`;
    expect(codeOf(await t.gql(ACK, { id: letter.id }, xinglong))).toBe('FORBIDDEN');
    const ack = await t.gql(ACK, { id: letter.id }, chengde);
    expect(ack.data.acknowledgeCreditLetter.readAt).not.toBeNull();
    expect((await t.gql(ACK, { id: letter.id }, chengde)).data.acknowledgeCreditLetter.readAt).toBe(ack.data.acknowledgeCreditLetter.readAt);
  });

  it('sends no letter for conduct in the registration region', async () => {
    const before = await count('credit_letter');
    expect((await t.gql(DISHONESTY, { i: dishonesty({ creditCode: H2 }) }, chengde)).errors).toBeUndefined();
    expect(await count('credit_letter')).toBe(before);
  });

  it('represents an enterprise registered outside the city when the officer states conduct in its jurisdiction', async () => {
    const input = { creditCode: BEIJING, name: '北京某某水务工程有限公司', regionCode: '110105' };
    expect(codeOf(await t.gql(REGISTER, { input }, xinglong))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(REGISTER, { input, c: '130821' }, xinglong))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(REGISTER, { input, c: '13082' }, xinglong))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.gql(REGISTER, { input: { ...input, regionCode: '1101' }, c: '130822' }, xinglong))).toBe('BAD_USER_INPUT');
    const reg = await t.gql(REGISTER, { input, c: '130822' }, xinglong);
    expect(reg.errors).toBeUndefined();
    expect(reg.data.registerEnterprise.regionCode).toBe('110105');

    const r = await t.gql(DISHONESTY, { i: dishonesty({ creditCode: BEIJING, conductRegionCode: '130822' }) }, xinglong);
    expect(r.errors).toBeUndefined();
    const out = await t.gql(LETTERS, { d: 'OUTGOING' }, xinglong);
    const letter = out.data.creditLetters.edges.map((e: any) => e.node).find((l: any) => l.record.id === r.data.recordDishonesty.id);
    expect(letter.toAuthority).toEqual({ regionCode: '110105', nameZh: '行政区划 110105水行政主管部门' });
    // Minimal scope: the conduct authority reaches the enterprise through its record, not through enterprise(creditCode).
    expect(codeOf(await t.gql(`query($c: String!) { enterprise(creditCode: $c) { id } }`, { c: BEIJING }, xinglong))).toBe('FORBIDDEN');
    const via = await t.gql(`query($id: ID!) { creditRecord(id: $id) { enterprise { creditCode regionCode } } }`, { id: r.data.recordDishonesty.id }, xinglong);
    expect(via.data.creditRecord.enterprise).toEqual({ creditCode: BEIJING, regionCode: '110105' });
  });
});

describe('honors (Art. 10, 14)', () => {
  const honor = (creditCode: string, extra: Record<string, unknown> = {}) => ({
    creditCode,
    title: '承德市节水型企业',
    level: 'MUNICIPAL',
    awardedAt: inPeriod(50),
    ...extra,
  });

  it('derives awardedByGovernment from the awarding body and needs a recognition decision for OTHER_RECOGNISED', async () => {
    const other = await t.gql(HONOR, { h: honor(E, { category: 'OTHER_RECOGNISED' }) }, admin);
    expect([codeOf(other), other.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'recognitionDocumentNo']);
    const gov = await t.gql(
      HONOR,
      {
        h: honor(E, {
          category: 'WATER_SAVING_CARRIER',
          awardingBody: '承德市水务局',
          awardingBodyKind: 'GOVERNMENT_DEPARTMENT',
          awardDocumentNo: '承水字〔2025〕35号',
        }),
      },
      admin,
    );
    expect(gov.data.recordHonor).toMatchObject({ honorCategory: 'WATER_SAVING_CARRIER', awardedByGovernment: true, awardDocumentNo: '承水字〔2025〕35号' });
    const assoc = await t.gql(HONOR, { h: honor(E, { awardingBody: '承德市节约用水协会', awardingBodyKind: 'INDUSTRY_ASSOCIATION' }) }, admin);
    expect(assoc.data.recordHonor.awardedByGovernment).toBe(false);
    const unknown = await t.gql(HONOR, { h: honor(E) }, admin);
    expect(unknown.data.recordHonor).toMatchObject({ honorCategory: null, awardingBody: null, awardedByGovernment: null });
  });

  it('an honor with no awarding body leaves a clean enterprise at B (never assumed to be a government award)', async () => {
    const clean = code(5);
    expect((await t.gql(REGISTER, { input: { creditCode: clean, name: '承德县节水示范有限公司', regionCode: '130821' } }, admin)).errors).toBeUndefined();
    expect((await t.gql(HONOR, { h: honor(clean, { category: 'WATER_SAVING_CARRIER' }) }, admin)).errors).toBeUndefined();
    expect((await t.gql(GRADE, { c: clean }, admin)).data.enterprise.rating.grade).toBe('B');
  });
});
