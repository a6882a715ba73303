import { calendarSource } from '../calendar/working-days.rules';
import { WorkingDayCounter, span, standing } from './worklist.rules';

// 2026 (chinese-days): 中秋 Sep 25–27, 国庆 Oct 1–7; Sunday Sep 20 and Saturday Oct 10 are worked.
const source = calendarSource();
const at = (today: string, ...dues: (string | null)[]) => new WorkingDayCounter(...span(today, dues), source);

describe('standing of an item against its deadline', () => {
  it('is OVERDUE the day after the due date, counting only working days across 国庆 and the worked Saturday', () => {
    // Sep 30, Oct 8, Oct 9 and Saturday Oct 10 are the working days after Sep 29.
    expect(standing('2026-09-29', '2026-10-10', 2, at('2026-10-10', '2026-09-29'))).toEqual({
      state: 'OVERDUE',
      workingDaysLate: 4,
      calendarDaysLate: 11,
    });
    // Due the last working day before the holiday: late by days, not by working days, until Oct 8.
    expect(standing('2026-09-30', '2026-10-07', 2, at('2026-10-07', '2026-09-30'))).toEqual({ state: 'OVERDUE', workingDaysLate: 0, calendarDaysLate: 7 });
    expect(standing('2026-09-30', '2026-10-08', 2, at('2026-10-08', '2026-09-30'))).toMatchObject({ workingDaysLate: 1 });
  });

  it('counts the worked Sunday before 中秋 as a working day late', () => {
    // After Fri Sep 18: Sun Sep 20 (worked), Mon 21 … Thu 24 → 5 working days by Thu Sep 24.
    expect(standing('2026-09-18', '2026-09-24', 2, at('2026-09-24', '2026-09-18'))).toMatchObject({
      state: 'OVERDUE',
      workingDaysLate: 5,
      calendarDaysLate: 6,
    });
  });

  it('is DUE_TODAY on the due date, DUE_SOON within the window in working days, OPEN beyond, NO_DEADLINE without one', () => {
    expect(standing('2026-09-30', '2026-09-30', 2, at('2026-09-30'))).toEqual({ state: 'DUE_TODAY', workingDaysLate: 0, calendarDaysLate: 0 });
    // From Sep 30, Oct 8 is the first working day and Oct 9 the second: DUE_SOON though nine days away.
    expect(standing('2026-10-09', '2026-09-30', 2, at('2026-09-30', '2026-10-09')).state).toBe('DUE_SOON');
    expect(standing('2026-10-10', '2026-09-30', 2, at('2026-09-30', '2026-10-10')).state).toBe('OPEN');
    expect(standing('2026-10-10', '2026-09-30', 3, at('2026-09-30', '2026-10-10')).state).toBe('DUE_SOON');
    expect(standing('2026-10-01', '2026-09-30', 0, at('2026-09-30', '2026-10-01')).state).toBe('OPEN');
    expect(standing(null, '2026-09-30', 2, at('2026-09-30'))).toEqual({ state: 'NO_DEADLINE', workingDaysLate: 0, calendarDaysLate: 0 });
  });

  it('refuses to count outside the span it walked', () => {
    expect(() => at('2026-09-30').between('2026-09-01', '2026-09-30')).toThrow(RangeError);
  });
});
