import { badInput } from '../../platform/errors';
import type { HubContext } from '../context';
import { Deadline, WorkingDaysInputError, calendarSource, workingDayDeadline } from './working-days.rules';

/** Deadlines on the hub's working-day calendar (the conventions live in working-days.rules.ts). */
export const calendarService = {
  /** The day `workingDays` working days after `from`; a bad count or date is BAD_USER_INPUT. */
  workingDayDeadline(_ctx: HubContext, from: Date, workingDays: number): Deadline {
    try {
      return workingDayDeadline(from, workingDays, calendarSource());
    } catch (e) {
      if (e instanceof WorkingDaysInputError) throw badInput(e.message, e.field);
      throw e;
    }
  },
};
