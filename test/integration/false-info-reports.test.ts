import { GraphQLSchema, execute, parse } from 'graphql';
import { HubContext, createContext } from '../../src/modules/context';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { enterpriseService } from '../../src/modules/enterprise/enterprise.service';
import { creditRecordService } from '../../src/modules/credit/credit-record.service';
import { reportRateLimit, reportService } from '../../src/modules/report/report.service';
import { calendarSource, officiallyCovered, workingDayDeadline } from '../../src/modules/calendar/working-days.rules';
import { calendarService } from '../../src/modules/calendar/calendar.service';
import { chinaDateString, chinaYear } from '../../src/platform/china-time';
import { hubSchema } from '../../src/schema';
import { PUBLIC_PRINCIPAL, Principal } from '../../src/platform/auth/principal';
import { Database } from '../../src/platform/db';
import { testContext, testDeps } from '../support/context';
import { testDatabase } from '../support/hub';
import { inPeriod, policyNow, testPolicies } from '../support/policy-time';

/** Issue 10 item 5 (first half) on Postgres: reports of false credit information (举报, Art. 28). */
const policy = policyNow();
const indicator = policy.indicators.find((i) => i.levels.GENERAL !== undefined)!;
const ago = (daysAgo: number) => new Date(inPeriod(daysAgo));

let db: Database;
let drop: () => Promise<void>;
let schema: GraphQLSchema;
let admin: HubContext;
let seq = 0;
let addr = 0;

const as = (p: Principal, clientAddress = `10.0.0.${++addr}`) =>
  createContext(testDeps(db, { policies: testPolicies() }), { principal: p, requestId: 'test', clientAddress });
const anyone = (clientAddress?: string) => as(PUBLIC_PRINCIPAL, clientAddress);
const county = () => as({ subject: 'officer:130821', role: 'COUNTY_AUTHORITY', regions: ['130821'] });
const otherCounty = () => as({ subject: 'officer:130822', role: 'COUNTY_AUTHORITY', regions: ['130822'] });
const partner = () => as({ subject: 'partner:bank', role: 'PARTNER_AGENCY', regions: [] });

async function gql(ctx: HubContext, query: string, variableValues: Record<string, unknown> = {}) {
  const r = await execute({ schema, document: parse(query), variableValues, contextValue: ctx });
  return r as { data?: Record<string, any> | null; errors?: readonly { message: string; extensions: Record<string, unknown> }[] };
}

async function enterprise(): Promise<string> {
  const creditCode = withCheckChar(`91130821JB${String(++seq).padStart(7, '0')}`);
  await enterpriseService.register(admin, { creditCode, name: `承德县举报测试企业${seq}`, regionCode: '130821' });
  return creditCode;
}

const REPORT = `mutation($input: FalseInformationReportInput!) { reportFalseInformation(input: $input) { receiptNo receivedAt due { dueDate provisional } } }`;
const LIST = `{ reports(status: RECEIVED, first: 100) { edges { node { id content status reporter { name contact } due { dueDate } enterprise { creditCode } } } } }`;

async function report(cc: string, extra: Record<string, unknown> = {}, ctx = anyone()) {
  const r = await gql(ctx, REPORT, {
    input: { creditCode: cc, content: '该企业的失信信息与事实不符', reporterName: '李四', reporterContact: '13900001111', ...extra },
  });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.reportFalseInformation as { receiptNo: string; receivedAt: string; due: { dueDate: string; provisional: boolean } };
}

async function idOf(receiptNo: string): Promise<string> {
  const [row] = await admin.db.query(`SELECT id FROM false_info_report WHERE receipt_no = $1`, [receiptNo]);
  return row.id;
}

beforeAll(async () => {
  ({ db, drop } = await testDatabase('report'));
  admin = testContext(testDeps(db, { policies: testPolicies() }));
  schema = await hubSchema();
});
beforeEach(() => reportRateLimit.reset());
afterAll(async () => {
  await drop?.();
});

describe('reports of false credit information (Art. 28)', () => {
  it('an anonymous report gets a receipt due 7 working days later, and the reporter follows it by the receipt number', async () => {
    const cc = await enterprise();
    const receipt = await report(cc, { reporterName: null, reporterContact: null });
    expect(receipt.receiptNo).toMatch(/^JB\d{8}[A-HJ-NP-Z2-9]{12}$/);
    expect(receipt.due).toEqual(workingDayDeadline(new Date(receipt.receivedAt), 7, calendarSource()));
    const s = await gql(anyone(), `query($n: String!) { reportStatus(receiptNo: $n) { receiptNo status due { dueDate provisional } } }`, {
      n: receipt.receiptNo,
    });
    expect(s.data!.reportStatus).toEqual({ receiptNo: receipt.receiptNo, status: 'RECEIVED', due: receipt.due });
    const unknown = await gql(anyone(), `{ reportStatus(receiptNo: "JB20260101AAAAAAAAAAAA") { status } }`);
    expect(unknown.errors![0].extensions.code).toBe('NOT_FOUND');
    const [audit] = await admin.db.query(`SELECT actor_role, detail FROM audit_log WHERE action = 'reportFalseInformation' ORDER BY id DESC LIMIT 1`);
    expect(audit.actor_role).toBe('PUBLIC');
    expect(JSON.stringify(audit.detail)).not.toContain('李四');
  });

  it('the reporter is hidden from a partner, the public and another county, visible (and audited) for the county authority in scope', async () => {
    const cc = await enterprise();
    const receipt = await report(cc);
    const id = await idOf(receipt.receiptNo);
    const nodeOf = (r: Awaited<ReturnType<typeof gql>>) => (r.data!.reports.edges as { node: any }[]).map((e) => e.node).find((n) => n.id === id);
    // A partner and the public may not list reports at all.
    expect((await gql(partner(), LIST)).errors![0].extensions.code).toBe('FORBIDDEN');
    expect((await gql(anyone(), LIST)).errors![0].extensions.code).toBe('UNAUTHENTICATED');
    expect(nodeOf(await gql(otherCounty(), LIST))).toBeUndefined();
    // Wherever else a report might reach them, the reporter field answers null to anyone but the authority in scope.
    const [row] = await admin.db.query(
      `SELECT id, enterprise_id AS "enterpriseId", reporter_name AS "reporterName", reporter_contact AS "reporterContact" FROM false_info_report WHERE id = $1`,
      [id],
    );
    for (const ctx of [partner(), anyone(), otherCounty(), as({ subject: 'credit', role: 'CREDIT_AUTHORITY', regions: ['130821'] })])
      expect(await reportService.reporter(ctx, row)).toBeNull();
    const before = (await admin.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'readReporterIdentity'`))[0].n;
    const seen = nodeOf(await gql(county(), LIST));
    expect(seen).toMatchObject({
      status: 'RECEIVED',
      reporter: { name: '李四', contact: '13900001111' },
      enterprise: { creditCode: cc },
      due: { dueDate: receipt.due.dueDate },
    });
    const entries = await admin.db.query(`SELECT actor, target_type, detail FROM audit_log WHERE action = 'readReporterIdentity' ORDER BY id`);
    expect(entries.length).toBe(before + 1);
    const last = entries.at(-1);
    expect(last.actor).toBe('officer:130821');
    expect(last.detail.reportIds).toContain(id);
    expect(JSON.stringify(entries)).not.toContain('李四');
  });

  it('CONFIRMED revokes the named record and re-grades; verifying twice is refused; UNFOUNDED changes nothing', async () => {
    const cc = await enterprise();
    const rec = await creditRecordService.recordDishonesty(county(), {
      creditCode: cc,
      indicator: indicator.code,
      level: 'GENERAL',
      occurredAt: ago(60),
      determinedAt: ago(50),
      basis: '承水节〔2023〕15号第十一条',
    });
    const grade = async () =>
      (await admin.db.query(`SELECT r.id, r.score FROM enterprise e JOIN credit_rating r ON r.id = e.current_rating_id WHERE e.credit_code = $1`, [cc]))[0];
    const before = await grade();
    const id = await idOf((await report(cc, { recordId: rec.id })).receiptNo);
    const VERIFY = `mutation($id: ID!, $o: ReportOutcome!) { verifyReport(id: $id, outcome: $o, note: "经核查，该记录认定有误") { status verifiedAt note } }`;
    // Another county may not verify (out of scope: NOT_FOUND); nothing stored.
    expect((await gql(otherCounty(), VERIFY, { id, o: 'CONFIRMED' })).errors![0].extensions.code).toBe('NOT_FOUND');
    const ok = await gql(county(), VERIFY, { id, o: 'CONFIRMED' });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.verifyReport).toMatchObject({ status: 'CONFIRMED', note: '经核查，该记录认定有误' });
    const [stored] = await admin.db.query(`SELECT status, status_reason FROM credit_record WHERE id = $1`, [rec.id]);
    expect(stored.status).toBe('REVOKED');
    expect(stored.status_reason).toContain(id);
    const after = await grade();
    expect(after.id).not.toBe(before.id);
    expect(Number(after.score)).toBeGreaterThan(Number(before.score));
    const again = await gql(county(), VERIFY, { id, o: 'UNFOUNDED' });
    expect(again.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    const receipt = (await admin.db.query(`SELECT receipt_no FROM false_info_report WHERE id = $1`, [id]))[0].receipt_no;
    expect((await gql(anyone(), `query($n: String!) { reportStatus(receiptNo: $n) { status } }`, { n: receipt })).data!.reportStatus.status).toBe('CONFIRMED');

    // UNFOUNDED, with a date before receipt refused first.
    const id2 = await idOf((await report(cc)).receiptNo);
    const early = await gql(county(), `mutation($id: ID!, $at: DateTime) { verifyReport(id: $id, outcome: UNFOUNDED, note: "不属实", at: $at) { status } }`, {
      id: id2,
      at: ago(70).toISOString(),
    });
    expect(early.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'at' });
    expect((await admin.db.query(`SELECT status FROM false_info_report WHERE id = $1`, [id2]))[0].status).toBe('RECEIVED');
    const unfounded = await gql(county(), `mutation($id: ID!) { verifyReport(id: $id, outcome: UNFOUNDED, note: "不属实") { status } }`, { id: id2 });
    expect(unfounded.data!.verifyReport.status).toBe('UNFOUNDED');
    expect((await grade()).id).toBe(after.id);
  });

  it('refuses the 6th report from one address within 10 minutes, not another address', async () => {
    const cc = await enterprise();
    for (let i = 0; i < 5; i++) await report(cc, {}, anyone('192.0.2.7'));
    const sixth = await gql(anyone('192.0.2.7'), REPORT, { input: { creditCode: cc, content: '第六次' } });
    expect(sixth.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'RATE_LIMITED' });
    expect(await report(cc, {}, anyone('192.0.2.8'))).toHaveProperty('receiptNo');
    const [{ n }] = await admin.db.query(`SELECT count(*)::int AS n FROM false_info_report WHERE content = '第六次'`);
    expect(n).toBe(0);
  });

  it('refuses an unknown enterprise, a record of another enterprise and empty content', async () => {
    const cc = await enterprise();
    const other = await enterprise();
    const rec = await creditRecordService.recordDishonesty(county(), {
      creditCode: other,
      indicator: indicator.code,
      level: 'GENERAL',
      occurredAt: ago(60),
      determinedAt: ago(50),
      basis: '承水节〔2023〕15号第十一条',
    });
    const codeOf = async (input: Record<string, unknown>) =>
      (await gql(anyone(), REPORT, { input: { creditCode: cc, content: 'x', ...input } })).errors?.[0].extensions;
    expect(await codeOf({ creditCode: withCheckChar('91130821JB9999999') })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await codeOf({ recordId: rec.id })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recordId' });
    expect(await codeOf({ recordId: 'nope' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await codeOf({ content: '  ' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'content' });
  });

  it('a report received on paper is entered by the county with when it arrived: due 7 working days from then, across 国庆 2026; nobody else may date one', async () => {
    const cc = await enterprise();
    // Received Wed 2026-09-30: 10-01…10-08 are the holiday, Sat 10-10 is worked → 10-09, 10-10, 10-12…10-15.
    const paper = await report(cc, { receivedAt: '2026-09-30T15:00:00+08:00' }, county());
    expect(paper.due).toEqual({ dueDate: '2026-10-15', provisional: false });
    expect(new Date(paper.receivedAt).toISOString()).toBe(new Date('2026-09-30T15:00:00+08:00').toISOString());
    expect(paper.receiptNo).toMatch(/^JB20260930/);
    const [row] = await admin.db.query(`SELECT entered_by FROM false_info_report WHERE receipt_no = $1`, [paper.receiptNo]);
    expect(row.entered_by).toBe('officer:130821');
    const before = await admin.db.query(`SELECT count(*)::int AS n FROM false_info_report`);
    const codeOf = async (ctx: HubContext, receivedAt: string) =>
      (await gql(ctx, REPORT, { input: { creditCode: cc, content: '纸质举报', receivedAt } })).errors?.[0].extensions;
    expect(await codeOf(anyone(), '2026-09-30T15:00:00+08:00')).toMatchObject({ code: 'FORBIDDEN' });
    // The enterprise itself may report, but not date a report.
    expect(await codeOf(as({ subject: cc, role: 'ENTERPRISE', regions: [], creditCode: cc }), '2026-09-30T15:00:00+08:00')).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await codeOf(otherCounty(), '2026-09-30T15:00:00+08:00')).toMatchObject({ code: 'FORBIDDEN' });
    expect(await codeOf(partner(), '2026-09-30T15:00:00+08:00')).toMatchObject({ code: 'FORBIDDEN' });
    expect(await codeOf(county(), new Date(Date.now() + 86_400_000).toISOString())).toMatchObject({ code: 'BAD_USER_INPUT', field: 'receivedAt' });
    expect(await admin.db.query(`SELECT count(*)::int AS n FROM false_info_report`)).toEqual(before);
  });

  it('loading a year without official data recomputes the open verification deadlines that reached into it', async () => {
    let year = chinaYear(new Date()) - 1;
    while (officiallyCovered(year) && year > 1902) year--;
    const cc = await enterprise();
    const receivedAt = new Date(`${year}-06-01T10:00:00+08:00`);
    const before = workingDayDeadline(receivedAt, 7, calendarSource());
    expect(before).toMatchObject({ provisional: true });
    const [{ id }] = await admin.db.query(
      `INSERT INTO false_info_report (receipt_no, enterprise_id, content, status, received_at, due_date, due_provisional)
       SELECT 'JBOLD' || $1, e.id, '信息不实', 'RECEIVED', $2, $3::date, true FROM enterprise e WHERE e.credit_code = $1 RETURNING id`,
      [cc, receivedAt, before.dueDate],
    );
    const next = chinaDateString(new Date(Date.parse(`${before.dueDate}T12:00:00+08:00`) + 86_400_000));
    const holidays = [...new Set([`${year}-01-01`, before.dueDate, next])];
    await calendarService.loadYear(admin, year, { holidays, workdays: [] });
    const expected = workingDayDeadline(receivedAt, 7, calendarSource(new Map([[year, { holidays, workdays: [] }]])));
    expect(expected.provisional).toBe(false);
    const [row] = await admin.db.query(`SELECT to_char(due_date, 'YYYY-MM-DD') AS d, due_provisional AS p FROM false_info_report WHERE id = $1`, [id]);
    expect({ dueDate: row.d, provisional: row.p }).toEqual(expected);
  });
});
