import { Arg, ID, Mutation, Resolver, Subscription } from 'type-graphql';
import { HubError } from '../../platform/errors';
import {
  CreditRepair,
  RatingChange,
  Webhook,
  WebhookInput,
} from '../graphql-types';

const PARTNERS = 'partner notifications (issue #4)';
const REPAIR = 'the credit repair workflow (not yet scheduled; status changes go through setCreditRecordStatus meanwhile)';

/** Contract operations whose capability has not landed: present in the schema, refusing clearly. */
function notYet(operation: string, arrivesWith: string): never {
  throw new HubError('NOT_IMPLEMENTED', `${operation} is part of the public contract but arrives with ${arrivesWith}.`, { operation });
}

/**
 * The contract's operations for webhooks, subscriptions and credit repair. Each answers NOT_IMPLEMENTED naming the issue that brings it, so
 * clients can build against the full contract today and nobody mistakes a gap for data.
 */
@Resolver()
export class PendingResolver {
  @Mutation(() => CreditRepair) submitCreditRepair(@Arg('recordId', () => ID) _id: string, @Arg('statement') _s: string): CreditRepair {
    return notYet('submitCreditRepair', REPAIR);
  }
  @Mutation(() => CreditRepair) confirmCreditRepair(@Arg('id', () => ID) _id: string): CreditRepair {
    return notYet('confirmCreditRepair', REPAIR);
  }
  @Mutation(() => CreditRepair)
  decideCreditRepair(@Arg('id', () => ID) _id: string, @Arg('approve') _a: boolean, @Arg('note', () => String, { nullable: true }) _n?: string): CreditRepair {
    return notYet('decideCreditRepair', REPAIR);
  }
  @Mutation(() => Webhook) registerWebhook(@Arg('input', () => WebhookInput) _i: WebhookInput): Webhook {
    return notYet('registerWebhook', PARTNERS);
  }
  @Subscription(() => RatingChange, {
    description: "Emitted after a committed evaluation changes an enterprise's grade.",
    subscribe: () => notYet('ratingChanged', PARTNERS),
  })
  ratingChanged(@Arg('regionCode', () => String, { nullable: true }) _r?: string, @Arg('creditCode', () => String, { nullable: true }) _c?: string): RatingChange {
    return notYet('ratingChanged', PARTNERS);
  }
}
