import { Arg, Args, ArgsType, Field, ID, Int, Mutation, Query, Resolver, Subscription } from 'type-graphql';
import { HubError } from '../../platform/errors';
import { AnomalyKind, CandidateStatus, DishonestyLevel } from '../graphql-enums';
import {
  CandidateViolation,
  CandidateViolationConnection,
  CreditRecord,
  CreditRepair,
  DataSource,
  DataSourceInput,
  RatingChange,
  SyncRun,
  Webhook,
  WebhookInput,
} from '../graphql-types';

const METERING = 'the metering pipeline (issue #3)';
const PARTNERS = 'partner notifications (issue #4)';
const REPAIR = 'the credit repair workflow (not yet scheduled; status changes go through setCreditRecordStatus meanwhile)';

/** Contract operations whose capability has not landed: present in the schema, refusing clearly. */
function notYet(operation: string, arrivesWith: string): never {
  throw new HubError('NOT_IMPLEMENTED', `${operation} is part of the public contract but arrives with ${arrivesWith}.`, { operation });
}

@ArgsType()
class CandidateArgs {
  @Field(() => CandidateStatus, { nullable: true }) status?: CandidateStatus;
  @Field(() => AnomalyKind, { nullable: true }) kind?: AnomalyKind;
  @Field(() => String, { nullable: true }) regionCode?: string;
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
}

/**
 * The contract's operations for metering, data sources, webhooks, subscriptions and
 * credit repair. Each answers NOT_IMPLEMENTED naming the issue that brings it, so
 * clients can build against the full contract today and nobody mistakes a gap for data.
 */
@Resolver()
export class PendingResolver {
  @Query(() => CandidateViolationConnection)
  candidateViolations(@Args() _args: CandidateArgs): CandidateViolationConnection {
    return notYet('candidateViolations', METERING);
  }
  @Query(() => [DataSource]) dataSources(): DataSource[] {
    return notYet('dataSources', METERING);
  }
  @Query(() => SyncRun, { nullable: true }) syncRun(@Arg('id', () => ID) _id: string): SyncRun {
    return notYet('syncRun', METERING);
  }
  @Mutation(() => [CandidateViolation], { description: 'Runs every detection rule for the meters of one enterprise (or all, when null) as of a time.' })
  detectAnomalies(@Arg('creditCode', () => String, { nullable: true }) _c?: string, @Arg('asOf', () => Date, { nullable: true }) _a?: Date): CandidateViolation[] {
    return notYet('detectAnomalies', METERING);
  }
  @Mutation(() => CreditRecord)
  confirmCandidate(
    @Arg('id', () => ID) _id: string,
    @Arg('basis') _basis: string,
    @Arg('level', () => DishonestyLevel, { nullable: true }) _level?: DishonestyLevel,
  ): CreditRecord {
    return notYet('confirmCandidate', METERING);
  }
  @Mutation(() => CandidateViolation) dismissCandidate(@Arg('id', () => ID) _id: string, @Arg('reason') _reason: string): CandidateViolation {
    return notYet('dismissCandidate', METERING);
  }
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
  @Mutation(() => DataSource) createDataSource(@Arg('input', () => DataSourceInput) _i: DataSourceInput): DataSource {
    return notYet('createDataSource', METERING);
  }
  @Mutation(() => SyncRun) triggerSync(@Arg('sourceId', () => ID) _id: string): SyncRun {
    return notYet('triggerSync', METERING);
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
