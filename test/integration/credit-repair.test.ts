import { HubContext } from '../../src/modules/context';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { enterpriseService } from '../../src/modules/enterprise/enterprise.service';
import { repairService } from '../../src/modules/repair/repair.service';
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
});
