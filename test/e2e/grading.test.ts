import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TestHub, startTestHub } from '../support/hub';
import { inPeriod } from '../support/policy-time';
import { subscribe } from '../support/ws';

/** Grading over HTTP: Chinese first (Accept-Language, lang), official results only (what-ifs never stored nor counted). */
let t: TestHub;
let admin: string;
const code = (n: number) => withCheckChar(`91130821MA${String(n).padStart(7, '0')}`);
const C1 = code(11);
const W1 = code(12);
const W2 = code(13);
const S1 = code(14);

const RATING = `query($c: String!) { enterprise(creditCode: $c) { rating { id grade official assumedContinuation reasons measures reasonDetails { clause zh en } } } }`;
const DISHONESTY = `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { id } }`;
const EVALUATE = `mutation($c: String!, $at: DateTime) { evaluateEnterprise(creditCode: $c, asOf: $at) { id grade official reasons(lang: EN) } }`;
const count = async () => (await t.db.manager.query(`SELECT count(*)::int AS n FROM credit_rating`))[0].n as number;

beforeAll(async () => {
  t = await startTestHub('grading');
  admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'], subject: 'admin:test' });
  for (const c of [C1, W1, W2, S1]) {
    const r = await t.gql(
      `mutation($i: EnterpriseInput!) { registerEnterprise(input: $i) { id } }`,
      {
        i: { creditCode: c, name: `评级企业${c.slice(-4)}`, regionCode: '130821' },
      },
      admin,
    );
    expect(r.errors).toBeUndefined();
  }
  const r = await t.gql(DISHONESTY, { i: { creditCode: C1, indicator: '1.1', level: 'GENERAL', occurredAt: inPeriod(30), basis: '第十一条' } }, admin);
  expect(r.errors).toBeUndefined();
});
afterAll(() => t?.stop());

describe('Chinese first', () => {
  it('reasons and measures are Chinese by default, citing the clause the Chinese way', async () => {
    const rating = (await t.gql(RATING, { c: C1 }, admin)).data.enterprise.rating;
    expect(rating.grade).toBe('C');
    expect(rating.reasons[0]).toMatch(/^C级：.*（第十六条第（一）项）$/);
    expect(rating.measures[0]).toBe('采取提醒、批评教育、责令整改等手段督促节水信用管理对象停止违法行为，限期整改，修复信用；');
    expect(rating.reasonDetails[0]).toEqual({ clause: '第十六条第（一）项', zh: rating.reasons[0], en: expect.stringMatching(/— Art\. 16\(1\)$/) });
  });

  it('Accept-Language preferring English gives English; zh first or q-values preferring zh stay Chinese', async () => {
    const en = (await t.gql(RATING, { c: C1 }, admin, { 'accept-language': 'en-US,en;q=0.9,zh-CN;q=0.5' })).data.enterprise.rating;
    expect(en.reasons[0]).toMatch(/^C: .* — Art\. 16\(1\)$/);
    expect(en.measures[0]).toMatch(/^Reminders, criticism and education/);
    const zh = (await t.gql(RATING, { c: C1 }, admin, { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' })).data.enterprise.rating;
    expect(zh.reasons[0]).toMatch(/^C级/);
  });

  it('a lang argument wins over the header', async () => {
    const q = `query($c: String!) { enterprise(creditCode: $c) { rating { reasons(lang: EN) measures(lang: ZH) } } }`;
    const r = (await t.gql(q, { c: C1 }, admin, { 'accept-language': 'zh-CN' })).data.enterprise.rating;
    expect(r.reasons[0]).toMatch(/^C: /);
    expect(r.measures[0]).toMatch(/^采取提醒/);
  });

  it('over graphql-ws the language comes from connectionParams (default Chinese)', async () => {
    const q = `subscription($c: String) { ratingChanged(creditCode: $c) { grade rating { reasons } } }`;
    // a partner agency: subscribers with the same rights share one execution per event, but never across languages
    const partner = t.token('PARTNER_AGENCY', { regions: ['130821'], agency: '承德市行政审批局', subject: 'partner:test' });
    const zh = subscribe(t.url, q, { c: S1 }, partner);
    const en = subscribe(t.url, q, { c: S1 }, partner, { lang: 'EN' });
    try {
      await Promise.all([zh.listening(), en.listening()]);
      const r = await t.gql(DISHONESTY, { i: { creditCode: S1, indicator: '5.1', level: 'GENERAL', occurredAt: inPeriod(5), basis: '第十一条' } }, admin);
      expect(r.errors).toBeUndefined();
      const [[a], [b]] = await Promise.all([zh.waitFor(1), en.waitFor(1)]);
      expect(a.data.ratingChanged.rating.reasons[0]).toMatch(/^C级/);
      expect(b.data.ratingChanged.rating.reasons[0]).toMatch(/^C: /);
    } finally {
      await Promise.all([zh.dispose(), en.dispose()]);
    }
  });

  it('the policy query gives measures and notes in the requested language', async () => {
    const q = `{ creditPolicy { measures { grade measures } notes } }`;
    const zh = (await t.gql(q)).data.creditPolicy;
    expect(zh.measures.find((m: any) => m.grade === 'D').measures[3]).toBe('限制参加政府组织的节约用水表彰奖励活动；');
    expect(zh.notes.join('\n')).toContain('第十七条第（一）项');
    const en = (await t.gql(q, {}, undefined, { 'accept-language': 'en' })).data.creditPolicy;
    expect(en.notes.join('\n')).toContain('Art. 17(1)');
    expect(en.notes.join('\n')).not.toContain('Art. 15(1)');
  });
});

describe('official results only', () => {
  it('an evaluation at a past date is a what-if: returned, not stored, not current', async () => {
    const current = (await t.gql(RATING, { c: W1 }, admin)).data.enterprise.rating;
    const before = await count();
    const r = await t.gql(EVALUATE, { c: W1, at: inPeriod(40) }, admin);
    expect(r.errors).toBeUndefined();
    expect(r.data.evaluateEnterprise).toEqual(expect.objectContaining({ grade: 'B', official: false }));
    expect(r.data.evaluateEnterprise.id).toMatch(/^what-if:/);
    expect(await count()).toBe(before);
    expect((await t.gql(RATING, { c: W1 }, admin)).data.enterprise.rating?.id ?? null).toBe(current?.id ?? null);
  });

  it('an evaluation now is official and stored', async () => {
    const before = await count();
    const r = await t.gql(EVALUATE, { c: W1 }, admin);
    expect(r.data.evaluateEnterprise.official).toBe(true);
    expect(await count()).toBe(before + 1);
    expect((await t.gql(RATING, { c: W1 }, admin)).data.enterprise.rating.id).toBe(r.data.evaluateEnterprise.id);
  });

  it('a D seen in a what-if is no D episode: repairing the record later is no "graded D once" (Art. 16(2))', async () => {
    // a severe record entered on paper (no re-grade), then a what-if at a past date shows D
    const [{ id: eid }] = await t.db.manager.query(`SELECT id FROM enterprise WHERE credit_code = $1`, [W2]);
    const [{ id: rid }] = await t.db.manager.query(
      `INSERT INTO credit_record (enterprise_id, kind, indicator, level, occurred_at, determined_by, basis, determined_at, conduct_region_code, determining_region_code, determining_authority_kind)
       SELECT $1, 'DISHONESTY', '2.2', 'SEVERE', $2, 'test', '第十一条', $2, region_code, region_code, 'COUNTY_WATER_AUTHORITY' FROM enterprise WHERE id = $1 RETURNING id`,
      [eid, inPeriod(30)],
    );
    const whatIf = await t.gql(EVALUATE, { c: W2, at: inPeriod(20) }, admin);
    expect(whatIf.data.evaluateEnterprise).toEqual(expect.objectContaining({ grade: 'D', official: false }));
    const r = await t.gql(
      `mutation($id: ID!) { setCreditRecordStatus(id: $id, status: REPAIRED, reason: "整改完成，信用修复") { status } }`,
      { id: rid },
      admin,
    );
    expect(r.errors).toBeUndefined();
    const q = `query($c: String!) { enterprise(creditCode: $c) { rating { grade reasonDetails { clause } } ratingHistory { grade } } }`;
    const after = (await t.gql(q, { c: W2 }, admin)).data.enterprise;
    expect(after.rating.grade).toBe('C');
    expect(after.rating.reasonDetails.map((x: any) => x.clause)).not.toContain('第十六条第（二）项');
    expect(after.ratingHistory.map((h: any) => h.grade)).not.toContain('D');
  });
});
