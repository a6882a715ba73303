import { HubContext } from '../../src/modules/context';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { enterpriseService } from '../../src/modules/enterprise/enterprise.service';
import { repairService } from '../../src/modules/repair/repair.service';
import { repairWork } from '../../src/modules/repair/repair.work';
import { repairNoticeService } from '../../src/modules/repair/repair-notice';
import { EnterpriseRepairNoticesResolver } from '../../src/modules/repair/repair.resolver';
import { enforcementService } from '../../src/modules/enforcement/enforcement.service';
import { permitService } from '../../src/modules/permit/permit.service';
import { creditRecordService } from '../../src/modules/credit/credit-record.service';
import { findByCreditCode } from '../../src/modules/enterprise/enterprise.repository';
import { workSources } from '../../src/modules/worklist/work-source';
import { createContext } from '../../src/modules/context';
import { chinaDateString } from '../../src/platform/china-time';
import { calendarSource, officiallyCovered, workingDayDeadline } from '../../src/modules/calendar/working-days.rules';
import { Principal } from '../../src/platform/auth/principal';
import { Database } from '../../src/platform/db';
import { testContext, testDeps } from '../support/context';
import { testDatabase } from '../support/hub';
import { currentRating, recordGeneral, refusal } from '../support/credit-steps';
import { inPeriod, policyNow, testPolicies } from '../support/policy-time';

/**
 * Issue 10 item 3 on Postgres: credit repair submit → confirm (the next level up) → decide,
 * the decision deadline on the official calendar, and refused steps that store nothing. Dates
 * are computed from now (inside the evaluation period of the policy in force).
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const policy = policyNow();
const indicator = policy.indicators.find((i) => i.levels.GENERAL !== undefined)!;
const ago = (daysAgo: number) => new Date(inPeriod(daysAgo));

let db: Database;
let drop: () => Promise<void>;
let admin: HubContext;
let seq = 0;

const as = (p: Principal) => testContext(testDeps(db, { policies: testPolicies() }), p);
const county = () => as({ subject: 'officer:130821', role: 'COUNTY_AUTHORITY', regions: ['130821'] });
const city = () => as({ subject: 'officer:130800', role: 'CITY_AUTHORITY', regions: ['130800'] });
const otherCity = () => as({ subject: 'officer:130700', role: 'CITY_AUTHORITY', regions: ['130700'] });
const company = (creditCode: string) => as({ subject: creditCode, role: 'ENTERPRISE', regions: [], creditCode });

async function enterprise(): Promise<string> {
  const creditCode = withCheckChar(`91130821RP${String(++seq).padStart(7, '0')}`);
  await enterpriseService.register(admin, { creditCode, name: `承德县信用修复测试企业${seq}`, regionCode: '130821' });
  return creditCode;
}

const record = (creditCode: string, occurredAt: Date, determinedAt: Date) => recordGeneral(county(), creditCode, indicator.code, occurredAt, determinedAt);
const current = (creditCode: string) => currentRating(admin, creditCode);
const code = refusal;

const snapshot = async () =>
  (
    await admin.db.query(`SELECT (SELECT count(*) FROM credit_rating)::int AS ratings,
      (SELECT json_agg(json_build_object('id', id, 'status', status, 'confirmed', confirmed_at, 'decided', decided_at, 'due', decision_due_date, 'note', note,
        'returned', returned_at, 'supplemented', supplemented_at, 'forwarded', forwarded_at, 'statement', statement, 'evidence', evidence) ORDER BY id) FROM credit_repair) AS repairs,
      (SELECT json_agg(json_build_object('id', id, 'status', status) ORDER BY id) FROM credit_record) AS records`)
  )[0];

beforeAll(async () => {
  ({ db, drop } = await testDatabase('repair'));
  admin = testContext(testDeps(db, { policies: testPolicies() }));
});
afterAll(async () => {
  await drop?.();
});

describe('credit repair (Art. 22, 24, 25)', () => {
  it('the provincial authority confirms as the level above too; no administrator confirms (三员分立)', async () => {
    const cc = await enterprise();
    const r = await record(cc, ago(60), ago(50));
    const s = await repairService.submit(company(cc), { recordId: r.id, statement: '已整改', evidence: ['整改报告.pdf'], commitmentSigned: true, at: ago(40) });
    await repairService.forward(county(), s.id, ago(35));
    for (const role of ['SYSTEM_ADMIN', 'SECURITY_ADMIN', 'AUDIT_ADMIN'] as const)
      expect([role, await code(repairService.confirm(as({ subject: role, role, regions: [] }), s.id, ago(30)))]).toEqual([
        role,
        expect.objectContaining({ code: 'NOT_FOUND' }),
      ]);
    const otherProvince = as({ subject: 'officer:110000', role: 'PROVINCE_AUTHORITY', regions: ['110000'] });
    expect(await code(repairService.confirm(otherProvince, s.id, ago(30)))).toMatchObject({ code: 'NOT_FOUND' });
    const province = as({ subject: 'officer:130000', role: 'PROVINCE_AUTHORITY', regions: ['130000'] });
    expect(await repairService.confirm(province, s.id, ago(30))).toMatchObject({ status: 'CONFIRMED', confirmedBy: 'officer:130000' });
  });

  it('submit → return → supplement → forward → confirm → approve makes the record REPAIRED and re-grades in the same step', async () => {
    const cc = await enterprise();
    const r = await record(cc, ago(60), ago(50));
    const before = await current(cc);
    const submitted = await repairService.submit(company(cc), {
      recordId: r.id,
      statement: '已按要求整改完毕，罚款已缴清',
      evidence: ['整改报告.pdf', '缴款凭证.pdf'],
      commitmentSigned: true,
      at: ago(40),
    });
    expect(submitted).toMatchObject({ status: 'SUBMITTED', evidence: ['整改报告.pdf', '缴款凭证.pdf'], commitmentSigned: true, decisionDueDate: null });
    const returned = await repairService.return(county(), submitted.id, '缺少整改验收意见', ago(38));
    expect(returned).toMatchObject({ status: 'RETURNED', returnNote: '缺少整改验收意见', returnedBy: 'officer:130821' });
    const supplemented = await repairService.supplement(company(cc), submitted.id, { evidence: ['整改验收意见.pdf', '整改报告.pdf'], at: ago(37) });
    expect(supplemented).toMatchObject({
      status: 'SUBMITTED',
      statement: '已按要求整改完毕，罚款已缴清',
      evidence: ['整改报告.pdf', '缴款凭证.pdf', '整改验收意见.pdf'],
    });
    expect(supplemented.supplementedAt!.getTime()).toBeGreaterThan(returned.returnedAt!.getTime());
    const forwarded = await repairService.forward(county(), submitted.id, ago(35));
    expect(forwarded).toMatchObject({ status: 'FORWARDED', forwardedBy: 'officer:130821' });
    const confirmed = await repairService.confirm(city(), submitted.id, ago(30));
    expect(confirmed.status).toBe('CONFIRMED');
    const due = workingDayDeadline(ago(30), 3, calendarSource());
    expect(repairService.decisionDue(confirmed)).toEqual(due);
    expect(repairService.decisionDueAt(confirmed)!.toISOString()).toBe(new Date(Date.parse(`${due.dueDate}T23:59:59.999+08:00`)).toISOString());
    const decided = await repairService.decide(county(), submitted.id, true, '条件已满足', ago(29));
    expect(decided).toMatchObject({ status: 'APPROVED', decidedBy: 'officer:130821', note: '条件已满足' });
    const [stored] = await admin.db.query(`SELECT status, status_reason FROM credit_record WHERE id = $1`, [r.id]);
    expect(stored.status).toBe('REPAIRED');
    expect(stored.status_reason).toContain(submitted.id);
    const after = await current(cc);
    expect(after.id).not.toBe(before.id);
    expect(after.score).toBeGreaterThan(before.score);
    expect(after.score).toBe(1000);
    // Repaired records block A and B when the policy says so (credit.rules.ts): the grade is what the rules give.
    expect(after.grade).toBe(policy.repairedRecordsBlockAB ? 'C' : 'B');
    // A second repair of a REPAIRED record is refused.
    expect(await code(repairService.submit(company(cc), { recordId: r.id, statement: '再次申请' }))).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('the decision is due 3 working days after a confirmation on 2026-09-30, across 国庆 and the worked Saturday', async () => {
    const confirmAt = new Date('2026-09-30T10:00:00+08:00');
    const occurred = new Date(confirmAt.getTime() - 6 * DAY);
    if (Date.now() < confirmAt.getTime() || occurred.getTime() < Math.max(policy.periodStart.getTime(), policy.inForceFrom.getTime())) {
      console.warn('skipped: 2026-09-30 is not a date this run can test (in the future, or before the period of the policy in force)');
      return;
    }
    const cc = await enterprise();
    const r = await record(cc, occurred, new Date(occurred.getTime() + DAY));
    const s = await repairService.submit(county(), { recordId: r.id, statement: '已整改', at: new Date(confirmAt.getTime() - 2 * DAY) });
    await repairService.forward(county(), s.id, new Date(confirmAt.getTime() - DAY));
    const c = await repairService.confirm(city(), s.id, confirmAt);
    const expected = workingDayDeadline(confirmAt, 3, calendarSource());
    expect(repairService.decisionDue(c)).toEqual(expected);
    if (officiallyCovered(2026)) {
      // 10-01…10-07 off; Thu 10-08 (1), Fri 10-09 (2), Sat 10-10 worked (3).
      expect(repairService.decisionDue(c)).toEqual({ dueDate: '2026-10-10', provisional: false });
      expect(repairService.decisionDueAt(c)!.toISOString()).toBe('2026-10-10T15:59:59.999Z');
    }
  });

  it('refuses steps out of order, the wrong level, dates out of order, duplicates and a rejection without a note, storing nothing', async () => {
    const cc = await enterprise();
    const r = await record(cc, ago(60), ago(50));
    // before the determination, in the future, empty statement, unsigned commitment
    let before = await snapshot();
    expect(await code(repairService.submit(county(), { recordId: r.id, statement: '已整改', at: ago(55) }))).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
    expect(await code(repairService.submit(county(), { recordId: r.id, statement: '已整改', at: new Date(Date.now() + DAY) }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'at',
    });
    expect(await code(repairService.submit(county(), { recordId: r.id, statement: '  ' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'statement' });
    expect(await code(repairService.submit(county(), { recordId: r.id, statement: '已整改', commitmentSigned: false }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'commitmentSigned',
    });
    expect(await code(repairService.submit(company(withCheckChar('91130821RP9999999')), { recordId: r.id, statement: '已整改' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await code(repairService.submit(county(), { recordId: 'nope', statement: '已整改' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await snapshot()).toEqual(before);

    const s = await repairService.submit(county(), { recordId: r.id, statement: '已整改', at: ago(40) });
    before = await snapshot();
    // a second open application for the same record
    expect(await code(repairService.submit(company(cc), { recordId: r.id, statement: '再次申请' }))).toMatchObject({ code: 'BAD_USER_INPUT' });
    // deciding or confirming before the file is forwarded
    expect(await code(repairService.decide(county(), s.id, true, null, ago(30)))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await code(repairService.confirm(city(), s.id, ago(30)))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    // supplementing a file that was not returned; a return without a note; the enterprise forwarding its own file
    expect(await code(repairService.supplement(company(cc), s.id, { evidence: ['x.pdf'] }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(await code(repairService.return(county(), s.id, '  '))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'note' });
    expect(await code(repairService.forward(company(cc), s.id))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await code(repairService.return(company(cc), s.id, '缺材料'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await code(repairService.forward(otherCity(), s.id))).toMatchObject({ code: 'NOT_FOUND' });
    // a forward or return dated before the submission, or in the future
    expect(await code(repairService.forward(county(), s.id, ago(45)))).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
    expect(await code(repairService.return(county(), s.id, '缺材料', new Date(Date.now() + DAY)))).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
    expect(await snapshot()).toEqual(before);

    await repairService.return(county(), s.id, '缺材料', ago(39));
    before = await snapshot();
    // a returned file: no forward, no second return, a supplement not before the return, a stranger may not supplement
    expect(await code(repairService.forward(county(), s.id, ago(38)))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(await code(repairService.return(county(), s.id, '再次退回', ago(38)))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(await code(repairService.supplement(company(cc), s.id, { statement: '已补充', at: ago(39.5) }))).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
    expect(await code(repairService.supplement(company(cc), s.id, { statement: '  ' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'statement' });
    expect(await code(repairService.supplement(company(withCheckChar('91130821RP9999999')), s.id, { statement: '已补充' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    // still open: a second application is refused
    expect(await code(repairService.submit(company(cc), { recordId: r.id, statement: '再次申请' }))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await snapshot()).toEqual(before);

    await repairService.supplement(company(cc), s.id, { statement: '已补充整改材料', at: ago(38) });
    before = await snapshot();
    // a forward dated before the supplement
    expect(await code(repairService.forward(county(), s.id, ago(38.5)))).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
    expect(await snapshot()).toEqual(before);
    await repairService.forward(county(), s.id, ago(35));
    before = await snapshot();
    // deciding before the confirmation
    expect(await code(repairService.decide(county(), s.id, true, null, ago(30)))).toMatchObject({ code: 'BAD_USER_INPUT' });
    // a second forward
    expect(await code(repairService.forward(county(), s.id, ago(34)))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    // a county authority confirming: the next level up confirms
    expect(await code(repairService.confirm(county(), s.id, ago(30)))).toMatchObject({ code: 'FORBIDDEN' });
    // a city authority of another city does not see it
    expect(await code(repairService.confirm(otherCity(), s.id, ago(30)))).toMatchObject({ code: 'NOT_FOUND' });
    // a confirmation dated before the forward
    expect(await code(repairService.confirm(city(), s.id, ago(36)))).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
    expect(await code(repairService.confirm(city(), 'not-a-uuid'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await snapshot()).toEqual(before);

    await repairService.confirm(city(), s.id, ago(30));
    before = await snapshot();
    expect(await code(repairService.confirm(city(), s.id, ago(29)))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await code(repairService.decide(county(), s.id, false, '  ', ago(29)))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'note' });
    expect(await code(repairService.decide(county(), s.id, false, '未消除不良影响', ago(31)))).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
    expect(await code(repairService.decide(company(cc), s.id, true))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await snapshot()).toEqual(before);

    const rejected = await repairService.decide(county(), s.id, false, '未消除不良影响', ago(29));
    expect(rejected).toMatchObject({ status: 'REJECTED', note: '未消除不良影响' });
    const [stored] = await admin.db.query(`SELECT status FROM credit_record WHERE id = $1`, [r.id]);
    expect(stored.status).toBe('ACTIVE');
    // after a rejection the record may be applied for again
    expect(await repairService.submit(company(cc), { recordId: r.id, statement: '补充材料后再次申请' })).toMatchObject({ status: 'SUBMITTED' });
    // the record lists its applications (one batched load)
    const fresh = testContext(testDeps(db, { policies: testPolicies() }));
    expect((await repairService.ofRecord(fresh, r)).map((x) => x.status)).toEqual(['REJECTED', 'SUBMITTED']);
  });

  it('lists open repairs as REPAIR work: CHECK for the competent authority, CONFIRM for the next level up, DECIDE with its due date', async () => {
    expect(workSources().get('REPAIR')).toBe(repairWork);
    const cc = await enterprise();
    const r = await record(cc, ago(60), ago(50));
    const s = await repairService.submit(company(cc), { recordId: r.id, statement: '已整改', at: ago(40) });
    const mine = (items: { id: string }[]) => items.filter((i) => i.id === s.id);
    expect(mine(await repairWork.open(county(), 1000))).toEqual([
      expect.objectContaining({ kind: 'REPAIR', step: 'CHECK', dueDate: null, provisional: false, openedAt: s.submittedAt }),
    ]);
    expect(mine(await repairWork.open(company(cc), 1000))).toEqual([]);
    expect(mine(await repairWork.open(otherCity(), 1000))).toEqual([]);
    await repairService.return(county(), s.id, '缺材料', ago(39));
    expect(mine(await repairWork.open(county(), 1000))).toEqual([]); // the enterprise's turn
    await repairService.supplement(company(cc), s.id, { evidence: ['补充材料.pdf'], at: ago(38) });
    await repairService.forward(county(), s.id, ago(35));
    expect(mine(await repairWork.open(county(), 1000))).toEqual([]);
    expect(mine(await repairWork.open(city(), 1000))).toEqual([expect.objectContaining({ step: 'CONFIRM', dueDate: null })]);
    const c = await repairService.confirm(city(), s.id, ago(30));
    expect(mine(await repairWork.open(county(), 1000))).toEqual([
      expect.objectContaining({ step: 'DECIDE', dueDate: c.decisionDueDate, provisional: c.decisionDueProvisional }),
    ]);
    // overdue: its due date lies before today
    const overdue = await repairWork.countOverdue(admin.db, chinaDateString(new Date()));
    expect(overdue).toBeGreaterThanOrEqual(1);
    await repairService.decide(county(), s.id, true, null, ago(29));
    expect(mine(await repairWork.open(county(), 1000))).toEqual([]);
    expect(await repairWork.countOverdue(admin.db, chinaDateString(new Date()))).toBe(overdue - 1);
  });

  it('refuses a record the policy declares unrepairable, naming the legal basis (Art. 24), storing nothing', async () => {
    const cc = await enterprise();
    const r = await creditRecordService.recordDishonesty(county(), {
      creditCode: cc,
      indicator: indicator.code,
      level: 'GENERAL',
      occurredAt: ago(60),
      determinedAt: ago(50),
      basis: '依据有关法律规定，该失信信息不可修复',
    });
    const before = await snapshot();
    let message = '';
    try {
      await repairService.submit(company(cc), { recordId: r.id, statement: '已整改' });
    } catch (e) {
      message = (e as Error).message;
      expect((e as { extensions: unknown }).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'recordId' });
    }
    expect(message).toMatch(/^该失信信息不可修复.*第二十四条.* \/ This record may not be repaired.*Art\. 24/);
    expect(await snapshot()).toEqual(before);
  });

  it('an enterprise that becomes C or D gets a repair notice (Art. 22) in the same transaction: what it may repair, what not, and how', async () => {
    const cc = await enterprise();
    const e = (await findByCreditCode(admin.db, cc))!;
    expect(await repairNoticeService.ofEnterprise(as({ subject: 'admin', role: 'PROVINCE_AUTHORITY', regions: ['130000'] }), e)).toEqual([]);
    const ok = await record(cc, ago(60), ago(50));
    const [notice] = await repairNoticeService.ofEnterprise(company(cc), e);
    const [rating] = await admin.db.query(`SELECT current_rating_id AS id FROM enterprise WHERE id = $1`, [e.id]);
    expect(notice).toMatchObject({ grade: 'C', ratingId: rating.id });
    expect(notice.content.records).toEqual([expect.objectContaining({ recordId: ok.id, repairable: true, reason: null })]);
    expect(notice.content.text.zh).toMatch(/^信用修复告知书：贵单位节水信用综合评价结果为C级/);
    expect(notice.content.how.zh).toContain('信用修复承诺书');
    expect(notice.content.how.en).toContain('signed credit-repair commitment');
    // a second record keeps the grade C: no new notice; a change into D gives one, listing the unrepairable record with its basis
    await creditRecordService.recordDishonesty(county(), {
      creditCode: cc,
      indicator: indicator.code,
      level: 'GENERAL',
      occurredAt: ago(59),
      determinedAt: ago(49),
      basis: '依据有关法律规定，该失信信息不可修复',
    });
    expect(await repairNoticeService.ofEnterprise(as({ subject: 'admin', role: 'PROVINCE_AUTHORITY', regions: ['130000'] }), e)).toHaveLength(1);
    const severeInd = policy.indicators.find((i) => i.levels.SEVERE !== undefined)!;
    await creditRecordService.recordDishonesty(county(), {
      creditCode: cc,
      indicator: severeInd.code,
      level: 'SEVERE',
      occurredAt: ago(58),
      determinedAt: ago(48),
      basis: '承水节〔2023〕15号第十一条',
    });
    const notices = await repairNoticeService.ofEnterprise(county(), e);
    expect(notices.map((n) => n.grade)).toEqual(['C', 'D']);
    expect(notices[1].content.records.map((r) => r.repairable).sort()).toEqual([false, true, true]);
    expect(notices[1].content.records.find((r) => !r.repairable)!.reason!.zh).toContain('第二十四条');
    // read in the caller's language, Chinese by default; others may not read it
    const en = createContext(testDeps(db, { policies: testPolicies() }), {
      principal: { subject: cc, role: 'ENTERPRISE', regions: [], creditCode: cc },
      requestId: 't',
      lang: 'EN',
    });
    const [, d] = await new EnterpriseRepairNoticesResolver().repairNotices(en, e);
    expect(d.text).toMatch(/^Credit repair notice: your water-saving credit grade is D/);
    expect(d.records.find((r) => !r.repairable)!.reason).toContain('Art. 24');
    expect((await new EnterpriseRepairNoticesResolver().repairNotices(county(), e))[1].text).toMatch(/^信用修复告知书/);
    expect(await code(repairNoticeService.ofEnterprise(as({ subject: 'credit', role: 'CREDIT_AUTHORITY', regions: ['130821'] }), e))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await code(repairNoticeService.ofEnterprise(company(withCheckChar('91130821RP9999999')), e))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a direct D from enforcement (annex row 6) is lifted by repairing its record: re-graded from the score, D once repaired → C (Art. 16(2))', async () => {
    const dArea = policy.indicators.find((i) => policy.directGrading.dAreas.includes(i.area) && i.levels.SEVERE !== undefined)!;
    const cc = await enterprise();
    const c = await enforcementService.open(admin, { creditCode: cc, indicator: dArea.code, caseNo: `承水执〔修〕${++seq}号`, openedAt: ago(120) });
    for (const [issued, due] of [
      [110, 100],
      [90, 80],
      [70, 60],
    ])
      await enforcementService.issueNotice(admin, c.id, `责改〔修〕${++seq}号`, ago(issued), chinaDateString(ago(due)));
    await enforcementService.recordFine(admin, c.id, `承水罚〔修〕${++seq}号`, ago(58), 5000);
    const d = await current(cc);
    expect(d.grade).toBe('D');
    const rec = await enforcementService.determineFromCase(admin, c.id, '行政处罚决定书');
    expect((await current(cc)).grade).toBe('D');
    const s = await repairService.submit(company(cc), { recordId: rec.id, statement: '已整改并缴清罚款', commitmentSigned: true });
    await repairService.forward(county(), s.id);
    await repairService.confirm(city(), s.id);
    await repairService.decide(county(), s.id, true);
    const [after] = await admin.db.query(
      `SELECT r.grade, r.score, r.reasons FROM enterprise e JOIN credit_rating r ON r.id = e.current_rating_id WHERE e.credit_code = $1`,
      [cc],
    );
    expect(Number(after.score)).toBe(1000);
    expect(after.grade).toBe('C');
    const reasons = (after.reasons as { zh: string; en: string }[]).map((x) => x.en).join('\n');
    expect(reasons).not.toMatch(/direct D/);
    expect(reasons).toMatch(/16\(2\)/);
  });

  it('a 吊销 (permit revoked as a penalty) is repaired through the record that carries it: the direct D is lifted in the same re-grade', async () => {
    const cc = await enterprise();
    const permit = await permitService.register(admin, {
      creditCode: cc,
      permitNo: `取水(冀承)字[修]第${++seq}号`,
      validFrom: new Date(Date.now() - 900 * DAY),
      validTo: new Date(Date.now() + 900 * DAY),
      annualQuota: 1e6,
    });
    const other = await permitService.register(admin, {
      creditCode: cc,
      permitNo: `取水(冀承)字[修]第${++seq}号`,
      validFrom: new Date(Date.now() - 900 * DAY),
      validTo: new Date(Date.now() + 900 * DAY),
      annualQuota: 1e6,
    });
    await permitService.revoke(admin, permit.permitNo, ago(40), '拒不整改，依法吊销');
    expect((await current(cc)).grade).toBe('D');
    const input = {
      creditCode: cc,
      indicator: indicator.code,
      level: 'GENERAL' as const,
      occurredAt: ago(40),
      determinedAt: ago(39),
      basis: '行政处罚决定书（吊销取水许可证）',
    };
    // the record must carry a 吊销 of the enterprise's own permit
    const before = await snapshot();
    expect(await code(creditRecordService.recordDishonesty(county(), { ...input, permitNo: other.permitNo }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'permitNo',
    });
    expect(await code(creditRecordService.recordDishonesty(county(), { ...input, permitNo: 'nope' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'permitNo',
    });
    expect(await snapshot()).toEqual(before);
    const rec = await creditRecordService.recordDishonesty(county(), { ...input, permitNo: permit.permitNo });
    expect(rec.permitId).toBe(permit.id);
    expect((await current(cc)).grade).toBe('D');
    const s = await repairService.submit(company(cc), { recordId: rec.id, statement: '已整改，重新申领取水许可', commitmentSigned: true, at: ago(30) });
    await repairService.forward(county(), s.id, ago(29));
    await repairService.confirm(city(), s.id, ago(28));
    await repairService.decide(county(), s.id, true, null, ago(27));
    const [after] = await admin.db.query(
      `SELECT r.grade, r.score, r.reasons FROM enterprise e JOIN credit_rating r ON r.id = e.current_rating_id WHERE e.credit_code = $1`,
      [cc],
    );
    expect(Number(after.score)).toBe(1000);
    expect(after.grade).toBe('C');
    const reasons = (after.reasons as { zh: string; en: string }[]).map((x) => x.en).join('\n');
    expect(reasons).not.toMatch(/revoked as a penalty/);
    expect(reasons).toMatch(/16\(2\)/);
  });
});
