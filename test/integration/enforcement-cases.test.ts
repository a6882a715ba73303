import { HubContext } from '../../src/modules/context';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { enterpriseService } from '../../src/modules/enterprise/enterprise.service';
import { enforcementService } from '../../src/modules/enforcement/enforcement.service';
import { enforcementViewService } from '../../src/modules/enforcement/enforcement-view.service';
import { permitService } from '../../src/modules/permit/permit.service';
import { calendarService } from '../../src/modules/calendar/calendar.service';
import { calendarDayDeadline, calendarSource, officiallyCovered } from '../../src/modules/calendar/working-days.rules';
import { FINE_PAYMENT_DAYS } from '../../src/modules/enforcement/enforcement.rules';
import { chinaDateString, chinaYear } from '../../src/platform/china-time';
import { Database } from '../../src/platform/db';
import { testContext, testDeps } from '../support/context';
import { testDatabase } from '../support/hub';
import { inPeriod, policyNow, testPolicies } from '../support/policy-time';

/**
 * Issue 9 item 4 on Postgres: enforcement cases from notice to fine to record, the levels they
 * derive, direct C and D, permit kinds and annulment, and refused steps that store nothing.
 * Every date is computed from now (inside the evaluation period of the policy in force).
 */
const DAY = 86_400_000;
const policy = policyNow();
const dArea = policy.indicators.find((i) => policy.directGrading.dAreas.includes(i.area) && i.levels.SEVERE !== undefined)!;
const otherArea = policy.indicators.find((i) => !policy.directGrading.dAreas.includes(i.area))!;
/** An instant `daysAgo` days back, inside the period. */
const ago = (daysAgo: number) => new Date(inPeriod(daysAgo));
/** The China day of `daysAgo` days back, as a notice deadline. */
const dayAgo = (daysAgo: number) => chinaDateString(ago(daysAgo));

let db: Database;
let drop: () => Promise<void>;
let ctx: HubContext;
let seq = 0;

async function enterprise(): Promise<string> {
  const creditCode = withCheckChar(`91130821EC${String(++seq).padStart(7, '0')}`);
  await enterpriseService.register(ctx, { creditCode, name: `承德县执法案件测试企业${seq}`, regionCode: '130821' });
  return creditCode;
}

async function openCase(creditCode: string, indicator = dArea.code, openedDaysAgo = 120) {
  return enforcementService.open(ctx, { creditCode, indicator, caseNo: `承水执〔测〕${++seq}号`, openedAt: ago(openedDaysAgo) });
}

/** A notice issued `issued` days ago, due `due` days ago (a deadline of the past), complied `complied` days ago or never. */
async function notice(caseId: string, issued: number, due: number, complied: number | null = null) {
  const n = await enforcementService.issueNotice(ctx, caseId, `责改〔测〕${++seq}号`, ago(issued), dayAgo(due));
  return complied === null ? n : enforcementService.recordCompliance(ctx, n.id, ago(complied));
}

async function fine(caseId: string, served: number, paid: number | null = null) {
  const f = await enforcementService.recordFine(ctx, caseId, `承水罚〔测〕${++seq}号`, ago(served), 5000);
  return paid === null ? f : enforcementService.recordFinePayment(ctx, f.id, ago(paid));
}

/** The current official grade and its reasons, both languages of each on one line. */
async function current(creditCode: string): Promise<{ grade: string; reasons: string[] }> {
  const [row] = await ctx.db.query(`SELECT r.grade, r.reasons FROM enterprise e JOIN credit_rating r ON r.id = e.current_rating_id WHERE e.credit_code = $1`, [
    creditCode,
  ]);
  const r = row as { grade: string; reasons: { zh: string; en: string }[] };
  return { grade: r.grade, reasons: r.reasons.map((x) => `${x.zh} ${x.en}`) };
}

const counts = async () =>
  (
    await ctx.db.query(`SELECT (SELECT count(*) FROM enforcement_case)::int AS cases, (SELECT count(*) FROM rectification_notice)::int AS notices,
      (SELECT count(*) FROM enforcement_fine)::int AS fines, (SELECT count(*) FROM credit_record)::int AS records,
      (SELECT count(*) FROM credit_rating)::int AS ratings,
      (SELECT count(*) FROM rectification_notice WHERE complied_at IS NOT NULL OR not_complied_at IS NOT NULL)::int AS answered,
      (SELECT count(*) FROM enforcement_fine WHERE paid_at IS NOT NULL)::int AS paid`)
  )[0];

beforeAll(async () => {
  ({ db, drop } = await testDatabase('enforce'));
  ctx = testContext(testDeps(db, { policies: testPolicies() }));
});
afterAll(async () => {
  await drop?.();
});

describe('levels derived from the case (annex rows 1–5)', () => {
  it('rectified as ordered → 一般; fined and rectified → 较重; fined and not rectified → 严重 (and D)', async () => {
    const general = await enterprise();
    const c1 = await openCase(general);
    await notice(c1.id, 100, 90, 95);
    const r1 = await enforcementService.determineFromCase(ctx, c1.id, '承水节〔2023〕15号第十一条');
    expect(r1).toMatchObject({ level: 'GENERAL', indicator: dArea.code });
    expect((await current(general)).grade).toBe('C');

    const serious = await enterprise();
    const c2 = await openCase(serious);
    await notice(c2.id, 100, 90, 95);
    await fine(c2.id, 80, 75);
    expect((await enforcementService.determineFromCase(ctx, c2.id, '行政处罚决定书')).level).toBe('SERIOUS');

    const severe = await enterprise();
    const c3 = await openCase(severe);
    await notice(c3.id, 100, 90);
    await fine(c3.id, 80, 75);
    const r3 = await enforcementService.determineFromCase(ctx, c3.id, '行政处罚决定书');
    expect(r3.level).toBe('SEVERE');
    expect((await current(severe)).grade).toBe('D');
    // The record names its case.
    const fresh = testContext(testDeps(db, { policies: testPolicies() }));
    expect(await enforcementViewService.ofRecord(fresh, r3)).toMatchObject({ id: c3.id, caseNo: c3.caseNo });
  });

  it('refuses to determine while the case establishes no level, or twice', async () => {
    const code = await enterprise();
    const c = await openCase(code);
    const before = await counts();
    await expect(enforcementService.determineFromCase(ctx, c.id, '依据')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await counts()).toEqual(before);
    await notice(c.id, 100, 90, 95);
    await enforcementService.determineFromCase(ctx, c.id, '依据');
    await expect(enforcementService.determineFromCase(ctx, c.id, '依据')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(enforcementService.determineFromCase(ctx, c.id, '  ')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'basis' } });
  });
});

describe('direct grading from the case (annex row 6)', () => {
  it('direct C: two notices missed, the fine not paid in time, the third complied with in time', async () => {
    const code = await enterprise();
    const c = await openCase(code);
    await notice(c.id, 110, 100);
    await notice(c.id, 90, 80);
    await fine(c.id, 78);
    expect((await current(code)).grade).toBe('B'); // two missed and a fine still running: nothing direct yet
    await notice(c.id, 50, 40, 45);
    const { grade, reasons } = await current(code);
    expect(grade).toBe('C');
    expect(reasons.join('\n')).toMatch(/direct C from enforcement/);
    expect(reasons.join('\n')).toMatch(/未按期整改/);
    const o = await enforcementViewService.outcome(testContext(testDeps(db, { policies: testPolicies() })), c);
    expect(o).toMatchObject({ directC: true, directD: false, fineLate: true, rectified: true });
    expect(o.missedNotices).toHaveLength(2);
  });

  it(`direct D: three notices missed and the fine late on area ${dArea.area}; none on area ${otherArea.area}`, async () => {
    const run = async (indicator: string) => {
      const code = await enterprise();
      const c = await openCase(code, indicator);
      await notice(c.id, 110, 100);
      await notice(c.id, 90, 80);
      await notice(c.id, 70, 60);
      const f = await fine(c.id, 58);
      return { code, c, f };
    };
    const d = await run(dArea.code);
    const { grade, reasons } = await current(d.code);
    expect(grade).toBe('D');
    expect(reasons.join('\n')).toMatch(/direct D from enforcement/);
    expect(reasons.join('\n')).toContain(d.c.caseNo);
    expect(enforcementViewService.fineState(d.f)).toBe('LATE');
    const other = await run(otherArea.code);
    expect((await current(other.code)).grade).not.toBe('D');
    expect(await enforcementViewService.outcome(testContext(testDeps(db, { policies: testPolicies() })), other.c)).toMatchObject({ directD: false });
  });

  it('a fine paid in time is no direct D', async () => {
    const code = await enterprise();
    const c = await openCase(code);
    await notice(c.id, 110, 100);
    await notice(c.id, 90, 80);
    await notice(c.id, 70, 60);
    await fine(c.id, 58, 57);
    expect((await current(code)).grade).toBe('B');
  });
});

describe('permit actions', () => {
  const permit = async (code: string) =>
    permitService.register(ctx, {
      creditCode: code,
      permitNo: `取水(冀承)字[测]第${++seq}号`,
      validFrom: new Date(Date.now() - 900 * DAY),
      validTo: new Date(Date.now() + 900 * DAY),
      annualQuota: 1e6,
    });

  it('注销 and 撤回 are no direct D; 吊销 is, until annulled on review (void from the start)', async () => {
    for (const kind of ['CANCELLATION', 'WITHDRAWAL'] as const) {
      const code = await enterprise();
      const p = await permit(code);
      const revoked = await permitService.revoke(ctx, p.permitNo, ago(30), '企业申请注销', kind);
      expect(revoked.revocationKind).toBe(kind);
      expect((await current(code)).grade).toBe('B');
    }
    const code = await enterprise();
    const p = await permit(code);
    await permitService.revoke(ctx, p.permitNo, ago(30), '拒不整改，依法吊销');
    expect((await current(code)).grade).toBe('D');
    const annulled = await permitService.annulRevocation(ctx, p.permitNo, ago(10), '行政复议决定书撤销吊销决定');
    expect(annulled.annulledAt).not.toBeNull();
    expect((await current(code)).grade).toBe('B'); // no D episode left behind (Art. 16(2) not applied)
    await expect(permitService.annulRevocation(ctx, p.permitNo, ago(5), '再次')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('refuses to annul a permit that was never revoked, or before its revocation', async () => {
    const code = await enterprise();
    const p = await permit(code);
    await expect(permitService.annulRevocation(ctx, p.permitNo, ago(5), '复议')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await permitService.revoke(ctx, p.permitNo, ago(20), '吊销');
    await expect(permitService.annulRevocation(ctx, p.permitNo, ago(30), '复议')).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'annulledAt' },
    });
  });
});

describe('refused steps store nothing', () => {
  it('impossible dates, unknown ids, unknown indicators and duplicate numbers', async () => {
    const code = await enterprise();
    const c = await openCase(code);
    const n = await notice(c.id, 100, 90);
    const f = await fine(c.id, 80);
    const before = await counts();
    const bad = { extensions: { code: 'BAD_USER_INPUT' } };
    const missing = { extensions: { code: 'NOT_FOUND' } };
    // A deadline before the day of issue; malformed deadline; issued in the future; before the case was opened.
    await expect(enforcementService.issueNotice(ctx, c.id, 'X1', ago(50), dayAgo(60))).rejects.toMatchObject(bad);
    await expect(enforcementService.issueNotice(ctx, c.id, 'X2', ago(50), '2026-02-30')).rejects.toMatchObject(bad);
    await expect(enforcementService.issueNotice(ctx, c.id, 'X3', new Date(Date.now() + 2 * DAY), dayAgo(1))).rejects.toMatchObject(bad);
    await expect(enforcementService.issueNotice(ctx, c.id, 'X4', ago(130), dayAgo(125))).rejects.toMatchObject(bad);
    // A compliance before the issue, or in the future; "not complied" before the deadline has passed.
    await expect(enforcementService.recordCompliance(ctx, n.id, ago(105))).rejects.toMatchObject(bad);
    await expect(enforcementService.recordCompliance(ctx, n.id, new Date(Date.now() + 2 * DAY))).rejects.toMatchObject(bad);
    await expect(enforcementService.recordNotComplied(ctx, n.id, ago(95))).rejects.toMatchObject(bad);
    // A payment before the fine was served.
    await expect(enforcementService.recordFinePayment(ctx, f.id, ago(85))).rejects.toMatchObject(bad);
    // Unknown and malformed ids.
    await expect(enforcementService.recordFinePayment(ctx, '00000000-0000-0000-0000-000000000000', ago(1))).rejects.toMatchObject(missing);
    await expect(enforcementService.recordCompliance(ctx, 'not-an-id', ago(1))).rejects.toMatchObject(missing);
    await expect(enforcementService.issueNotice(ctx, 'nope', 'X5', ago(1), dayAgo(1))).rejects.toMatchObject(missing);
    await expect(enforcementViewService.get(ctx, 'nope')).rejects.toMatchObject(missing);
    // An indicator the policy does not have; a case number already used.
    await expect(enforcementService.open(ctx, { creditCode: code, indicator: '9.9', caseNo: 'Z1', openedAt: ago(5) })).rejects.toMatchObject(bad);
    await expect(enforcementService.open(ctx, { creditCode: code, indicator: dArea.code, caseNo: c.caseNo, openedAt: ago(5) })).rejects.toMatchObject(bad);
    // A notice number already used in the case.
    await expect(enforcementService.issueNotice(ctx, c.id, n.noticeNo, ago(50), dayAgo(40))).rejects.toMatchObject(bad);
    expect(await counts()).toEqual(before);
    // "Not complied" after the deadline is recorded.
    expect((await enforcementService.recordNotComplied(ctx, n.id, ago(80))).notCompliedAt).not.toBeNull();
  });

  it('a county officer of another county may not act on the case', async () => {
    const code = await enterprise();
    const c = await openCase(code);
    const other = testContext(testDeps(db, { policies: testPolicies() }), { subject: 'officer:130822', role: 'COUNTY_AUTHORITY', regions: ['130822'] });
    const before = await counts();
    await expect(enforcementService.issueNotice(other, c.id, 'Y1', ago(50), dayAgo(40))).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(await counts()).toEqual(before);
  });
});

describe('fine due dates', () => {
  it('are 15 calendar days after service, rolled to the next working day, as the calendar says', async () => {
    const code = await enterprise();
    const c = await openCase(code);
    const served = ago(40);
    const f = await enforcementService.recordFine(ctx, c.id, 'D-1', served);
    expect(enforcementViewService.fineDue(f)).toEqual(calendarDayDeadline(served, FINE_PAYMENT_DAYS));
  });

  it('loading a year without official data recomputes the fines that reached into it: provisional → final, moved when the notice says so', async () => {
    // The latest past year the chinese-days data does not cover (computed, never assumed).
    let year = chinaYear(new Date()) - 1;
    while (officiallyCovered(year) && year > 1902) year--;
    expect(officiallyCovered(year)).toBe(false);
    const code = await enterprise();
    const c = await enforcementService.open(ctx, {
      creditCode: code,
      indicator: dArea.code,
      caseNo: `历年-${year}`,
      openedAt: new Date(`${year - 1}-12-01T09:00:00+08:00`),
    });
    const served = new Date(`${year - 1}-12-20T10:00:00+08:00`);
    const f = await enforcementService.recordFine(ctx, c.id, `承水罚〔${year - 1}〕1号`, served);
    const before = enforcementViewService.fineDue(f);
    expect(before.provisional).toBe(true);
    expect(before.dueDate.startsWith(`${year}-`)).toBe(true);
    // The loaded notice makes the provisional due day (and the day after) holidays.
    const next = chinaDateString(new Date(Date.parse(`${before.dueDate}T12:00:00+08:00`) + DAY));
    const holidays = [...new Set([`${year}-01-01`, before.dueDate, next])];
    await calendarService.loadYear(ctx, year, { holidays, workdays: [] });
    const [after] = await enforcementViewService.fines(testContext(testDeps(db, { policies: testPolicies() })), c);
    const expected = calendarDayDeadline(served, FINE_PAYMENT_DAYS, calendarSource(new Map([[year, { holidays, workdays: [] }]])));
    expect(expected.provisional).toBe(false);
    expect(expected.dueDate > next).toBe(true);
    expect(enforcementViewService.fineDue(after)).toEqual(expected);
  });
});
