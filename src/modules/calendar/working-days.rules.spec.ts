import officialData from 'chinese-days/dist/chinese-days.json';
import {
  MAX_WORKING_DAYS,
  WorkingDaysInputError,
  calendarDayDeadline,
  calendarSource,
  isWorkingDay,
  officiallyCovered,
  statutoryHolidays,
  validateYearDays,
  workingDayDeadline,
} from './working-days.rules';

/** An instant on a China day: noon China Standard Time. */
const cst = (day: string, time = '12:00:00') => new Date(`${day}T${time}+08:00`);

describe('coverage of the chinese-days data (detected from the data)', () => {
  it('covers 2026 (its 1 January is a holiday) and not a far-future year', () => {
    expect(officiallyCovered(2026)).toBe(true);
    expect(officiallyCovered(2099)).toBe(false);
    const source = calendarSource();
    expect(source.year(2026)).toMatchObject({ source: 'OFFICIAL', provisional: false });
    expect(source.year(2099)).toMatchObject({ source: 'FALLBACK', provisional: true });
  });

  it('reads the 2026 notice: 春节 02-15…02-23 off, Sat 02-14 and Sat 02-28 worked, Sun 09-20 worked', () => {
    const cal = calendarSource().year(2026);
    expect(isWorkingDay(cal, '2026-02-14')).toBe(true);
    expect(isWorkingDay(cal, '2026-02-28')).toBe(true);
    expect(isWorkingDay(cal, '2026-09-20')).toBe(true);
    for (let d = 15; d <= 23; d++) expect(isWorkingDay(cal, `2026-02-${d}`)).toBe(false);
    expect(isWorkingDay(cal, '2026-03-01')).toBe(false); // an ordinary Sunday
  });
});

describe('statutory fallback', () => {
  it('lists the holidays fixed by law for 2026 (lunar and solar-term days from chinese-days)', () => {
    expect(statutoryHolidays(2026)).toEqual([
      '2026-01-01',
      '2026-02-16', // 除夕
      '2026-02-17', // 正月初一
      '2026-02-18',
      '2026-02-19',
      '2026-04-05', // 清明
      '2026-05-01',
      '2026-05-02',
      '2026-06-19', // 端午
      '2026-09-25', // 中秋
      '2026-10-01',
      '2026-10-02',
      '2026-10-03',
    ]);
  });

  it('is contained in the official holidays of the years the law in force covers (2025, 2026)', () => {
    for (const year of [2025, 2026]) {
      const official = calendarSource().year(year).holidays;
      const missing = statutoryHolidays(year).filter((d) => !official.has(d));
      expect({ year, missing }).toEqual({ year, missing: [] });
      expect(statutoryHolidays(year)).toHaveLength(13);
    }
  });

  it('counts weekdays minus statutory holidays, with no adjusted days, and marks the deadline provisional', () => {
    // 2096 is in no data: 国庆 Mon 10-01 … Wed 10-03 are off, and no weekend around them is worked.
    expect(calendarSource().year(2096).workdays.size).toBe(0);
    expect(workingDayDeadline(cst('2096-09-28'), 1)).toEqual({ dueDate: '2096-10-04', provisional: true }); // Fri → Thu
    expect(workingDayDeadline(cst('2096-09-28'), 3)).toEqual({ dueDate: '2096-10-08', provisional: true });
  });
});

describe('workingDayDeadline', () => {
  it('worked example: Thu 2026-02-12 + 7 working days is Sat 2026-02-28 (start day not counted, 调休 counted)', () => {
    expect(workingDayDeadline(cst('2026-02-12'), 7)).toEqual({ dueDate: '2026-02-28', provisional: false });
    // Any instant of that China day gives the same: 23:59 CST is 15:59 UTC, 00:00 CST is 16:00 UTC the day before.
    expect(workingDayDeadline(new Date('2026-02-12T15:59:59Z'), 7).dueDate).toBe('2026-02-28');
    expect(workingDayDeadline(new Date('2026-02-11T16:00:00Z'), 7).dueDate).toBe('2026-02-28');
  });

  it('worked example: Mon 2026-12-28 + 5 reaches into 2027: 2027-01-05 provisional unless chinese-days covers 2027', () => {
    const got = workingDayDeadline(cst('2026-12-28'), 5);
    if (officiallyCovered(2027)) {
      // Computed from the package's own data, independently of the module.
      const holidays = new Set(Object.keys(officialData.holidays));
      const workdays = new Set(Object.keys(officialData.workdays));
      let day = new Date('2026-12-28T00:00:00Z');
      let n = 0;
      while (n < 5) {
        day = new Date(day.getTime() + 86_400_000);
        const s = day.toISOString().slice(0, 10);
        const wd = day.getUTCDay();
        if (workdays.has(s) || (wd >= 1 && wd <= 5 && !holidays.has(s))) n++;
      }
      expect(got).toEqual({ dueDate: day.toISOString().slice(0, 10), provisional: false });
    } else {
      // 12-29 (1), 12-30 (2), 12-31 (3), 元旦 01-01 off, weekend, 01-04 (4), 01-05 (5).
      expect(got).toEqual({ dueDate: '2027-01-05', provisional: true });
    }
  });

  it('uses a loaded year instead of the fallback: deadlines into it stop being provisional', () => {
    const source = calendarSource(new Map([[2027, { holidays: ['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04'], workdays: [] }]]));
    expect(source.year(2027)).toMatchObject({ source: 'OVERRIDE', provisional: false });
    expect(workingDayDeadline(cst('2026-12-28'), 5, source)).toEqual({ dueDate: '2027-01-06', provisional: false });
  });

  it('an override wins over the chinese-days data', () => {
    const source = calendarSource(new Map([[2026, { holidays: ['2026-03-02'], workdays: ['2026-03-01'] }]]));
    expect(workingDayDeadline(cst('2026-02-27'), 1, source)).toEqual({ dueDate: '2026-03-01', provisional: false });
    expect(workingDayDeadline(cst('2026-02-27'), 2, source)).toEqual({ dueDate: '2026-03-03', provisional: false });
  });

  it('an act on a holiday or weekend counts from the next working day', () => {
    expect(workingDayDeadline(cst('2026-02-16'), 1)).toEqual({ dueDate: '2026-02-24', provisional: false }); // 春节
    expect(workingDayDeadline(cst('2026-10-03'), 1)).toEqual({ dueDate: '2026-10-08', provisional: false }); // 国庆
    expect(workingDayDeadline(cst('2026-03-01'), 1)).toEqual({ dueDate: '2026-03-02', provisional: false }); // Sunday
    // On an adjusted working Saturday the act's day itself is not counted either.
    expect(workingDayDeadline(cst('2026-02-14'), 1)).toEqual({ dueDate: '2026-02-24', provisional: false });
  });

  it('is provisional only when the days counted reach into an uncovered year', () => {
    expect(workingDayDeadline(cst('2026-12-01'), 3).provisional).toBe(false);
    expect(workingDayDeadline(cst('2026-12-30'), 1)).toEqual({ dueDate: '2026-12-31', provisional: false });
    expect(workingDayDeadline(cst('2026-12-30'), 2).provisional).toBe(!officiallyCovered(2027));
  });

  it.each([0, -1, -366, MAX_WORKING_DAYS + 1, 1e9, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses workingDays = %p', (n) => {
    expect(() => workingDayDeadline(cst('2026-02-12'), n)).toThrow(WorkingDaysInputError);
  });

  it('accepts the largest count and refuses invalid or unsupported dates', () => {
    expect(workingDayDeadline(cst('2026-01-05'), MAX_WORKING_DAYS).dueDate.slice(0, 4)).toBe('2027');
    expect(() => workingDayDeadline(new Date('nope'), 1)).toThrow(WorkingDaysInputError);
    expect(() => workingDayDeadline(cst('1800-01-02'), 1)).toThrow(WorkingDaysInputError);
    expect(() => workingDayDeadline(cst('2098-06-01'), 1)).toThrow(WorkingDaysInputError);
  });
});

describe('validateYearDays (a year an administrator loads)', () => {
  it('sorts and deduplicates a valid notice', () => {
    expect(validateYearDays(2027, { holidays: ['2027-01-02', '2027-01-01', '2027-01-01'], workdays: ['2027-01-09'] })).toEqual({
      holidays: ['2027-01-01', '2027-01-02'],
      workdays: ['2027-01-09'],
    });
  });

  it.each([
    ['a year outside the lunar tables', 1900, { holidays: [], workdays: [] }],
    ['a date of another year', 2027, { holidays: ['2028-01-01'], workdays: [] }],
    ['an impossible date', 2027, { holidays: ['2027-02-29'], workdays: [] }],
    ['a malformed date', 2027, { holidays: ['2027-1-1'], workdays: [] }],
    ['a weekday as adjusted working day', 2027, { holidays: [], workdays: ['2027-01-04'] }],
    ['a day both off and worked', 2027, { holidays: ['2027-01-09'], workdays: ['2027-01-09'] }],
    ['a notice without 1 January', 2027, { holidays: ['2027-02-06'], workdays: [] }],
  ])('refuses %s', (_what, year, days) => {
    expect(() => validateYearDays(year, days)).toThrow(WorkingDaysInputError);
  });
});

describe('calendarDayDeadline (a fine paid within 15 days, 行政处罚法 第六十七条)', () => {
  it('counts calendar days from the day after service, whatever the weekday', () => {
    expect(calendarDayDeadline(cst('2026-03-02'), 15)).toEqual({ dueDate: '2026-03-17', provisional: false }); // Mon → Tue
    // Served late in the evening China time (still 03-02 there): the same day.
    expect(calendarDayDeadline(new Date('2026-03-02T15:59:59Z'), 15).dueDate).toBe('2026-03-17');
  });
  it('rolls an ordinary weekend to the Monday', () => {
    expect(calendarDayDeadline(cst('2026-03-06'), 15)).toEqual({ dueDate: '2026-03-23', provisional: false }); // Sat 03-21 → Mon 03-23
  });
  it('rolls 国庆 2026 (10-01…10-07 off) to Thu 10-08', () => {
    expect(calendarDayDeadline(cst('2026-09-16'), 15)).toEqual({ dueDate: '2026-10-08', provisional: false });
    expect(calendarDayDeadline(cst('2026-09-22'), 15)).toEqual({ dueDate: '2026-10-08', provisional: false }); // 10-07
  });
  it('rolls 中秋 2026 (09-25…09-27 off) over the weekend to Mon 09-28', () => {
    expect(calendarDayDeadline(cst('2026-09-10'), 15)).toEqual({ dueDate: '2026-09-28', provisional: false });
  });
  it('ends on an adjusted working weekend day (调休): Sun 2026-09-20 and Sat 2026-10-10 are working days', () => {
    expect(calendarDayDeadline(cst('2026-09-05'), 15)).toEqual({ dueDate: '2026-09-20', provisional: false });
    expect(calendarDayDeadline(cst('2026-09-25'), 15)).toEqual({ dueDate: '2026-10-10', provisional: false });
  });
  it('is provisional when it ends in a year without official data, until that year is loaded', () => {
    expect(officiallyCovered(2096)).toBe(false);
    expect(calendarDayDeadline(cst('2095-12-20'), 15)).toEqual({ dueDate: '2096-01-04', provisional: true });
    // Sun 2096-01-01 is 元旦 in the fallback: the next working day is Mon 01-02.
    expect(calendarDayDeadline(cst('2095-12-17'), 15)).toEqual({ dueDate: '2096-01-02', provisional: true });
    const loaded = calendarSource(new Map([[2096, { holidays: ['2096-01-01', '2096-01-02', '2096-01-03'], workdays: [] }]]));
    expect(calendarDayDeadline(cst('2095-12-17'), 15, loaded)).toEqual({ dueDate: '2096-01-04', provisional: false });
    expect(calendarDayDeadline(cst('2095-12-20'), 15, loaded)).toEqual({ dueDate: '2096-01-04', provisional: false });
  });
  it('refuses an invalid date or count', () => {
    expect(() => calendarDayDeadline(new Date('nope'), 15)).toThrow(WorkingDaysInputError);
    expect(() => calendarDayDeadline(cst('2026-03-02'), 0)).toThrow(WorkingDaysInputError);
  });
});
