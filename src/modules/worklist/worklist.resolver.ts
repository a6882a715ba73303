import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { EVALUATORS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { WorkKind, WorkState } from '../graphql-enums';
import { INBOX_PAGE, worklistService } from './worklist.service';
import { Inbox, WorkItemType } from './worklist.type';

/** Inboxes and deadline lists (issue 10 item 7): one query over every registered work source. */
@Resolver(() => WorkItemType)
export class WorklistResolver {
  @Authorized(EVALUATORS)
  @Query(() => Inbox, {
    description:
      "收件箱: the caller's open work in its jurisdiction (objections, reports, fines, letters, repairs, …), oldest first, each with its deadline and how late; filter by state for the due / due-soon / overdue lists.",
  })
  inbox(
    @Ctx() ctx: HubContext,
    @Arg('state', () => [WorkState], { nullable: true, description: 'Only items in these states (e.g. [OVERDUE] for the overdue list).' })
    state?: WorkState[] | null,
    @Arg('kinds', () => [WorkKind], { nullable: true, description: 'Only these kinds (default: all).' }) kinds?: WorkKind[] | null,
    @Arg('dueWithinWorkingDays', () => Int, {
      nullable: true,
      defaultValue: 2,
      description: 'Due-soon window, 0–30 working days (default 2): a due date at most this many working days after today is DUE_SOON.',
    })
    dueWithinWorkingDays?: number | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: INBOX_PAGE, description: 'Page size, 0–500 (default 50).' }) first?: number | null,
    @Arg('offset', () => Int, { nullable: true, defaultValue: 0, description: 'Items to skip (0–100000).' }) offset?: number | null,
  ) {
    return worklistService.inbox(ctx, { state, kinds, dueWithinWorkingDays, first, offset });
  }
}
