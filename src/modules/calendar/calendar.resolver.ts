import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { HubContext } from '../context';
import { Deadline } from './calendar.type';
import { calendarService } from './calendar.service';

/** The working-day calendar is public: anyone may compute a deadline the rules set. */
@Resolver()
export class CalendarResolver {
  @Query(() => Deadline, { description: 'The day that falls workingDays working days after from (China Standard Time).' })
  workingDayDeadline(@Ctx() ctx: HubContext, @Arg('from', () => Date) from: Date, @Arg('workingDays', () => Int) workingDays: number) {
    return calendarService.workingDayDeadline(ctx, from, workingDays);
  }
}
