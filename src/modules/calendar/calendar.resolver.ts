import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { HubContext } from '../context';
import { Audited } from '../audit/audited';
import { SYSTEM_ADMINS } from '../../platform/auth/roles';
import { CalendarYear, Deadline } from './calendar.type';
import { calendarService } from './calendar.service';

/** The working-day calendar is public: anyone may compute a deadline the rules set; the system administrator (SYSTEM_ADMIN) loads a year's notice. */
@Resolver()
export class CalendarResolver {
  @Query(() => Deadline, { description: 'The day that falls workingDays working days after from (China Standard Time).' })
  workingDayDeadline(@Ctx() ctx: HubContext, @Arg('from', () => Date) from: Date, @Arg('workingDays', () => Int) workingDays: number) {
    return calendarService.workingDayDeadline(ctx, from, workingDays);
  }

  @Authorized([...SYSTEM_ADMINS])
  @Audited({
    target: 'calendar_year',
    id: 'year',
    detail: [
      ['holidays', 'result.holidays.length'],
      ['workdays', 'result.workdays.length'],
    ],
  })
  @Mutation(() => CalendarYear, {
    description:
      "Loads a year's official calendar (the State Council notice: holidays and adjusted working days, YYYY-MM-DD); it replaces the chinese-days data and the statutory fallback for that year, and deadlines into it stop being provisional. Loading a year again replaces it.",
  })
  loadCalendarYear(
    @Ctx() ctx: HubContext,
    @Arg('year', () => Int) year: number,
    @Arg('holidays', () => [String]) holidays: string[],
    @Arg('workdays', () => [String]) workdays: string[],
  ) {
    return calendarService.loadYear(ctx, year, { holidays, workdays });
  }
}
