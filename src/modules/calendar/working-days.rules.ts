/**
 * Working days (工作日) on the official Chinese calendar, and the deadline conventions of the
 * rules (workflows.md "Working days"), in one pure place:
 * - the start day is not counted: day 1 is the first working day after the day of the act, so
 *   an act on a non-working day counts from the next working day;
 * - the deadline is the whole last day, China Standard Time (`dueDate`, `YYYY-MM-DD`);
 * - a year is taken from an administrator-loaded override when there is one, else from the
 *   `chinese-days` data when that data covers it (its 1 January is a holiday there), else from
 *   the statutory fallback: weekdays minus the holidays fixed by law, no adjusted days. A
 *   deadline that reaches into a fallback year is provisional.
 */
import { getLunarDate, getSolarTermDate } from 'chinese-days';
import officialData from 'chinese-days/dist/chinese-days.json';
import { chinaDateString, chinaDayByIndex, chinaDayIndex } from '../../platform/china-time';

/** Largest deadline in working days (a year of them is far beyond any deadline in the rules). */
export const MAX_WORKING_DAYS = 366;
/** Years the lunar tables of `chinese-days` cover (its conversion runs 1900–2099). */
export const FIRST_YEAR = 1901;
export const LAST_YEAR = 2099;

/** The non-standard days of one calendar year: holidays and adjusted working days (调休), `YYYY-MM-DD`. */
export interface YearDays {
  holidays: readonly string[];
  workdays: readonly string[];
}

/** One year's calendar: where it comes from, and whether deadlines into it are provisional. */
export interface YearCalendar {
  year: number;
  source: 'OVERRIDE' | 'OFFICIAL' | 'FALLBACK';
  /** True for the statutory fallback: the State Council notice of that year is not loaded. */
  provisional: boolean;
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

/** Gives the calendar of a year. */
export interface CalendarSource {
  year(year: number): YearCalendar;
}

export interface Deadline {
  /** The last day, `YYYY-MM-DD`, China Standard Time (the whole day counts). */
  dueDate: string;
  /** True when the deadline reaches into a year whose official calendar is not loaded. */
  provisional: boolean;
}

/** A caller's mistake (bad count or date); the service turns it into BAD_USER_INPUT. */
export class WorkingDaysInputError extends Error {
  constructor(
    message: string,
    readonly field: 'from' | 'workingDays' | 'year' | 'holidays' | 'workdays',
  ) {
    super(message);
  }
}

const OFFICIAL: YearDays & { holidaySet: ReadonlySet<string>; workdaySet: ReadonlySet<string> } = {
  holidays: Object.keys(officialData.holidays),
  workdays: Object.keys(officialData.workdays),
  holidaySet: new Set(Object.keys(officialData.holidays)),
  workdaySet: new Set(Object.keys(officialData.workdays)),
};

/** Whether the `chinese-days` data covers `year`: detected from the data (its 1 January is a holiday), never assumed. */
export function officiallyCovered(year: number): boolean {
  return OFFICIAL.holidaySet.has(`${year}-01-01`);
}

/** The `chinese-days` data of a covered year. */
function officialYear(year: number): YearDays {
  const prefix = `${year}-`;
  return { holidays: OFFICIAL.holidays.filter((d) => d.startsWith(prefix)), workdays: OFFICIAL.workdays.filter((d) => d.startsWith(prefix)) };
}

/** Lunar month and day (non-leap months only) of the China day with serial number `index`. */
function lunarOf(index: number): { month: number; day: number } | null {
  // The China midnight instant: chinese-days counts whole days from a UTC instant (1900-01-31 00:00 CST), so this is independent of the process time zone.
  const l = getLunarDate(chinaDayByIndex(index).start);
  return l.isLeap ? null : { month: l.lunarMon, day: l.lunarDay };
}

/**
 * The day of the solar term 清明 in `year`. chinese-days computes the day of the month
 * arithmetically, then formats a UTC midnight with local getters: west of UTC that prints the
 * day before, so the skew of this process is added back.
 */
function qingmingDay(year: number): string {
  const printed = getSolarTermDate(year, 4, 'pure_brightness');
  const skew = new Date(Date.UTC(year, 3, 10)).getDate() - 10; // 0 at or east of UTC, -1 west of it
  const day = new Date(Date.UTC(year, 3, Number(printed.slice(8, 10)) - skew)).toISOString().slice(0, 10);
  if (!/^\d{4}-04-0[3-7]$/.test(day) || !day.startsWith(`${year}-`)) throw new Error(`unexpected 清明 date ${printed} for ${year}`);
  return day;
}

/**
 * The statutory holidays of `year` fixed by law (全国年节及纪念日放假办法, as revised in 2024):
 * 元旦 1 Jan; 春节 lunar New Year's Eve and the first three days; 清明 the solar-term day;
 * 劳动节 1–2 May; 端午 5/5 and 中秋 8/15 lunar; 国庆 1–3 Oct. No adjusted days.
 */
export function statutoryHolidays(year: number): string[] {
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) throw new RangeError(`no lunar data for ${year}`);
  const days = new Set<string>([`${year}-01-01`, `${year}-05-01`, `${year}-05-02`, `${year}-10-01`, `${year}-10-02`, `${year}-10-03`]);
  days.add(qingmingDay(year));
  const first = chinaDayIndex(new Date(Date.UTC(year, 0, 1, 12)));
  const last = chinaDayIndex(new Date(Date.UTC(year, 11, 31, 12)));
  for (let i = first; i <= last; i++) {
    const l = lunarOf(i);
    if (!l) continue;
    const festival = (l.month === 1 && l.day <= 3) || (l.month === 5 && l.day === 5) || (l.month === 8 && l.day === 15);
    const next = lunarOf(i + 1);
    const eve = next?.month === 1 && next.day === 1; // 除夕: the day before the lunar New Year
    if (festival || eve) days.add(chinaDayByIndex(i).day);
  }
  return [...days].sort();
}

const toCalendar = (year: number, source: YearCalendar['source'], d: YearDays): YearCalendar => ({
  year,
  source,
  provisional: source === 'FALLBACK',
  holidays: new Set(d.holidays),
  workdays: new Set(d.workdays),
});

/**
 * The hub's calendar: `overrides` (years an administrator loaded) first, then the official
 * `chinese-days` data for the years it covers, then the statutory fallback (provisional).
 */
export function calendarSource(overrides: ReadonlyMap<number, YearDays> = new Map()): CalendarSource {
  const cache = new Map<number, YearCalendar>();
  return {
    year(year) {
      let c = cache.get(year);
      if (!c) {
        const override = overrides.get(year);
        if (override) c = toCalendar(year, 'OVERRIDE', override);
        else if (officiallyCovered(year)) c = toCalendar(year, 'OFFICIAL', officialYear(year));
        else c = toCalendar(year, 'FALLBACK', { holidays: statutoryHolidays(year), workdays: [] });
        cache.set(year, c);
      }
      return c;
    },
  };
}

/** Whether `day` (`YYYY-MM-DD`) is a working day in `cal`: an adjusted working day, or a weekday that is no holiday. */
export function isWorkingDay(cal: YearCalendar, day: string): boolean {
  if (cal.workdays.has(day)) return true;
  if (cal.holidays.has(day)) return false;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday >= 1 && weekday <= 5;
}

/** Refuses a count outside 1..{@link MAX_WORKING_DAYS}, an invalid date, or one whose deadline could leave the lunar tables. */
export function checkDeadlineInput(from: Date, workingDays: number): void {
  if (!Number.isInteger(workingDays) || workingDays < 1 || workingDays > MAX_WORKING_DAYS) {
    throw new WorkingDaysInputError(`workingDays must be a whole number from 1 to ${MAX_WORKING_DAYS}`, 'workingDays');
  }
  if (!(from instanceof Date) || Number.isNaN(from.getTime())) throw new WorkingDaysInputError('from is not a valid date', 'from');
  const startYear = Number(chinaDateString(from).slice(0, 4));
  // A year and a half of calendar days always holds 366 working days; the lunar tables must cover them.
  if (startYear < FIRST_YEAR || startYear + 2 > LAST_YEAR) {
    throw new WorkingDaysInputError(`from must lie between ${FIRST_YEAR} and ${LAST_YEAR - 2} (China time)`, 'from');
  }
}

/**
 * The day that falls `workingDays` working days after `from` (China Standard Time; the day of
 * `from` is not counted). Provisional when any day counted through lies in a fallback year.
 */
export function workingDayDeadline(from: Date, workingDays: number, source: CalendarSource = calendarSource()): Deadline {
  checkDeadlineInput(from, workingDays);
  let index = chinaDayIndex(from);
  let counted = 0;
  let provisional = false;
  let day = '';
  while (counted < workingDays) {
    index++;
    day = chinaDayByIndex(index).day;
    const cal = source.year(Number(day.slice(0, 4)));
    if (cal.provisional) provisional = true;
    if (isWorkingDay(cal, day)) counted++;
  }
  return { dueDate: day, provisional };
}

/**
 * The last day of a period counted in calendar days (行政处罚法 第六十七条: a fine is paid within
 * 15 days of service): `calendarDays` days after the China day of `from` (that day not counted),
 * and when that day is not a working day, the next working day (期间届满的最后一日是法定节假日的，以节假日后的第一日为期间届满的日期).
 * Provisional when the day it ends on, or any day it rolls over, lies in a fallback year.
 *
 * @example calendarDayDeadline(new Date('2026-09-16T10:00:00+08:00'), 15) // Thu 10-01 is 国庆 → { dueDate: '2026-10-08', provisional: false }
 */
export function calendarDayDeadline(from: Date, calendarDays: number, source: CalendarSource = calendarSource()): Deadline {
  checkDeadlineInput(from, calendarDays);
  let index = chinaDayIndex(from) + calendarDays;
  let provisional = false;
  for (;;) {
    const day = chinaDayByIndex(index).day;
    const cal = source.year(Number(day.slice(0, 4)));
    if (cal.provisional) provisional = true;
    if (isWorkingDay(cal, day)) return { dueDate: day, provisional };
    index++;
  }
}

/**
 * Checks a year an administrator loads (the State Council notice): every date a real
 * `YYYY-MM-DD` of that year, none both a holiday and a working day, adjusted working days on
 * a weekend only (a weekday is a working day already), and 1 January among the holidays (元旦
 * is off every year: the same test that tells a year covered by the package's data). Returns
 * the days sorted and deduplicated.
 */
export function validateYearDays(year: number, days: YearDays): YearDays {
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new WorkingDaysInputError(`year must be between ${FIRST_YEAR} and ${LAST_YEAR}`, 'year');
  }
  const check = (list: readonly string[], field: 'holidays' | 'workdays') => {
    for (const d of list) {
      const parsed = /^\d{4}-\d{2}-\d{2}$/.test(d) ? new Date(`${d}T00:00:00Z`) : null;
      if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== d) {
        throw new WorkingDaysInputError(`${field}: ${JSON.stringify(d)} is not a date YYYY-MM-DD`, field);
      }
      if (!d.startsWith(`${year}-`)) throw new WorkingDaysInputError(`${field}: ${d} is not in ${year}`, field);
      const weekday = parsed.getUTCDay();
      if (field === 'workdays' && weekday !== 0 && weekday !== 6)
        throw new WorkingDaysInputError(`workdays: ${d} is a weekday, not an adjusted working day`, field);
    }
    return [...new Set(list)].sort();
  };
  const holidays = check(days.holidays, 'holidays');
  const workdays = check(days.workdays, 'workdays');
  const both = workdays.filter((d) => holidays.includes(d));
  if (both.length) throw new WorkingDaysInputError(`${both.join(', ')} listed both as holiday and as working day`, 'workdays');
  if (!holidays.includes(`${year}-01-01`))
    throw new WorkingDaysInputError(`holidays: ${year}-01-01 (元旦) is missing; load the whole notice of ${year}`, 'holidays');
  return { holidays, workdays };
}

/** The years a deadline from `from` can reach (a year and a half of calendar days holds 366 working days). */
export function yearsReachable(from: Date): number[] {
  const y = Number(chinaDateString(from).slice(0, 4));
  return [y, y + 1, y + 2];
}
