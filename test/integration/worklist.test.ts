import { execute, parse } from 'graphql';
import { hubSchema } from '../../src/schema';
import { createHub } from '../../src/app';
import { loadConfig } from '../../src/platform/config';
import { HubContext } from '../../src/modules/context';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { enterpriseService } from '../../src/modules/enterprise/enterprise.service';
import { objectionService } from '../../src/modules/objection/objection.service';
import { creditRecordService } from '../../src/modules/credit/credit-record.service';
import { enforcementService } from '../../src/modules/enforcement/enforcement.service';
import { insertReport } from '../../src/modules/report/report.repository';
import { calendarService } from '../../src/modules/calendar/calendar.service';
import { calendarSource, isWorkingDay, officiallyCovered } from '../../src/modules/calendar/working-days.rules';
import { chinaDateString } from '../../src/platform/china-time';
import { Principal, signToken } from '../../src/platform/auth/principal';
import { Database } from '../../src/platform/db';
import { testContext, testDeps } from '../support/context';
import { TEST_DATABASE_URL, TEST_SECRET, testDatabase } from '../support/hub';
import { recordGeneral } from '../support/credit-steps';
import { inPeriod, policyNow, testPolicies } from '../support/policy-time';

/**
 * Issue 10 items 1 and 7 on Postgres: inboxes over every registered work source (objections,
 * reports, fines, letters), scoped by jurisdiction, oldest first, with each item's standing
 * against its deadline as of today (China time) on the official calendar; the overdue metric and
 * the admin details of /health. Item dates come from the steps' own dates (`at`, servedAt,
 * occurredAt) computed from now; states that depend on today are compared with an expectation
 * computed here, day by day, on the calendar.
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
const city = () => as({ subject: 'officer:130800', role: 'CITY_AUTHORITY', regions: ['130800'] });
const otherCity = () => as({ subject: 'officer:130100', role: 'CITY_AUTHORITY', regions: ['130100'] });
const creditAuthority = () => as({ subject: 'credit:130800', role: 'CREDIT_AUTHORITY', regions: ['130800'] });

async function enterprise(region = '130821'): Promise<{ creditCode: string; id: string }> {
  const creditCode = withCheckChar(`91${region}WL${String(++seq).padStart(7, '0')}`);
  const e = await enterpriseService.register(admin, { creditCode, name: `收件箱测试企业${seq}`, regionCode: region });
  return { creditCode, id: e.id };
}

const run = async (ctx: HubContext, query: string, variables: Record<string, unknown> = {}) =>
  execute({ schema: await hubSchema(), document: parse(query), variableValues: variables, contextValue: ctx }) as Promise<{ data?: any; errors?: any[] }>;

const INBOX = `query($state: [WorkState!], $kinds: [WorkKind!], $w: Int, $first: Int, $offset: Int) {
  inbox(state: $state, kinds: $kinds, dueWithinWorkingDays: $w, first: $first, offset: $offset) {
    today totalCount hasNextPage truncated counts { state count }
    items { kind step id openedAt summary state workingDaysLate calendarDaysLate deadline { dueDate provisional } enterprise { creditCode } } } }`;

async function inbox(ctx: HubContext, vars: Record<string, unknown> = {}) {
  // The kinds these tests seed; determinations also open FILING work (test/integration/filing.test.ts covers it).
  const r = await run(ctx, INBOX, { first: 500, kinds: ['OBJECTION', 'REPORT', 'FINE', 'LETTER'], ...vars });
  expect(r.errors).toBeUndefined();
  return r.data.inbox as {
    today: string;
    totalCount: number;
    hasNextPage: boolean;
    counts: { state: string; count: number }[];
    items: {
      kind: string;
      step: string;
      id: string;
      openedAt: Date;
      state: string;
      summary: string;
      workingDaysLate: number;
      calendarDaysLate: number;
      deadline: { dueDate: string; provisional: boolean } | null;
      enterprise: { creditCode: string } | null;
    }[];
  };
}

/** Days after `due` up to and including `today`: all, and the working ones, walked one by one on the calendar. */
function lateness(due: string, today: string): { calendar: number; working: number } {
  const source = calendarSource();
  let calendar = 0;
  let working = 0;
  for (let d = Date.parse(`${due}T00:00:00Z`) + DAY; d <= Date.parse(`${today}T00:00:00Z`); d += DAY) {
    const day = new Date(d).toISOString().slice(0, 10);
    calendar++;
    if (isWorkingDay(source.year(Number(day.slice(0, 4))), day)) working++;
  }
  return { calendar, working };
}

/** Items of these enterprises only (other tests of the file add their own). */
const of = <T extends { enterprise: { creditCode: string } | null }>(items: T[], ...codes: string[]): T[] =>
  items.filter((i) => codes.includes(i.enterprise?.creditCode ?? ''));

/** One of each kind for an enterprise of 承德县 (130821), and an objection for one of 兴隆县 (130822). */
async function seed() {
  const a = await enterprise('130821');
  const b = await enterprise('130822');
  const ra = await recordGeneral(county(), a.creditCode, indicator.code, ago(80), ago(70));
  const ra2 = await recordGeneral(county(), a.creditCode, indicator.code, ago(75), ago(65));
  const rb = await recordGeneral(otherCounty(), b.creditCode, indicator.code, ago(80), ago(70));
  const objRecord = await objectionService.file(county(), {
    creditCode: a.creditCode,
    recordId: ra.id,
    statement: '事实有误',
    receivedBy: 'EVALUATING_BODY',
    at: ago(60),
  });
  const objRating = await objectionService.file(creditAuthority(), {
    creditCode: a.creditCode,
    recordId: ra2.id,
    statement: '事实有误（经信用主管部门收取）',
    receivedBy: 'CREDIT_AUTHORITY',
    at: ago(40),
  });
  const objB = await objectionService.file(otherCounty(), {
    creditCode: b.creditCode,
    recordId: rb.id,
    statement: '事实有误',
    receivedBy: 'EVALUATING_BODY',
    at: ago(50),
  });
  const receivedAt = ago(55);
  const due = await calendarService.workingDayDeadline(admin, receivedAt, 7);
  // reportFalseInformation takes no `at` (a report is received when submitted): an old one is stored as the service stores it.
  const report = (await insertReport(admin.db, {
    receiptNo: `JB-TEST-${++seq}`,
    enterpriseId: a.id,
    recordId: ra.id,
    content: '该记录不实',
    reporterName: '张三',
    reporterContact: '13800000000',
    receivedAt,
    dueDate: due.dueDate,
    dueProvisional: due.provisional,
  }))!;
  const c = await enforcementService.open(county(), {
    creditCode: a.creditCode,
    indicator: indicator.code,
    caseNo: `承水执〔收件箱〕${++seq}号`,
    openedAt: ago(50),
  });
  const fine = await enforcementService.recordFine(county(), c.id, `承水罚〔收件箱〕${++seq}号`, ago(45), 1000);
  // 兴隆县 determines conduct in its county by an enterprise registered in 承德县: a letter (函告) to 承德县, sent now.
  const foreign = await creditRecordService.recordDishonesty(otherCounty(), {
    creditCode: a.creditCode,
    indicator: indicator.code,
    level: 'GENERAL',
    occurredAt: ago(30),
    determinedAt: ago(29),
    basis: '承水节〔2023〕15号第十一条',
    conductRegionCode: '130822',
  });
  expect(foreign.letterId).toBeTruthy();
  return { a, b, objRecord, objRating, objB, report, fine, letterId: foreign.letterId! };
}

let seeded: Awaited<ReturnType<typeof seed>>;

beforeAll(async () => {
  ({ db, drop } = await testDatabase('worklist'));
  admin = testContext(testDeps(db, { policies: testPolicies() }));
  seeded = await seed();
});
afterAll(async () => {
  await drop?.();
});

describe('inbox (issue 10 item 7)', () => {
  it("lists each source's open work to the authority in scope, oldest first, and none of another region's", async () => {
    const { a, b, objRecord, objRating, objB, report, fine, letterId } = seeded;
    const mine = of((await inbox(county())).items, a.creditCode, b.creditCode);
    expect(mine.map((i) => [i.kind, i.step, i.id])).toEqual([
      ['OBJECTION', 'COMPARE', objRecord.id],
      ['REPORT', 'VERIFY', report.id],
      ['FINE', 'PAYMENT', fine.id],
      ['OBJECTION', 'COMPARE', objRating.id],
      ['LETTER', 'ACKNOWLEDGE', letterId],
    ]);
    for (let k = 1; k < mine.length; k++) expect(new Date(mine[k].openedAt).getTime()).toBeGreaterThanOrEqual(new Date(mine[k - 1].openedAt).getTime());
    expect(mine.every((i) => i.enterprise?.creditCode === a.creditCode)).toBe(true);
    // The summary names no reporter.
    expect(mine.map((i) => i.summary).join(' ')).not.toMatch(/张三|13800000000/);

    // 兴隆县 sees its own enterprise's objection, not 承德县's work (the letter goes to 承德县; the fine was 承德县's).
    expect(of((await inbox(otherCounty())).items, a.creditCode, b.creditCode).map((i) => i.id)).toEqual([objB.id]);
    // The city covers both counties; another city neither.
    expect(of((await inbox(city())).items, a.creditCode, b.creditCode).map((i) => i.id)).toEqual([
      objRecord.id,
      report.id,
      objB.id,
      fine.id,
      objRating.id,
      letterId,
    ]);
    expect(of((await inbox(otherCity())).items, a.creditCode, b.creditCode)).toEqual([]);
    // The credit authority follows the objection it received, nothing else here.
    expect(of((await inbox(creditAuthority())).items, a.creditCode, b.creditCode).map((i) => i.id)).toEqual([objRating.id]);
    expect(of((await inbox(admin)).items, a.creditCode, b.creditCode)).toHaveLength(6);
  });

  it('gives each item its deadline and standing as of today, counts per state, and filters by state and kind', async () => {
    const { a, objRecord, report, fine } = seeded;
    const box = await inbox(county());
    const today = chinaDateString(new Date());
    expect(box.today).toBe(today);
    const mine = of(box.items, a.creditCode);
    const byId = new Map(mine.map((i) => [i.id, i]));
    expect(byId.get(objRecord.id)!.deadline).toEqual(objectionService.due(objRecord));
    expect(byId.get(report.id)!.deadline).toEqual({ dueDate: report.dueDate, provisional: report.dueProvisional });
    expect(byId.get(fine.id)!.deadline).toEqual({ dueDate: fine.dueDate, provisional: fine.dueProvisional });
    for (const i of mine) {
      if (i.kind === 'LETTER') {
        expect(i).toMatchObject({ state: 'NO_DEADLINE', deadline: null, workingDaysLate: 0, calendarDaysLate: 0 });
        continue;
      }
      // Weeks old with deadlines of days: overdue, by the days walked on the calendar.
      const late = lateness(i.deadline!.dueDate, today);
      expect(late.calendar).toBeGreaterThan(0);
      expect(i).toMatchObject({ state: 'OVERDUE', calendarDaysLate: late.calendar, workingDaysLate: late.working });
    }
    // Counts: every state, summing to the whole inbox.
    expect(box.counts.map((c) => c.state)).toEqual(['OVERDUE', 'DUE_TODAY', 'DUE_SOON', 'OPEN', 'NO_DEADLINE']);
    expect(box.counts.reduce((s, c) => s + c.count, 0)).toBe(box.totalCount);

    const overdue = await inbox(county(), { state: ['OVERDUE'] });
    expect(overdue.items.every((i) => i.state === 'OVERDUE')).toBe(true);
    expect(overdue.totalCount).toBe(box.counts.find((c) => c.state === 'OVERDUE')!.count);
    expect(of(overdue.items, a.creditCode).map((i) => i.kind)).toEqual(['OBJECTION', 'REPORT', 'FINE', 'OBJECTION']);
    expect(of((await inbox(county(), { state: ['NO_DEADLINE'] })).items, a.creditCode).map((i) => i.kind)).toEqual(['LETTER']);
    const fines = await inbox(county(), { kinds: ['FINE'] });
    expect(fines.items.map((i) => i.kind)).toEqual(fines.items.map(() => 'FINE'));
    expect(of(fines.items, a.creditCode).map((i) => i.id)).toEqual([fine.id]);
    expect(fines.counts.reduce((s, c) => s + c.count, 0)).toBe(fines.totalCount);

    // Paging: offset and first cut the same oldest-first list.
    const all = await inbox(county());
    const p1 = await inbox(county(), { first: 2, offset: 0 });
    const p2 = await inbox(county(), { first: 2, offset: 2 });
    expect([...p1.items, ...p2.items].map((i) => i.id)).toEqual(all.items.slice(0, 4).map((i) => i.id));
    expect(p1.hasNextPage).toBe(true);
    expect(p1.totalCount).toBe(all.totalCount);
  });

  it('a report received today is DUE_SOON with a window of 7 working days and OPEN with the default of 2', async () => {
    const c = await enterprise('130821');
    const now = new Date();
    const due = await calendarService.workingDayDeadline(admin, now, 7);
    const r = (await insertReport(admin.db, {
      receiptNo: `JB-TEST-${++seq}`,
      enterpriseId: c.id,
      recordId: null,
      content: '信息不实',
      reporterName: null,
      reporterContact: null,
      receivedAt: now,
      dueDate: due.dueDate,
      dueProvisional: due.provisional,
    }))!;
    const find = async (w?: number) => (await inbox(county(), w === undefined ? {} : { w })).items.find((i) => i.id === r.id)!;
    expect(await find()).toMatchObject({ state: 'OPEN', workingDaysLate: 0, calendarDaysLate: 0, deadline: due });
    expect((await find(7)).state).toBe('DUE_SOON');
    expect((await find(6)).state).toBe('OPEN');
    expect((await inbox(county(), { state: ['DUE_SOON'], w: 7 })).items.map((i) => i.id)).toContain(r.id);
  });

  it('an objection received on Monday 2026-09-28 is due Saturday 10-10 (国庆, the worked Saturday) and as late as the calendar says', async () => {
    const receivedAt = new Date('2026-09-28T10:00:00+08:00');
    const occurred = new Date(receivedAt.getTime() - 14 * DAY);
    if (Date.now() < Date.parse('2026-10-11T00:00:00+08:00') || occurred.getTime() < Math.max(policy.periodStart.getTime(), policy.inForceFrom.getTime())) {
      console.warn('skipped: 2026-09-28 is not a date this run can test (its deadline not yet passed, or before the period of the policy in force)');
      return;
    }
    const e = await enterprise('130821');
    const r = await recordGeneral(county(), e.creditCode, indicator.code, occurred, new Date(occurred.getTime() + DAY));
    const o = await objectionService.file(county(), {
      creditCode: e.creditCode,
      recordId: r.id,
      statement: '事实有误',
      receivedBy: 'EVALUATING_BODY',
      at: receivedAt,
    });
    // A fine served Wednesday 09-16: 15 days end on 10-01 (国庆), rolled to the first working day, Thursday 10-08.
    const c = await enforcementService.open(county(), {
      creditCode: e.creditCode,
      indicator: indicator.code,
      caseNo: `承水执〔国庆〕${++seq}号`,
      openedAt: occurred,
    });
    const f = await enforcementService.recordFine(county(), c.id, `承水罚〔国庆〕${++seq}号`, new Date('2026-09-16T10:00:00+08:00'));
    if (officiallyCovered(2026)) {
      expect(objectionService.due(o)).toEqual({ dueDate: '2026-10-10', provisional: false });
      expect(f.dueDate).toBe('2026-10-08');
    }
    const items = of((await inbox(county(), { state: ['OVERDUE'] })).items, e.creditCode);
    const today = chinaDateString(new Date());
    expect(items.map((i) => [i.kind, i.id])).toEqual([
      ['FINE', f.id],
      ['OBJECTION', o.id],
    ]);
    const [fineItem, objItem] = items;
    const lo = lateness(objItem.deadline!.dueDate, today);
    expect(objItem).toMatchObject({ calendarDaysLate: lo.calendar, workingDaysLate: lo.working });
    const lf = lateness(fineItem.deadline!.dueDate, today);
    expect(fineItem).toMatchObject({ calendarDaysLate: lf.calendar, workingDaysLate: lf.working });
    if (officiallyCovered(2026)) {
      // Fri 10-09 and the worked Saturday 10-10 are working days after 10-08: the fine is 2 more working days late, 2 more calendar days.
      expect(fineItem.workingDaysLate - objItem.workingDaysLate).toBe(2);
      expect(fineItem.calendarDaysLate - objItem.calendarDaysLate).toBe(2);
    }
  });

  it('is for authorities only, and refuses bad arguments', async () => {
    const code = async (ctx: HubContext, vars: Record<string, unknown> = {}) => (await run(ctx, INBOX, vars)).errors?.[0]?.extensions?.code;
    expect(await code(as({ subject: seeded.a.creditCode, role: 'ENTERPRISE', regions: [], creditCode: seeded.a.creditCode }))).toBe('FORBIDDEN');
    expect(await code(as({ subject: 'agency:x', role: 'PARTNER_AGENCY', regions: ['130800'], agency: '某银行' }))).toBe('FORBIDDEN');
    expect(await code(as({ subject: 'anonymous', role: 'PUBLIC', regions: [] }))).toBe('UNAUTHENTICATED');
    expect(await code(county(), { first: 501 })).toBe('BAD_USER_INPUT');
    expect(await code(county(), { offset: -1 })).toBe('BAD_USER_INPUT');
    expect(await code(county(), { w: 31 })).toBe('BAD_USER_INPUT');
  });
});

describe('overdue metric and /health details (issue 10 item 1)', () => {
  it('hub_work_overdue counts overdue work per kind; /health adds the details for a SYSTEM_ADMIN token only', async () => {
    const hub = await createHub(loadConfig({ NODE_ENV: 'test', HUB_JWT_SECRET: TEST_SECRET, DATABASE_URL: TEST_DATABASE_URL }), db, testPolicies());
    try {
      const url = await hub.listen(0);
      hub.markReady();
      const today = chinaDateString(new Date());
      const n = async (sql: string) => (await db.manager.query(sql, [today]))[0].n as number;
      const expected = {
        FINE: await n(`SELECT count(*)::int AS n FROM enforcement_fine WHERE paid_at IS NULL AND due_date < $1::date`),
        FILING: await n(`SELECT count(*)::int AS n FROM credit_filing WHERE acknowledged_at IS NULL AND due_date < $1::date`),
        LETTER: 0,
        OBJECTION: await n(`SELECT count(*)::int AS n FROM objection WHERE status = 'OPEN' AND due_date < $1::date`),
        REPORT: await n(`SELECT count(*)::int AS n FROM false_info_report WHERE status = 'RECEIVED' AND due_date < $1::date`),
      };
      expect(expected.OBJECTION).toBeGreaterThanOrEqual(3);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      for (const [kind, count] of Object.entries(expected)) expect(metrics).toContain(`hub_work_overdue{kind="${kind}"} ${count}`);

      const health = async (token?: string) => {
        const res = await fetch(`${url}/health`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
        return { status: res.status, body: (await res.json()) as Record<string, any> };
      };
      const plain = await health();
      expect(plain.status).toBe(200);
      expect(plain.body.work).toBeUndefined();
      const adminToken = signToken({ role: 'SYSTEM_ADMIN' }, TEST_SECRET);
      const detailed = await health(adminToken);
      expect(detailed.status).toBe(200);
      expect(detailed.body).toMatchObject({ ...plain.body, work: { today, overdue: expected } });
      expect(Object.keys(detailed.body.work.dueToday).sort()).toEqual(Object.keys(detailed.body.work.overdue).sort());
      // Any other role, a bad token: the anonymous answer.
      for (const token of [
        signToken({ role: 'CITY_AUTHORITY', regions: ['130800'] }, TEST_SECRET),
        signToken({ role: 'PROVINCE_AUTHORITY', regions: ['130000'] }, TEST_SECRET),
        'not-a-token',
      ]) {
        const r = await health(token);
        expect(r.status).toBe(200);
        expect(r.body).toEqual(plain.body);
      }
    } finally {
      await hub.stop();
    }
  });
});
