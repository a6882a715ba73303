import { GraphQLSchema, execute, parse } from 'graphql';
import { HubContext, createContext } from '../../src/modules/context';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { enterpriseService } from '../../src/modules/enterprise/enterprise.service';
import { ratingService } from '../../src/modules/rating/rating.service';
import { candidateService } from '../../src/modules/candidate/candidate.service';
import { tipRateLimit, tipService } from '../../src/modules/tip/tip.service';
import { workSources } from '../../src/modules/worklist/work-source';
import { calendarSource, officiallyCovered, workingDayDeadline } from '../../src/modules/calendar/working-days.rules';
import { chinaDateString, chinaYear } from '../../src/platform/china-time';
import { calendarService } from '../../src/modules/calendar/calendar.service';
import { hubSchema } from '../../src/schema';
import { findCandidate } from '../../src/modules/candidate/candidate.repository';
import { requireFound } from '../../src/platform/checks';
import { PUBLIC_PRINCIPAL, Principal } from '../../src/platform/auth/principal';
import { Database } from '../../src/platform/db';
import { testContext, testDeps } from '../support/context';
import { testDatabase } from '../support/hub';
import { inPeriod, policyNow, testPolicies } from '../support/policy-time';

/** Issue 10 item 5 (second half) on Postgres: tips (线索, Art. 8) from the six kinds of source. */
const policy = policyNow();
const indicator = policy.indicators.find((i) => i.levels.GENERAL !== undefined)!;
const ago = (daysAgo: number) => new Date(inPeriod(daysAgo));

let db: Database;
let drop: () => Promise<void>;
let schema: GraphQLSchema;
let admin: HubContext;
let seq = 0;
let addr = 0;

const as = (p: Principal, clientAddress = `10.1.0.${++addr}`) =>
  createContext(testDeps(db, { policies: testPolicies() }), { principal: p, requestId: 'test', clientAddress });
const anyone = (clientAddress?: string) => as(PUBLIC_PRINCIPAL, clientAddress);
const county = () => as({ subject: 'officer:130821', role: 'COUNTY_AUTHORITY', regions: ['130821'] });
const otherCounty = () => as({ subject: 'officer:130822', role: 'COUNTY_AUTHORITY', regions: ['130822'] });
const partner = () => as({ subject: 'partner:bank', role: 'PARTNER_AGENCY', regions: [] });
const creditAuthority = () => as({ subject: 'credit', role: 'CREDIT_AUTHORITY', regions: ['130821'] });

async function gql(ctx: HubContext, query: string, variableValues: Record<string, unknown> = {}) {
  const r = await execute({ schema, document: parse(query), variableValues, contextValue: ctx });
  return r as { data?: Record<string, any> | null; errors?: readonly { message: string; extensions: Record<string, unknown> }[] };
}

async function enterprise(): Promise<string> {
  const creditCode = withCheckChar(`91130821XT${String(++seq).padStart(7, '0')}`);
  await enterpriseService.register(admin, { creditCode, name: `承德县线索测试企业${seq}`, regionCode: '130821' });
  await ratingService.evaluate(admin, creditCode); // a first grade to compare with
  return creditCode;
}

const SUBMIT = `mutation($input: TipInput!) { submitTip(input: $input) { receiptNo receivedAt due { dueDate provisional } } }`;
const LIST = `{ tips(status: RECEIVED, first: 100) { totalCount edges { node { id sourceKind content status tipster { name organisation contact } due { dueDate } enterprise { creditCode } } } } }`;
const VERIFY = `mutation($id: ID!, $o: TipOutcome!, $c: VerifyTipInput, $at: DateTime) {
  verifyTip(id: $id, outcome: $o, note: "经现场核查，线索属实", confirmation: $c, at: $at) { status candidateId indicator verifiedAt } }`;

async function submit(cc: string, extra: Record<string, unknown> = {}, ctx = anyone()) {
  const r = await gql(ctx, SUBMIT, {
    input: {
      sourceKind: 'FINANCIAL_INSTITUTION',
      creditCode: cc,
      content: '该企业夜间私自取水，未计量',
      tipsterName: '王五',
      tipsterOrganisation: '承德某银行',
      tipsterContact: '13700002222',
      ...extra,
    },
  });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.submitTip as { receiptNo: string; receivedAt: string; due: { dueDate: string; provisional: boolean } };
}

async function idOf(receiptNo: string): Promise<string> {
  const [row] = await admin.db.query(`SELECT id FROM tip WHERE receipt_no = $1`, [receiptNo]);
  return row.id;
}

const counts = async () =>
  (
    await admin.db.query(
      `SELECT (SELECT count(*)::int FROM tip) AS tips, (SELECT count(*)::int FROM candidate_violation) AS candidates, (SELECT count(*)::int FROM credit_record) AS records`,
    )
  )[0];

const grade = async (cc: string) =>
  (
    await admin.db.query(`SELECT r.id, r.score, r.grade FROM enterprise e JOIN credit_rating r ON r.id = e.current_rating_id WHERE e.credit_code = $1`, [cc])
  )[0];

beforeAll(async () => {
  ({ db, drop } = await testDatabase('tip'));
  admin = testContext(testDeps(db, { policies: testPolicies() }));
  schema = await hubSchema();
});
beforeEach(() => tipRateLimit.reset());
afterAll(async () => {
  await drop?.();
});

describe('tips (Art. 8)', () => {
  it('an anonymous citizen tip gets a receipt due 7 working days later, followed by the receipt number', async () => {
    const cc = await enterprise();
    const receipt = await submit(cc, { sourceKind: 'CITIZEN', tipsterName: null, tipsterOrganisation: null, tipsterContact: null });
    expect(receipt.receiptNo).toMatch(/^XS\d{8}[A-HJ-NP-Z2-9]{12}$/);
    expect(receipt.due).toEqual(workingDayDeadline(new Date(receipt.receivedAt), 7, calendarSource()));
    const s = await gql(anyone(), `query($n: String!) { tipStatus(receiptNo: $n) { receiptNo status due { dueDate provisional } } }`, { n: receipt.receiptNo });
    expect(s.data!.tipStatus).toEqual({ receiptNo: receipt.receiptNo, status: 'RECEIVED', due: receipt.due });
    const unknown = await gql(anyone(), `{ tipStatus(receiptNo: "XS20260101AAAAAAAAAAAA") { status } }`);
    expect(unknown.errors![0].extensions.code).toBe('NOT_FOUND');
    const [audit] = await admin.db.query(`SELECT actor_role, detail FROM audit_log WHERE action = 'submitTip' ORDER BY id DESC LIMIT 1`);
    expect(audit.actor_role).toBe('PUBLIC');
    expect(audit.detail).toMatchObject({ sourceKind: 'CITIZEN' });
    // An anonymous tip has no tipster to read: null, and no identity read is audited.
    const id = await idOf(receipt.receiptNo);
    const t = await tipService.get(county(), id);
    expect(await tipService.tipster(county(), t)).toBeNull();
  });

  it('the tipster is hidden from a partner, the public, the credit authority and another county; visible and audited for the county in scope', async () => {
    const cc = await enterprise();
    const receipt = await submit(cc);
    const id = await idOf(receipt.receiptNo);
    const nodeOf = (r: Awaited<ReturnType<typeof gql>>) => (r.data!.tips.edges as { node: any }[]).map((e) => e.node).find((n) => n.id === id);
    expect((await gql(partner(), LIST)).errors![0].extensions.code).toBe('FORBIDDEN');
    expect((await gql(anyone(), LIST)).errors![0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await gql(creditAuthority(), LIST)).errors![0].extensions.code).toBe('FORBIDDEN');
    expect(nodeOf(await gql(otherCounty(), LIST))).toBeUndefined();
    expect((await gql(otherCounty(), `query($id: ID!) { tip(id: $id) { id } }`, { id })).errors![0].extensions.code).toBe('NOT_FOUND');
    const row = await tipService.get(county(), id);
    for (const ctx of [partner(), anyone(), otherCounty(), creditAuthority()]) expect(await tipService.tipster(ctx, row)).toBeNull();
    const before = (await admin.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'readTipsterIdentity'`))[0].n;
    expect(before).toBe(0);
    const seen = nodeOf(await gql(county(), LIST));
    expect(seen).toMatchObject({
      sourceKind: 'FINANCIAL_INSTITUTION',
      status: 'RECEIVED',
      tipster: { name: '王五', organisation: '承德某银行', contact: '13700002222' },
      enterprise: { creditCode: cc },
      due: { dueDate: receipt.due.dueDate },
    });
    const single = await gql(county(), `query($id: ID!) { tip(id: $id) { tipster { name } } }`, { id });
    expect(single.data!.tip.tipster.name).toBe('王五');
    const entries = await admin.db.query(`SELECT actor, target_type, detail FROM audit_log WHERE action = 'readTipsterIdentity' ORDER BY id`);
    expect(entries.length).toBe(2);
    expect(entries.every((e: any) => e.actor === 'officer:130821' && e.target_type === 'tip' && e.detail.tipIds.includes(id))).toBe(true);
    // The identity is in no audit entry, no candidate and no log line.
    const all = await admin.db.query(`SELECT detail FROM audit_log`);
    expect(JSON.stringify(all)).not.toContain('王五');
    expect(JSON.stringify(all)).not.toContain('13700002222');
  });

  it('refuses the 6th tip from one address within 10 minutes, not another address, storing nothing', async () => {
    const cc = await enterprise();
    for (let i = 0; i < 5; i++) await submit(cc, {}, anyone('192.0.2.17'));
    const sixth = await gql(anyone('192.0.2.17'), SUBMIT, { input: { sourceKind: 'CITIZEN', creditCode: cc, content: '第六次线索' } });
    expect(sixth.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'RATE_LIMITED' });
    expect(await submit(cc, {}, anyone('192.0.2.18'))).toHaveProperty('receiptNo');
    expect((await admin.db.query(`SELECT count(*)::int AS n FROM tip WHERE content = '第六次线索'`))[0].n).toBe(0);
  });

  it('a tip received on paper on 2026-09-30 is due across 国庆 and the worked Saturday; one of 09-18 counts the worked Sunday and skips 中秋; both are in the inbox and overdue', async () => {
    const receivedAt = new Date('2026-09-30T10:00:00+08:00');
    if (Date.now() < receivedAt.getTime()) {
      console.warn('skipped: 2026-09-30 is in the future for this run');
      return;
    }
    const cc = await enterprise();
    // The public may not back-date a tip: FORBIDDEN, nothing stored.
    const before = await counts();
    const refused = await gql(anyone(), SUBMIT, { input: { sourceKind: 'NEWS_MEDIA', creditCode: cc, content: '报道', receivedAt: receivedAt.toISOString() } });
    expect(refused.errors![0].extensions.code).toBe('FORBIDDEN');
    expect(await counts()).toEqual(before);
    const autumn = await submit(cc, { sourceKind: 'NEWS_MEDIA', tipsterOrganisation: '承德日报', receivedAt: receivedAt.toISOString() }, county());
    const september = await submit(
      cc,
      { sourceKind: 'INDUSTRY_ASSOCIATION', tipsterOrganisation: '承德市节水协会', receivedAt: '2026-09-18T10:00:00+08:00' },
      county(),
    );
    expect(autumn.due).toEqual(workingDayDeadline(receivedAt, 7, calendarSource()));
    if (officiallyCovered(2026)) {
      // 10-01…10-07 off; Thu 10-08 (1), Fri 10-09 (2), Sat 10-10 worked (3), 10-12 … 10-15 (7).
      expect(autumn.due).toEqual({ dueDate: '2026-10-15', provisional: false });
      // Fri 09-18: Sun 09-20 worked (1), 09-21 … 09-24 (5), Fri 09-25 中秋 off, Mon 09-28 (6), Tue 09-29 (7).
      expect(september.due).toEqual({ dueDate: '2026-09-29', provisional: false });
    }
    const [stored] = await admin.db.query(`SELECT entered_by FROM tip WHERE receipt_no = $1`, [autumn.receiptNo]);
    expect(stored.entered_by).toBe('officer:130821');
    // The inbox (WorkSource TIP): step VERIFY with the due date, oldest first; the other county has none of them; both overdue.
    const source = workSources().get('TIP')!;
    const items = await source.open(county(), 500);
    const ids = [await idOf(september.receiptNo), await idOf(autumn.receiptNo)];
    const mine = items.filter((i) => ids.includes(i.id));
    expect(mine.map((i) => [i.id, i.step, i.dueDate])).toEqual([
      [ids[0], 'VERIFY', september.due.dueDate],
      [ids[1], 'VERIFY', autumn.due.dueDate],
    ]);
    expect((await source.open(otherCounty(), 500)).filter((i) => ids.includes(i.id))).toEqual([]);
    expect(await source.open(partner(), 500)).toEqual([]);
    expect(await source.countOverdue(admin.db, chinaDateString(new Date()))).toBeGreaterThanOrEqual(2);
  });

  it('CONFIRMED raises a TIP candidate that an officer confirms into a record: the grade changes; verifying twice is refused', async () => {
    const cc = await enterprise();
    const receipt = await submit(cc, { indicator: indicator.code, occurredAt: ago(40).toISOString(), evidenceRefs: ['照片1.jpg', '录像2.mp4'] });
    const id = await idOf(receipt.receiptNo);
    const gradeBefore = await grade(cc);
    // Another county may not verify (out of scope: NOT_FOUND); a partner is refused; nothing stored.
    const before = await counts();
    expect((await gql(otherCounty(), VERIFY, { id, o: 'CONFIRMED' })).errors![0].extensions.code).toBe('NOT_FOUND');
    expect((await gql(partner(), VERIFY, { id, o: 'CONFIRMED' })).errors![0].extensions.code).toBe('FORBIDDEN');
    expect(await counts()).toEqual(before);
    const ok = await gql(county(), VERIFY, { id, o: 'CONFIRMED' });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.verifyTip).toMatchObject({ status: 'CONFIRMED', indicator: indicator.code });
    const candidateId = ok.data!.verifyTip.candidateId as string;
    const list = await gql(
      county(),
      `{ candidateViolations(status: OPEN, kind: TIP, first: 100) { edges { node { id kind origin tipId indicator suggestedLevel evidence } } } }`,
    );
    expect(list.errors).toBeUndefined();
    const c = (list.data!.candidateViolations.edges as { node: any }[]).map((e) => e.node).find((n) => n.id === candidateId);
    expect(c).toMatchObject({ kind: 'TIP', origin: 'TIP', tipId: id, indicator: indicator.code, suggestedLevel: 'GENERAL' });
    expect(JSON.stringify(c.evidence)).not.toContain('王五');
    expect(JSON.stringify(c.evidence)).not.toContain(receipt.receiptNo);
    // The grade changes only when an officer confirms the candidate (the same path as a meter finding).
    expect((await grade(cc)).id).toBe(gradeBefore.id);
    const record = await candidateService.confirm(county(), candidateId, '承水节〔2023〕15号第十一条');
    expect(record).toMatchObject({ indicator: indicator.code, level: 'GENERAL' });
    expect(record.description).toContain(id);
    const after = await grade(cc);
    expect(after.id).not.toBe(gradeBefore.id);
    expect(Number(after.score)).toBeLessThan(Number(gradeBefore.score));
    const again = await gql(county(), VERIFY, { id, o: 'UNFOUNDED' });
    expect(again.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect((await gql(anyone(), `query($n: String!) { tipStatus(receiptNo: $n) { status } }`, { n: receipt.receiptNo })).data!.tipStatus.status).toBe(
      'CONFIRMED',
    );
  });

  it('Tip.candidate and CandidateViolation.tip link a confirmed tip and its candidate, batched, for whoever may see both', async () => {
    const cc = await enterprise();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const receipt = await submit(cc, { indicator: indicator.code, occurredAt: ago(40).toISOString() });
      ids.push(await idOf(receipt.receiptNo));
    }
    const candidateIds: string[] = [];
    for (const id of ids) {
      const ok = await gql(county(), VERIFY, { id, o: 'CONFIRMED' });
      expect(ok.errors).toBeUndefined();
      candidateIds.push(ok.data!.verifyTip.candidateId as string);
    }
    const unconfirmed = await idOf((await submit(cc)).receiptNo);
    const TIPS = `{ tips(first: 500) { edges { node { id candidate { id origin tipId tip { id } } } } } }`;
    // Batched: the links cost a fixed few statements (enterprises, candidates, tips) for the whole page, not a few per tip.
    const statementsOf = async (q: string) => {
      const before = db.statementCount;
      const res = await gql(county(), q);
      expect(res.errors).toBeUndefined();
      return { res, n: db.statementCount - before };
    };
    const plain = await statementsOf(`{ tips(first: 500) { edges { node { id } } } }`);
    const { res: r, n } = await statementsOf(TIPS);
    expect(n - plain.n).toBeLessThanOrEqual(3);
    const nodes = new Map((r.data!.tips.edges as { node: any }[]).map((e) => [e.node.id as string, e.node]));
    ids.forEach((id, i) => expect(nodes.get(id)).toEqual({ id, candidate: { id: candidateIds[i], origin: 'TIP', tipId: id, tip: { id } } }));
    expect(nodes.get(unconfirmed)).toEqual({ id: unconfirmed, candidate: null });

    const CANDIDATES = `{ candidateViolations(kind: TIP, first: 500) { edges { node { id tip { id status } } } } }`;
    const tipOf = async (c: HubContext) => {
      const res = await gql(c, CANDIDATES);
      expect(res.errors).toBeUndefined();
      return (res.data!.candidateViolations.edges as { node: any }[]).map((e) => e.node).find((n) => n.id === candidateIds[0]);
    };
    expect(await tipOf(county())).toEqual({ id: candidateIds[0], tip: { id: ids[0], status: 'CONFIRMED' } });
    // Candidate readers who may not read tips (the credit authority, the enterprise itself) see the candidate, not the tip.
    const company = as({ subject: cc, role: 'ENTERPRISE', regions: [], creditCode: cc });
    for (const c of [creditAuthority(), company]) {
      const node = await tipOf(c);
      if (node) expect(node.tip).toBeNull();
    }
    // Another county reaches neither: the tip field answers null to it.
    const row = requireFound(await findCandidate(admin.db, candidateIds[0]), 'candidate', candidateIds[0]);
    expect(await tipService.ofCandidate(otherCounty(), row)).toBeNull();
    expect(await tipService.ofCandidate(county(), row)).toMatchObject({ id: ids[0] });
  });

  it('CONFIRMED needs an indicator and a conduct date from the tip or the verifier (refused, nothing stored); a TIP candidate can be dismissed', async () => {
    const cc = await enterprise();
    const id = await idOf((await submit(cc, { sourceKind: 'SOCIAL_ORGANISATION' })).receiptNo);
    const before = await counts();
    const noDate = await gql(county(), VERIFY, { id, o: 'CONFIRMED', c: { indicator: indicator.code } });
    expect(noDate.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'occurredAt' });
    const noIndicator = await gql(county(), VERIFY, { id, o: 'CONFIRMED', c: { occurredAt: ago(30).toISOString() } });
    expect(noIndicator.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'indicator' });
    const unknown = await gql(county(), VERIFY, { id, o: 'CONFIRMED', c: { indicator: '99.9', occurredAt: ago(30).toISOString() } });
    expect(unknown.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'indicator' });
    const early = await gql(county(), VERIFY, { id, o: 'UNFOUNDED', at: ago(70).toISOString() });
    expect(early.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'at' });
    expect(await counts()).toEqual(before);
    expect((await admin.db.query(`SELECT status FROM tip WHERE id = $1`, [id]))[0].status).toBe('RECEIVED');
    const ok = await gql(county(), VERIFY, { id, o: 'CONFIRMED', c: { indicator: indicator.code, occurredAt: ago(30).toISOString() } });
    expect(ok.errors).toBeUndefined();
    const gradeBefore = await grade(cc);
    const dismissed = await candidateService.dismiss(county(), ok.data!.verifyTip.candidateId, '复核认为不构成失信');
    expect(dismissed).toMatchObject({ status: 'DISMISSED', origin: 'TIP', tipId: id });
    expect((await grade(cc)).id).toBe(gradeBefore.id);
  });

  it('UNFOUNDED closes the tip with no candidate and no change of grade', async () => {
    const cc = await enterprise();
    const receipt = await submit(cc, { sourceKind: 'BIG_DATA_ENTERPRISE', indicator: indicator.code });
    const id = await idOf(receipt.receiptNo);
    const gradeBefore = await grade(cc);
    const before = await counts();
    const r = await gql(county(), VERIFY, { id, o: 'UNFOUNDED' });
    expect(r.data!.verifyTip).toMatchObject({ status: 'UNFOUNDED', candidateId: null });
    expect(await counts()).toEqual(before);
    expect((await grade(cc))?.id).toBe(gradeBefore?.id);
    expect((await gql(anyone(), `query($n: String!) { tipStatus(receiptNo: $n) { status } }`, { n: receipt.receiptNo })).data!.tipStatus.status).toBe(
      'UNFOUNDED',
    );
  });

  it('refuses an unknown enterprise, a citizen with an organisation, empty content, an unknown indicator, bad evidence and a future date, storing nothing', async () => {
    const cc = await enterprise();
    const before = await counts();
    const codeOf = async (input: Record<string, unknown>) =>
      (await gql(anyone(), SUBMIT, { input: { sourceKind: 'CITIZEN', creditCode: cc, content: '线索', ...input } })).errors?.[0].extensions;
    expect(await codeOf({ creditCode: withCheckChar('91130821XT9999999') })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await codeOf({ tipsterOrganisation: '某单位' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tipsterOrganisation' });
    expect(await codeOf({ content: '  ' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'content' });
    expect(await codeOf({ content: 'x'.repeat(2001) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'content' });
    expect(await codeOf({ indicator: '99.9' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'indicator' });
    expect(await codeOf({ evidenceRefs: Array.from({ length: 21 }, (_, i) => `f${i}`) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'evidenceRefs' });
    expect(await codeOf({ evidenceRefs: [' '] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'evidenceRefs' });
    expect(await codeOf({ occurredAt: new Date(Date.now() + 86_400_000).toISOString() })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'occurredAt' });
    expect(await codeOf({ sourceKind: 'NEIGHBOUR' })).toBeDefined();
    expect(await counts()).toEqual(before);
  });

  it('loading a year without official data recomputes the open verification deadlines that reached into it', async () => {
    let year = chinaYear(new Date()) - 1;
    while (officiallyCovered(year) && year > 1902) year--;
    const cc = await enterprise();
    const receivedAt = new Date(`${year}-06-01T10:00:00+08:00`);
    const before = workingDayDeadline(receivedAt, 7, calendarSource());
    expect(before).toMatchObject({ provisional: true });
    const [{ id }] = await admin.db.query(
      `INSERT INTO tip (receipt_no, source_kind, enterprise_id, content, status, received_at, due_date, due_provisional)
       SELECT 'XSOLD' || $1, 'CITIZEN', e.id, '线索', 'RECEIVED', $2, $3::date, true FROM enterprise e WHERE e.credit_code = $1 RETURNING id`,
      [cc, receivedAt, before.dueDate],
    );
    const next = chinaDateString(new Date(Date.parse(`${before.dueDate}T12:00:00+08:00`) + 86_400_000));
    const holidays = [...new Set([`${year}-01-01`, before.dueDate, next])];
    await calendarService.loadYear(admin, year, { holidays, workdays: [] });
    const expected = workingDayDeadline(receivedAt, 7, calendarSource(new Map([[year, { holidays, workdays: [] }]])));
    expect(expected.provisional).toBe(false);
    const [row] = await admin.db.query(`SELECT to_char(due_date, 'YYYY-MM-DD') AS d, due_provisional AS p FROM tip WHERE id = $1`, [id]);
    expect({ dueDate: row.d, provisional: row.p }).toEqual(expected);
  });
});
