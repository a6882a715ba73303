import { withTransaction } from '../../platform/context';
import { badInput } from '../../platform/errors';
import type { HubContext } from '../context';
import { CalendarYearRow, calendarYears, upsertCalendarYear } from './calendar.repository';
import {
  Deadline,
  WorkingDaysInputError,
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
    const loaded = await calendarYears(ctx.db, yearsReachable(from));
    const source = calendarSource(new Map(loaded.map((y) => [y.year, y] as const)));
    return asBadInput(() => workingDayDeadline(from, workingDays, source));
  },

  /** Stores the official calendar of `year` (replacing a previous load); deadlines into it stop being provisional. */
  async loadYear(ctx: HubContext, year: number, days: YearDays): Promise<CalendarYearRow> {
    const valid = asBadInput(() => validateYearDays(year, days));
    return withTransaction(ctx, async (ctx) => (await upsertCalendarYear(ctx.db, year, [...valid.holidays], [...valid.workdays], ctx.principal.subject))!);
  },
};
