import { Arg, Ctx, Extensions, FieldResolver, Resolver, Root, Subscription } from 'type-graphql';
import { HubContext } from '../context';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import { Enterprise } from '../enterprise/enterprise.type';
import { RatingChange } from './rating-change.type';
import { CreditRating } from '../rating/rating.type';
import type { RatingRow } from '../rating/rating.repository';
import type { RatingChangedEvent } from '../outbox/outbox';
import { RatingChangeArgs, RatingChangeView, SINCE_MAX_DAYS, SINCE_MAX_EVENTS, ratingFeedService } from './rating-feed.service';

@Resolver(() => RatingChange)
export class RatingChangeResolver {
  @Extensions({ replay: { arg: 'since', messages: SINCE_MAX_EVENTS } }) // priced per replayed message by the cost limit
  @Subscription(() => RatingChange, {
    description:
      'Emitted after a committed evaluation changes an enterprise\'s grade. Over graphql-ws on /graphql; authenticate in connection_init with {"authorization": "Bearer <token>"}. Deduplicate by eventId; sequence orders one enterprise\'s changes.',
    subscribe: ({ args, context }) => ratingFeedService.open(context as HubContext, args as RatingChangeArgs),
  })
  ratingChanged(
    @Root() event: RatingChangedEvent,
    @Ctx() ctx: HubContext,
    @Arg('regionCode', () => String, { nullable: true }) _regionCode?: string,
    @Arg('creditCode', () => String, { nullable: true }) _creditCode?: string,
    @Arg('since', () => Date, {
      nullable: true,
      description: `Also deliver the changes published since then (at most ${SINCE_MAX_DAYS} days back, ${SINCE_MAX_EVENTS} changes), before the live ones: a client that reconnects passes the changedAt of the last change it has.`,
    })
    _since?: Date,
  ): RatingChangeView {
    return ratingFeedService.view(ctx, event);
  }

  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() v: RatingChangeView): Promise<EnterpriseRow> {
    return ratingFeedService.enterprise(ctx, v);
  }

  @FieldResolver(() => CreditRating)
  rating(@Root() v: RatingChangeView): RatingRow {
    return v.rating;
  }
}
