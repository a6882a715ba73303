import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { ROLES } from '../../platform/auth/principal';
import { HubContext } from '../context';
import { Audited } from '../audit/audited';
import { Deadline } from '../calendar/calendar.type';
import { Enterprise } from '../enterprise/enterprise.type';
import { TipOutcome, TipStatus } from '../graphql-enums';
import type { TipRow } from './tip.repository';
import type { CandidateRow } from '../candidate/candidate.repository';
import { CandidateViolation } from '../candidate/candidate.type';
import { TIPS_PAGE, TipPage, tipService } from './tip.service';
import { Tip, TipConnection, TipInput, TipReceipt, TipStatusView, Tipster, VerifyTipInput } from './tip.type';

/** Tips (线索, Art. 8): anyone gives one → the supervising authority verifies → CONFIRMED raises a candidate violation for officer review. */
@Resolver(() => Tip)
export class TipResolver {
  @Authorized([...ROLES])
  @Audited({ target: 'enterprise', id: 'input.creditCode', detail: [['tipId', 'result.id'], 'input.sourceKind', 'input.indicator', 'input.receivedAt'] })
  @Mutation(() => TipReceipt, {
    description:
      '提供线索 (Art. 8): anyone (no token needed) gives a tip about an enterprise; at most 5 per 10 minutes per address (BAD_USER_INPUT, reason RATE_LIMITED).',
  })
  submitTip(@Ctx() ctx: HubContext, @Arg('input') input: TipInput) {
    return tipService.submit(ctx, input);
  }

  @Authorized([...ROLES])
  @Query(() => TipStatusView, { description: 'The tipster follows a tip by its receipt number: its status and due date only.' })
  tipStatus(@Ctx() ctx: HubContext, @Arg('receiptNo') receiptNo: string) {
    return tipService.status(ctx, receiptNo);
  }

  @Authorized(WRITERS)
  @Query(() => TipConnection, { description: 'Tips about enterprises of your jurisdiction, oldest first (supervising authorities).' })
  tips(
    @Ctx() ctx: HubContext,
    @Arg('status', () => TipStatus, { nullable: true }) status?: TipStatus | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: TIPS_PAGE, description: 'Page size, 0–500 (default 20).' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    return tipService.list(ctx, status, first, after);
  }

  @Authorized(WRITERS)
  @Query(() => Tip, { description: 'One tip, for the supervising authority in scope.' })
  tip(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string) {
    return tipService.get(ctx, id);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'tip', id: 'id', detail: ['outcome', 'at', 'confirmation.indicator', 'confirmation.level', ['candidateId', 'result.candidateId']] })
  @Mutation(() => Tip, {
    description:
      'Verifies a tip (Art. 8; due 7 working days after receipt, the hub default): CONFIRMED raises a candidate violation (origin TIP) for officer review; UNFOUNDED. Once only.',
  })
  verifyTip(
    @Ctx() ctx: HubContext,
    @Arg('id', () => ID) id: string,
    @Arg('outcome', () => TipOutcome) outcome: TipOutcome,
    @Arg('note') note: string,
    @Arg('at', () => Date, { nullable: true, description: 'When it was verified (default now; never in the future, never before receipt).' }) at?: Date,
    @Arg('confirmation', () => VerifyTipInput, { nullable: true, description: 'Indicator, conduct date and level, where the tip did not give them.' })
    confirmation?: VerifyTipInput | null,
  ) {
    return tipService.verify(ctx, id, outcome, note, at, confirmation ?? {});
  }

  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() t: TipRow) {
    return tipService.enterprise(ctx, t);
  }

  @FieldResolver(() => Deadline, { description: 'Verification due 7 working days after receipt (the hub default; Chinese official calendar).' })
  due(@Root() t: TipRow) {
    return tipService.due(t);
  }

  @FieldResolver(() => Tipster, {
    nullable: true,
    description: "The tipster's identity: the supervising authority in scope only, each read audited; null otherwise.",
  })
  tipster(@Ctx() ctx: HubContext, @Root() t: TipRow) {
    return tipService.tipster(ctx, t);
  }

  @FieldResolver(() => CandidateViolation, {
    nullable: true,
    description: 'The candidate violation a CONFIRMED tip raised (null before; null to a reader who may not read candidates).',
  })
  candidate(@Ctx() ctx: HubContext, @Root() t: TipRow) {
    return tipService.candidate(ctx, t);
  }
}

/** CandidateViolation.tip lives here so the candidate module does not depend on the tip module (which raises candidates). */
@Resolver(() => CandidateViolation)
export class CandidateTipResolver {
  @FieldResolver(() => Tip, {
    nullable: true,
    description: 'The tip a candidate of origin TIP came from: the supervising authority in scope only (who may read tips); null otherwise.',
  })
  tip(@Ctx() ctx: HubContext, @Root() c: CandidateRow) {
    return tipService.ofCandidate(ctx, c);
  }
}

@Resolver(() => TipConnection)
export class TipConnectionResolver {
  @FieldResolver(() => Int, { description: 'Tips matching the status within your jurisdiction; counted only when selected.' })
  totalCount(@Ctx() ctx: HubContext, @Root() page: TipPage) {
    return tipService.count(ctx, page);
  }
}
