import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Deadline } from '../calendar/calendar.type';
import { WorkKind, WorkState } from '../graphql-enums';

@ObjectType('WorkItem', { description: "One piece of an authority's open work (an objection to compare, a report to verify, a fine awaiting payment, …)." })
export class WorkItemType {
  @Field(() => WorkKind) kind: WorkKind;
  @Field({ description: 'The next step: COMPARE, VERIFY, PAYMENT, ACKNOWLEDGE, CHECK, CONFIRM, DECIDE, …' }) step: string;
  @Field(() => ID, { description: "The workflow item's own id (what its own query and mutations take)." }) id: string;
  @Field({ description: 'When the item arrived (receipt, service, sending): the inbox lists oldest first by it.' }) openedAt: Date;
  @Field(() => Deadline, { nullable: true, description: 'The deadline now running; null when none runs (NO_DEADLINE).' }) deadline: Deadline | null;
  @Field(() => WorkState) state: WorkState;
  @Field(() => Int, { description: 'Working days (official calendar) after the due date, up to today; 0 when not late.' }) workingDaysLate: number;
  @Field(() => Int, { description: 'Calendar days after the due date, up to today; 0 when not late.' }) calendarDaysLate: number;
  @Field({ description: 'A short bilingual line for a dashboard; never personal data.' }) summary: string;
  /** For the `enterprise` field (through the per-request loader). */
  enterpriseId: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'How many items of the inbox (kinds filter applied, state filter not) are in one state.' })
export class WorkStateCount {
  @Field(() => WorkState) state: WorkState;
  @Field(() => Int) count: number;
}

@ObjectType({ description: "An authority's open work in its jurisdiction, oldest first." })
export class Inbox {
  @Field({ description: 'The day the states and lateness are computed for, YYYY-MM-DD, China time.' }) today: string;
  @Field(() => [WorkItemType], { description: 'The page: at most `first` items after `offset`, oldest first.' }) items: WorkItemType[];
  @Field(() => Int, { description: 'Items matching the filters (all pages).' }) totalCount: number;
  @Field(() => [WorkStateCount], { description: 'A count per state (every state listed, zeros included), before the state filter.' }) counts: WorkStateCount[];
  @Field({ description: 'Whether more items follow this page.' }) hasNextPage: boolean;
  @Field({
    description: 'True when a kind had more open items than the inbox reads at once (2,000 per kind): counts then cover the oldest 2,000 of it.',
  })
  truncated: boolean;
}
