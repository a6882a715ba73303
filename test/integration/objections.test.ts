import { execute, parse } from 'graphql';
import { hubSchema } from '../../src/schema';
import { HubContext } from '../../src/modules/context';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { enterpriseService } from '../../src/modules/enterprise/enterprise.service';
import { objectionService } from '../../src/modules/objection/objection.service';
import { calendarService } from '../../src/modules/calendar/calendar.service';
import { chinaYear } from '../../src/platform/china-time';
import { calendarSource, officiallyCovered, workingDayDeadline } from '../../src/modules/calendar/working-days.rules';
import { PUBLIC_PRINCIPAL, Principal } from '../../src/platform/auth/principal';
import { Database } from '../../src/platform/db';
import { testContext, testDeps } from '../support/context';
import { testDatabase } from '../support/hub';
import { currentRating, recordGeneral, refusal } from '../support/credit-steps';
import { inPeriod, policyNow, testPolicies } from '../support/policy-time';

/**
 * Issue 10 item 4 on Postgres: objections (异议, Art. 26) filed with the evaluating body or the
 * credit authority (routed, the clock from the first receipt), compared within 5 working days,
 * decided FACTS_WRONG / DATA_INCOMPLETE / REJECTED; refused steps store nothing. Dates are
 * computed from now (inside the evaluation period of the policy in force).
 */
const DAY = 86_400_000;
const policy = policyNow();
const indicator = policy.indicators.find((i) => i.levels.GENERAL !== undefined)!;
const ago = (daysAgo: number) => new Date(inPeriod(daysAgo));

let db: Database;
let drop: () => Promise<void>;
let admin: HubContext;
let seq = 0;

const as = (p: Principal) => testContext(testDeps(db, { policies: testPolicies() }), p);
const county = () => as({ subject: 'officer:130821', role: 'COUNTY_AUTHORITY', regions: ['130821'] });
const otherCounty = () => as({ subject: 'officer:130822', role: 'COUNTY_AUTHORITY', regions: ['130822'] });
const creditAuthority = () => as({ subject: 'credit:130800', role: 'CREDIT_AUTHORITY', regions: ['130800'] });
const company = (creditCode: string) => as({ subject: creditCode, role: 'ENTERPRISE', regions: [], creditCode });
const fresh = () => testContext(testDeps(db, { policies: testPolicies() }));

async function enterprise(): Promise<string> {
  const creditCode = withCheckChar(`91130821YY${String(++seq).padStart(7, '0')}`);
  await enterpriseService.register(admin, { creditCode, name: `承德县异议测试企业${seq}`, regionCode: '130821' });
  return creditCode;
}

const record = (creditCode: string, occurredAt: Date, determinedAt: Date) => recordGeneral(county(), creditCode, indicator.code, occurredAt, determinedAt);
const current = (creditCode: string) => currentRating(admin, creditCode);
const code = refusal;

const snapshot = async () =>
  (
    await admin.db.query(`SELECT (SELECT count(*) FROM credit_rating)::int AS ratings,
      (SELECT json_agg(json_build_object('id', id, 'status', status, 'outcome', outcome, 'routed', routed_at, 'decided', decided_at, 'reason', reason) ORDER BY id) FROM objection) AS objections,
      (SELECT json_agg(json_build_object('id', id, 'status', status) ORDER BY id) FROM credit_record) AS records`)
  )[0];

beforeAll(async () => {
  ({ db, drop } = await testDatabase('objection'));
  admin = testContext(testDeps(db, { policies: testPolicies() }));
});
afterAll(async () => {
  await drop?.();
});

describe('objections (Art. 26)', () => {
  it('FACTS_WRONG revokes the record and re-grades in the same step; the record shows 异议处理中 while open', async () => {
    const cc = await enterprise();
    const r = await record(cc, ago(60), ago(50));
    const before = await current(cc);
    expect(before.score).toBeLessThan(1000);
    const o = await objectionService.file(company(cc), {
      creditCode: cc,
      recordId: r.id,
      statement: '该违法事实不存在',
      receivedBy: 'EVALUATING_BODY',
      at: ago(20),
    });
    expect(o).toMatchObject({ status: 'OPEN', recordId: r.id, ratingId: null, receivedBy: 'EVALUATING_BODY', routedAt: null, outcome: null });
    expect(objectionService.due(o)).toEqual(workingDayDeadline(ago(20), 5, calendarSource()));
    expect(await objectionService.pending(fresh(), r)).toBe(true);
    // a second open objection against the same record
    expect(await code(objectionService.file(county(), { creditCode: cc, recordId: r.id, statement: '再次异议', receivedBy: 'EVALUATING_BODY' }))).toMatchObject(
      {
        code: 'BAD_USER_INPUT',
      },
    );
    const decided = await objectionService.decide(county(), o.id, 'FACTS_WRONG', '经核查比对，执法文书认定对象有误', ago(18));
    expect(decided).toMatchObject({ status: 'DECIDED', outcome: 'FACTS_WRONG', decidedBy: 'officer:130821', reason: '经核查比对，执法文书认定对象有误' });
    const [stored] = await admin.db.query(`SELECT status, status_reason FROM credit_record WHERE id = $1`, [r.id]);
    expect(stored.status).toBe('REVOKED');
    expect(stored.status_reason).toContain(o.id);
    const after = await current(cc);
    expect(after.id).not.toBe(before.id);
    expect(after.score).toBe(1000);
    expect(await objectionService.pending(fresh(), r)).toBe(false);
    // deciding twice
    expect(await code(objectionService.decide(county(), o.id, 'REJECTED', '再次处理'))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect((await objectionService.ofEnterprise(fresh(), (await fresh().loaders.enterprise.load(r.enterpriseId))!)).map((x) => x.id)).toEqual([o.id]);
  });

  it('FACTS_WRONG with a correction (更正) revokes the disputed record and determines the corrected one in the same step, re-graded; a correction that changes nothing is refused, storing nothing', async () => {
    const cc = await enterprise();
    const r = await record(cc, ago(60), ago(50));
    const general = await current(cc);
    const o = await objectionService.file(company(cc), {
      creditCode: cc,
      recordId: r.id,
      statement: '行为日期与情节认定有误',
      receivedBy: 'EVALUATING_BODY',
      at: ago(20),
    });
    const before = await snapshot();
    // Refused, storing nothing: a correction that changes nothing; a correction with another outcome.
    expect(await code(objectionService.decide(county(), o.id, 'FACTS_WRONG', '更正', ago(18), { level: 'GENERAL' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'correction',
    });
    expect(await code(objectionService.decide(county(), o.id, 'REJECTED', '驳回', ago(18), { level: 'SERIOUS' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'correction',
    });
    expect(await snapshot()).toEqual(before);
    const corrected = { level: 'SERIOUS' as const, occurredAt: ago(58) };
    const decidedAt = ago(18);
    const decided = await objectionService.decide(county(), o.id, 'FACTS_WRONG', '经核查，情节认定有误，予以更正', decidedAt, corrected);
    expect(decided.correctedRecordId).toBeTruthy();
    const rows = await admin.db.query(`SELECT id, status, level, occurred_at, determined_at, basis FROM credit_record WHERE id = ANY($1::uuid[])`, [
      [r.id, decided.correctedRecordId],
    ]);
    const old = rows.find((x: { id: string }) => x.id === r.id);
    const fresh_ = rows.find((x: { id: string }) => x.id === decided.correctedRecordId);
    expect(old.status).toBe('REVOKED');
    expect(fresh_).toMatchObject({ status: 'ACTIVE', level: 'SERIOUS', basis: old.basis });
    expect(new Date(fresh_.occurred_at).toISOString()).toBe(corrected.occurredAt.toISOString());
    expect(new Date(fresh_.determined_at).toISOString()).toBe(decidedAt.toISOString());
    // Re-graded from the corrected record: a serious record leaves fewer points than a general one.
    const after = await current(cc);
    expect(after.id).not.toBe(general.id);
    expect(after.score).toBeLessThan(general.score);
    expect((await objectionService.correctedRecord(fresh(), decided))?.id).toBe(decided.correctedRecordId);
  });

  it('DATA_INCOMPLETE against the rating re-grades and stores the decision; FACTS_WRONG does not apply to a rating', async () => {
    const cc = await enterprise();
    await record(cc, ago(60), ago(50));
    const before = await current(cc);
    const o = await objectionService.file(company(cc), { creditCode: cc, statement: '整改情况未录入', receivedBy: 'EVALUATING_BODY' });
    expect(o).toMatchObject({ recordId: null, ratingId: before.id });
    expect(await code(objectionService.decide(county(), o.id, 'FACTS_WRONG', '事实有误'))).toEqual({ code: 'BAD_USER_INPUT', field: 'outcome' });
    const d = await objectionService.decide(county(), o.id, 'DATA_INCOMPLETE', '已补录整改数据，重新评价');
    expect(d).toMatchObject({ outcome: 'DATA_INCOMPLETE' });
    expect((await current(cc)).id).not.toBe(before.id);
  });

  it('refuses a rejection without a reason, the wrong scope and dates out of order, storing nothing; a rejection changes nothing else', async () => {
    const cc = await enterprise();
    const r = await record(cc, ago(60), ago(50));
    let before = await snapshot();
    expect(
      await code(objectionService.file(county(), { creditCode: cc, recordId: r.id, statement: '有误', receivedBy: 'EVALUATING_BODY', at: ago(55) })),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'at',
    });
    expect(
      await code(
        objectionService.file(county(), { creditCode: cc, recordId: r.id, statement: '有误', receivedBy: 'EVALUATING_BODY', at: new Date(Date.now() + DAY) }),
      ),
    ).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
    expect(await code(objectionService.file(county(), { creditCode: cc, recordId: r.id, statement: '  ', receivedBy: 'EVALUATING_BODY' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'statement',
    });
    expect(
      await code(objectionService.file(otherCounty(), { creditCode: cc, recordId: r.id, statement: '有误', receivedBy: 'EVALUATING_BODY' })),
    ).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(
      await code(objectionService.file(company(withCheckChar('91130821YY9999999')), { creditCode: cc, statement: '有误', receivedBy: 'EVALUATING_BODY' })),
    ).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await code(objectionService.file(county(), { creditCode: cc, recordId: 'nope', statement: '有误', receivedBy: 'EVALUATING_BODY' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await snapshot()).toEqual(before);

    const o = await objectionService.file(county(), { creditCode: cc, recordId: r.id, statement: '有误', receivedBy: 'EVALUATING_BODY', at: ago(20) });
    before = await snapshot();
    expect(await code(objectionService.decide(county(), o.id, 'REJECTED', '   '))).toEqual({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(await code(objectionService.decide(otherCounty(), o.id, 'REJECTED', '不成立'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await code(objectionService.decide(company(cc), o.id, 'FACTS_WRONG', '自己说有误'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await code(objectionService.decide(county(), o.id, 'REJECTED', '不成立', ago(21)))).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
    expect(await code(objectionService.decide(county(), 'not-a-uuid', 'REJECTED', '不成立'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await code(objectionService.get(otherCounty(), o.id))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await snapshot()).toEqual(before);

    const rating = await current(cc);
    const rejected = await objectionService.decide(county(), o.id, 'REJECTED', '经核查比对，信用记录与执法文书一致', ago(19));
    expect(rejected).toMatchObject({ status: 'DECIDED', outcome: 'REJECTED' });
    const [stored] = await admin.db.query(`SELECT status FROM credit_record WHERE id = $1`, [r.id]);
    expect(stored.status).toBe('ACTIVE');
    expect((await current(cc)).id).toBe(rating.id);
    expect(await objectionService.pending(fresh(), r)).toBe(false);
  });

  it('a credit-authority receipt is routed to the evaluating body; the clock runs from the first receipt', async () => {
    const cc = await enterprise();
    const r = await record(cc, ago(60), ago(50));
    const o = await objectionService.file(creditAuthority(), {
      creditCode: cc,
      recordId: r.id,
      statement: '有误',
      receivedBy: 'CREDIT_AUTHORITY',
      at: ago(20),
    });
    const due = workingDayDeadline(ago(20), 5, calendarSource());
    expect(objectionService.due(o)).toEqual(due);
    // not decided before it is routed; not routed before its receipt
    expect(await code(objectionService.decide(county(), o.id, 'REJECTED', '不成立', ago(19)))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await code(objectionService.route(creditAuthority(), o.id, ago(21)))).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
    const routeAt = ago(17);
    const routed = await objectionService.route(creditAuthority(), o.id, routeAt);
    expect(routed.routedAt).toEqual(routeAt);
    expect(objectionService.due(routed)).toEqual(due);
    expect(await code(objectionService.route(creditAuthority(), o.id))).toMatchObject({ code: 'BAD_USER_INPUT' });
    // the decision is not before the routing
    expect(await code(objectionService.decide(county(), o.id, 'REJECTED', '不成立', ago(18)))).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
    expect(await objectionService.decide(county(), o.id, 'REJECTED', '不成立', ago(16))).toMatchObject({ outcome: 'REJECTED' });
  });

  it('the comparison is due 5 working days after a receipt on 2026-09-30, across 国庆 and the worked Saturday', async () => {
    const receivedAt = new Date('2026-09-30T10:00:00+08:00');
    const occurred = new Date(receivedAt.getTime() - 6 * DAY);
    if (Date.now() < receivedAt.getTime() || occurred.getTime() < Math.max(policy.periodStart.getTime(), policy.inForceFrom.getTime())) {
      console.warn('skipped: 2026-09-30 is not a date this run can test (in the future, or before the period of the policy in force)');
      return;
    }
    const cc = await enterprise();
    const r = await record(cc, occurred, new Date(occurred.getTime() + DAY));
    const o = await objectionService.file(company(cc), { creditCode: cc, recordId: r.id, statement: '有误', receivedBy: 'EVALUATING_BODY', at: receivedAt });
    expect(objectionService.due(o)).toEqual(workingDayDeadline(receivedAt, 5, calendarSource()));
    if (officiallyCovered(2026)) {
      // 10-01…10-07 off; Thu 10-08 (1), Fri 10-09 (2), Sat 10-10 worked (3), Mon 10-12 (4), Tue 10-13 (5).
      expect(objectionService.due(o)).toEqual({ dueDate: '2026-10-13', provisional: false });
    }
  });
});

describe('comparison deadlines and the calendar', () => {
  it('loading an uncovered year recomputes an open objection due in it: provisional → final, moved by the notice', async () => {
    // The first year from now that the chinese-days data does not cover (computed, never assumed).
    let year = chinaYear(new Date());
    while (officiallyCovered(year)) year++;
    const cc = await enterprise();
    const r = await record(cc, ago(60), ago(50));
    const o = await objectionService.file(company(cc), { creditCode: cc, recordId: r.id, statement: '有误', receivedBy: 'EVALUATING_BODY', at: ago(20) });
    // A receipt on 28 December of the year before (entered directly: it may lie in the future of this run).
    const receivedAt = new Date(`${year - 1}-12-28T10:00:00+08:00`);
    const before = workingDayDeadline(receivedAt, 5, calendarSource());
    expect(before.provisional).toBe(true);
    await admin.db.query(`UPDATE objection SET received_at = $2, due_date = $3::date, due_provisional = true WHERE id = $1`, [
      o.id,
      receivedAt,
      before.dueDate,
    ]);
    const holidays = [...new Set([`${year}-01-01`, before.dueDate])];
    await calendarService.loadYear(admin, year, { holidays, workdays: [] });
    const expected = workingDayDeadline(receivedAt, 5, calendarSource(new Map([[year, { holidays, workdays: [] }]])));
    expect(expected.provisional).toBe(false);
    expect(expected.dueDate > before.dueDate).toBe(true);
    expect(objectionService.due(await objectionService.get(fresh(), o.id))).toEqual(expected);
  });
});

describe('objections through GraphQL', () => {
  const run = async (ctx: HubContext, query: string, variables: Record<string, unknown>) =>
    execute({ schema: await hubSchema(), document: parse(query), variableValues: variables, contextValue: ctx });

  it('files, shows 异议处理中 on the record, and decides; Enterprise.objections is internal', async () => {
    const cc = await enterprise();
    const r = await record(cc, ago(60), ago(50));
    const filed = await run(
      company(cc),
      `mutation($cc: String!, $r: ID!) { fileObjection(input: { creditCode: $cc, recordId: $r, statement: "该违法事实不存在", receivedBy: EVALUATING_BODY }) {
         id status receivedBy due { dueDate provisional } record { id objectionPending } enterprise { creditCode } } }`,
      { cc, r: r.id },
    );
    expect(filed.errors).toBeUndefined();
    const o = (filed.data as { fileObjection: { id: string; status: string; record: { objectionPending: boolean } } }).fileObjection;
    expect(o).toMatchObject({ status: 'OPEN', record: { id: r.id, objectionPending: true }, enterprise: { creditCode: cc } });
    const listed = await run(
      county(),
      `query($cc: String!) { enterprise(creditCode: $cc) { objections { id status } creditRecords { id objectionPending } } }`,
      { cc },
    );
    expect(listed.errors).toBeUndefined();
    expect(listed.data).toMatchObject({ enterprise: { objections: [{ id: o.id, status: 'OPEN' }] } });
    // internal data: the public is not signed in; a partner agency in scope may not read it
    const anonymous = await run(as(PUBLIC_PRINCIPAL), `query($id: ID!) { objection(id: $id) { id } }`, { id: o.id });
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const partner = as({ subject: 'agency:bank', role: 'PARTNER_AGENCY', regions: ['130800'] });
    const denied = await run(partner, `query($id: ID!) { objection(id: $id) { id } }`, { id: o.id });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const deniedList = await run(partner, `query($cc: String!) { enterprise(creditCode: $cc) { objections { id } } }`, { cc });
    expect(deniedList.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const decided = await run(
      county(),
      `mutation($id: ID!) { decideObjection(id: $id, outcome: REJECTED, reason: "记录与执法文书一致") { status outcome record { status objectionPending } } }`,
      { id: o.id },
    );
    expect(decided.errors).toBeUndefined();
    expect(decided.data).toEqual({ decideObjection: { status: 'DECIDED', outcome: 'REJECTED', record: { status: 'ACTIVE', objectionPending: false } } });
  });
});
