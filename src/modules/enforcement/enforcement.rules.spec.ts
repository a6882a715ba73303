import { caseOutcome } from '../credit/enforcement.rules';
import { afterDay, isDay, toCaseFacts } from './enforcement.rules';

describe('enforcement helpers', () => {
  it('a deadline day ends at 24:00 China time (16:00 UTC)', () => {
    expect(afterDay('2026-10-08').toISOString()).toBe('2026-10-08T16:00:00.000Z');
  });
  it('accepts real dates only', () => {
    expect(isDay('2026-02-28')).toBe(true);
    for (const bad of ['2026-02-29', '2026-2-28', '20260228', '0001-01-01', '2026-13-01', '']) expect(isDay(bad)).toBe(false);
  });
  it('reads a stored case: a notice complied with on its last day is in time, the next morning is late', () => {
    const c = { id: 'c', caseNo: '承水执〔2026〕1号', indicator: '2.1' };
    const notice = (no: string, compliedAt: string) => ({
      noticeNo: no,
      issuedAt: new Date('2026-03-01T09:00:00+08:00'),
      deadlineDate: '2026-03-15',
      compliedAt: new Date(compliedAt),
    });
    const asOf = new Date('2026-06-01T00:00:00Z');
    const inTime = caseOutcome(toCaseFacts(c, [notice('1', '2026-03-15T23:59:00+08:00')], []), asOf, { cNotices: 2, dNotices: 3 });
    expect(inTime.notices[0].state).toBe('COMPLIED');
    const late = caseOutcome(toCaseFacts(c, [notice('1', '2026-03-16T00:00:00+08:00')], []), asOf, { cNotices: 2, dNotices: 3 });
    expect(late.notices[0].state).toBe('MISSED');
  });
});
