/**
 * Where an open work item stands against its deadline, as of a China day (pure: the calendar
 * comes in as a {@link CalendarSource}). The deadline is the whole last day (`dueDate`), so an
 * item is OVERDUE from the day after it; lateness counts the days after `dueDate` up to and
 * including today: `workingDaysLate` only the working days among them (an item whose due day
 * was the last before 国庆 is OVERDUE on 1 October yet 0 working days late until 8 October).
 */
import { isWorkingDay } from '../calendar/working-days.rules';
import type { CalendarSource } from '../calendar/working-days.rules';
import type { WorkState } from '../graphql-enums';

/** Default and largest due-soon window, in working days. */
export const DUE_SOON_DEFAULT = 2;
export const DUE_SOON_MAX = 30;

export interface Standing {
  state: WorkState;
  workingDaysLate: number;
  calendarDaysLate: number;
}

const DAY = 86_400_000;
const indexOf = (day: string) => Math.round(Date.parse(`${day}T00:00:00Z`) / DAY);
const dayOf = (index: number) => new Date(index * DAY).toISOString().slice(0, 10);

/**
 * Counts working days over a span of days with one pass over the calendar (a prefix sum), so
 * an inbox of many items costs one walk, not one per item.
 */
export class WorkingDayCounter {
  private readonly first: number;
  private readonly prefix: number[];

  /** Covers every day from `from` to `to` (`YYYY-MM-DD`, either order). */
  constructor(from: string, to: string, source: CalendarSource) {
    const [a, b] = [indexOf(from), indexOf(to)].sort((x, y) => x - y);
    this.first = a;
    this.prefix = [0];
    for (let i = a; i <= b; i++) {
      const day = dayOf(i);
      this.prefix.push(this.prefix[this.prefix.length - 1] + (isWorkingDay(source.year(Number(day.slice(0, 4))), day) ? 1 : 0));
    }
  }

  /** Working days `d` with `after < d <= upTo` (0 when `upTo` is not after `after`). Both days must lie within the span. */
  between(after: string, upTo: string): number {
    const [x, y] = [indexOf(after), indexOf(upTo)];
    if (y <= x) return 0;
    const at = (i: number) => {
      const k = i - this.first + 1;
      if (k < 1 || k >= this.prefix.length) throw new RangeError(`${dayOf(i)} is outside the counted span`);
      return this.prefix[k];
    };
    return at(y) - at(x);
  }
}

/**
 * The standing of an item due on `dueDate` (null: no deadline running) on `today`, with a
 * due-soon window of `dueWithin` working days (a due date at most that many working days after
 * today is DUE_SOON; a window of 0 makes nothing due soon).
 *
 * @example standing('2026-09-29', '2026-10-10', 2, counter) // { state: 'OVERDUE', workingDaysLate: 4, calendarDaysLate: 11 }
 */
export function standing(dueDate: string | null, today: string, dueWithin: number, counter: WorkingDayCounter): Standing {
  if (dueDate === null) return { state: 'NO_DEADLINE', workingDaysLate: 0, calendarDaysLate: 0 };
  const late = indexOf(today) - indexOf(dueDate);
  if (late > 0) return { state: 'OVERDUE', workingDaysLate: counter.between(dueDate, today), calendarDaysLate: late };
  if (late === 0) return { state: 'DUE_TODAY', workingDaysLate: 0, calendarDaysLate: 0 };
  return { state: dueWithin > 0 && counter.between(today, dueDate) <= dueWithin ? 'DUE_SOON' : 'OPEN', workingDaysLate: 0, calendarDaysLate: 0 };
}

/** The span a counter must cover for these due dates seen from `today`. */
export function span(today: string, dueDates: readonly (string | null)[]): [string, string] {
  let lo = today;
  let hi = today;
  for (const d of dueDates) {
    if (d === null) continue;
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  return [lo, hi];
}
