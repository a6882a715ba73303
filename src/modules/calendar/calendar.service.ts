import { withTransaction } from '../../platform/context';
import { badInput } from '../../platform/errors';
import type { HubContext } from '../context';
import { recomputeDeadlines } from '../deadlines';
import { logger } from '../../platform/logger';
import { CalendarYearRow, calendarYears, upsertCalendarYear } from './calendar.repository';
import {
  CalendarSource,
  Deadline,
  WorkingDaysInputError,
  calendarDayDeadline,
  checkDeadlineInput,
  YearDays,
  calendarSource,
  validateYearDays,
  workingDayDeadline,
  yearsReachable,
} from './working-days.rules';

/** A caller's mistake from the rules becomes BAD_USER_INPUT naming the field. */
function asBadInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WorkingDaysInputError) throw badInput(e.message, e.field);
    throw e;
  }
}

/** Deadlines on the hub's working-day calendar (the conventions live in working-days.rules.ts) and the years an administrator loads. */
export const calendarService = {
  /** The day `workingDays` working days after `from`, with the loaded years in force; a bad count or date is BAD_USER_INPUT. */
  async workingDayDeadline(ctx: HubContext, from: Date, workingDays: number): Promise<Deadline> {
    asBadInput(() => checkDeadlineInput(from, workingDays));
    const source = await this.sourceFrom(ctx, from);
    return asBadInput(() => workingDayDeadline(from, workingDays, source));
  },

  /** The calendar with the years an administrator loaded among those a deadline from `from` can reach. */
  async sourceFrom(ctx: HubContext, from: Date): Promise<CalendarSource> {
    const loaded = await calendarYears(ctx.db, yearsReachable(from));
    return calendarSource(new Map(loaded.map((y) => [y.year, y] as const)));
  },
  /** The last day of a period of `calendarDays` calendar days from `from`, rolled to the next working day (a fine's payment period). */
  async calendarDayDeadline(ctx: HubContext, from: Date, calendarDays: number): Promise<Deadline> {
    const source = await this.sourceFrom(ctx, from);
    return asBadInput(() => calendarDayDeadline(from, calendarDays, source));
  },
  /**
   * Stores the official calendar of `year` (replacing a previous load) and, in the same
   * transaction, recomputes the open deadlines that reach into it (src/modules/deadlines.ts):
   * they stop being provisional and move when the notice says so.
   */
  async loadYear(ctx: HubContext, year: number, days: YearDays): Promise<CalendarYearRow> {
    const valid = asBadInput(() => validateYearDays(year, days));
    return withTransaction(ctx, async (ctx) => {
      const row = (await upsertCalendarYear(ctx.db, year, [...valid.holidays], [...valid.workdays], ctx.principal.subject))!;
      const changed = await recomputeDeadlines(ctx, year);
      logger.info({ year, changed }, 'calendar year loaded; open deadlines recomputed');
      return row;
    });
  },
};
