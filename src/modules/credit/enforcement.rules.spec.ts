import { CaseFacts, FineFacts, NoticeFacts, caseOutcome } from './enforcement.rules';

const d = (day: string) => new Date(`${day}T00:00:00+08:00`);
/** A notice due at the end of `due`, complied with on `complied` (or never). */
const notice = (no: string, issued: string, due: string, complied: string | null = null): NoticeFacts => ({
  noticeNo: no,
  issuedAt: d(issued),
  deadline: new Date(d(due).getTime() + 86_400_000),
  compliedAt: complied ? new Date(d(complied).getTime() + 10 * 3_600_000) : null,
});
const fine = (served: string, due: string, paid: string | null = null): FineFacts => ({
  decisionNo: '承水罚〔2026〕1号',
  servedAt: d(served),
  dueAt: new Date(d(due).getTime() + 86_400_000),
  paidAt: paid ? d(paid) : null,
});
const facts = (notices: NoticeFacts[], fines: FineFacts[] = []): CaseFacts => ({ caseId: 'c', caseNo: '2026-001', indicator: '2.3', notices, fines });
const rule = { cNotices: 2, dNotices: 3 };
const asOf = d('2026-11-01');

describe('caseOutcome (annex rows 1–6)', () => {
  it('rectified as ordered without a fine is general', () => {
    const o = caseOutcome(facts([notice('1', '2026-03-01', '2026-03-15', '2026-03-10')]), asOf, rule);
    expect([o.level, o.rectified, o.directC, o.directD]).toEqual(['GENERAL', true, false, false]);
  });

  it('fined and rectified is serious; fined and not rectified is severe, or serious where the indicator has no severe level', () => {
    const rectified = facts([notice('1', '2026-03-01', '2026-03-15', '2026-03-15')], [fine('2026-03-20', '2026-04-07', '2026-04-01')]);
    expect(caseOutcome(rectified, asOf, rule).level).toBe('SERIOUS');
    const not = facts([notice('1', '2026-03-01', '2026-03-15')], [fine('2026-03-20', '2026-04-07', '2026-04-01')]);
    expect(caseOutcome(not, asOf, rule).level).toBe('SEVERE');
    expect(caseOutcome(not, asOf, rule, false).level).toBe('SERIOUS');
  });

  it('complying the day after the deadline is a missed notice', () => {
    const o = caseOutcome(facts([notice('1', '2026-03-01', '2026-03-15', '2026-03-16')]), asOf, rule);
    expect(o.notices[0].state).toBe('MISSED');
  });

  it('direct C: two notices missed, the fine late, the third complied with in time', () => {
    const c = facts(
      [notice('1', '2026-03-01', '2026-03-15'), notice('2', '2026-03-20', '2026-04-01'), notice('3', '2026-04-05', '2026-04-20', '2026-04-18')],
      [fine('2026-03-20', '2026-04-07')],
    );
    const o = caseOutcome(c, asOf, rule);
    expect([o.directC, o.directD, o.missedRun]).toEqual([true, false, ['1', '2']]);
    expect(o.facts.zh).toContain('责令整改通知书1（期限至2026-03-15）未按期整改');
    expect(o.facts.zh).toContain('未按时缴纳');
    // Before the third notice was complied with, it is not yet direct C.
    expect(caseOutcome(c, d('2026-04-10'), rule).directC).toBe(false);
  });

  it('a fine paid in time keeps two missed notices from direct C', () => {
    const c = facts(
      [notice('1', '2026-03-01', '2026-03-15'), notice('2', '2026-03-20', '2026-04-01'), notice('3', '2026-04-05', '2026-04-20', '2026-04-18')],
      [fine('2026-03-20', '2026-04-07', '2026-04-02')],
    );
    expect(caseOutcome(c, asOf, rule).directC).toBe(false);
  });

  it('direct D: three notices missed in a row and the fine late; pending deadlines do not count yet', () => {
    const c = facts(
      [notice('1', '2026-03-01', '2026-03-15'), notice('2', '2026-03-20', '2026-04-01'), notice('3', '2026-04-05', '2026-04-20')],
      [fine('2026-03-20', '2026-04-07')],
    );
    expect(caseOutcome(c, asOf, rule).directD).toBe(true);
    expect(caseOutcome(c, d('2026-04-15'), rule).directD).toBe(false);
    expect(caseOutcome(c, d('2026-04-15'), rule).notices.map((n) => n.state)).toEqual(['MISSED', 'MISSED', 'PENDING']);
  });
});
