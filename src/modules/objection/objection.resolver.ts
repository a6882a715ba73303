import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { Audited } from '../audit/audited';
import { ObjectionOutcome } from '../graphql-enums';
import { CreditRecord } from '../credit/credit-record.type';
import { Enterprise } from '../enterprise/enterprise.type';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import { parentEnterprise } from '../enterprise/enterprise-parent';
import { Deadline } from '../calendar/calendar.type';
import { Objection, ObjectionInput, RecordCorrectionInput } from './objection.type';
import type { ObjectionRow } from './objection.repository';
import { objectionService } from './objection.service';

const AT = 'When the step happened (default now; never in the future, never before the previous step).';

/** Objections (异议, Art. 26): file → (route, for a credit-authority receipt) → decide; the comparison is due 5 working days after the first receipt. */
@Resolver(() => Objection)
export class ObjectionResolver {
  @Authorized()
  @Query(() => Objection, { description: 'An objection by id (internal data: NOT_FOUND for an unknown id, FORBIDDEN outside your scope).' })
  objection(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string) {
    return objectionService.get(ctx, id);
  }

  @Authorized([...WRITERS, 'ENTERPRISE', 'CREDIT_AUTHORITY'])
  @Audited({
    target: 'enterprise',
    id: 'input.creditCode',
    detail: [['objectionId', 'result.id'], 'input.recordId', 'input.ratingId', 'input.receivedBy', 'input.at'],
  })
  @Mutation(() => Objection, {
    description:
      '异议 (Art. 26): the enterprise itself (or an authority in scope for it) disputes an ACTIVE record or the current rating; the comparison is due 5 working days after receipt. One open objection per record (and per rating).',
  })
  fileObjection(@Ctx() ctx: HubContext, @Arg('input', () => ObjectionInput) input: ObjectionInput) {
    return objectionService.file(ctx, input);
  }

  @Authorized([...WRITERS, 'CREDIT_AUTHORITY'])
  @Audited({ target: 'objection', id: 'id', detail: ['at'] })
  @Mutation(() => Objection, {
    description: 'The credit authority routes an objection it received to the evaluating body; the deadline still runs from the first receipt.',
  })
  routeObjection(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string, @Arg('at', () => Date, { nullable: true, description: AT }) at?: Date) {
    return objectionService.route(ctx, id, at);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'objection', id: 'id', detail: ['outcome', 'reason', 'at', 'correction'] })
  @Mutation(() => Objection, {
    description:
      'The supervising authority decides after the comparison: FACTS_WRONG revokes the record and re-grades; DATA_INCOMPLETE re-grades (enter the missing data first); REJECTED changes nothing. A reason is required; deciding twice is refused.',
  })
  decideObjection(
    @Ctx() ctx: HubContext,
    @Arg('id', () => ID) id: string,
    @Arg('outcome', () => ObjectionOutcome) outcome: ObjectionOutcome,
    @Arg('reason') reason: string,
    @Arg('at', () => Date, { nullable: true, description: AT }) at?: Date,
    @Arg('correction', () => RecordCorrectionInput, {
      nullable: true,
      description:
        'With FACTS_WRONG: correct the record (更正) instead of only revoking it: the disputed record is revoked and the corrected one determined in the same step (correctedRecord).',
    })
    correction?: RecordCorrectionInput | null,
  ) {
    return objectionService.decide(ctx, id, outcome, reason, at, correction);
  }

  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() o: ObjectionRow) {
    return parentEnterprise(ctx, o);
  }

  @FieldResolver(() => CreditRecord, {
    nullable: true,
    description: 'The record that replaced the disputed one when the decision corrected it; null otherwise.',
  })
  correctedRecord(@Ctx() ctx: HubContext, @Root() o: ObjectionRow) {
    return objectionService.correctedRecord(ctx, o);
  }

  @FieldResolver(() => CreditRecord, { nullable: true, description: 'The disputed record; null for an objection against the rating.' })
  record(@Ctx() ctx: HubContext, @Root() o: ObjectionRow) {
    return objectionService.record(ctx, o);
  }

  @FieldResolver(() => Deadline, { description: 'The comparison (核查比对) deadline: 5 working days after the first receipt (official calendar).' })
  due(@Root() o: ObjectionRow) {
    return objectionService.due(o);
  }
}

/** `CreditRecord.objectionPending`: kept here so the credit module does not depend on objections. */
@Resolver(() => CreditRecord)
export class CreditRecordObjectionResolver {
  @FieldResolver(() => Boolean, { description: '异议处理中: true while an objection against this record is open.' })
  objectionPending(@Ctx() ctx: HubContext, @Root() r: { id: string }) {
    return objectionService.pending(ctx, r);
  }
}

/** `Enterprise.objections`: kept here so the enterprise module does not depend on objections. */
@Resolver(() => Enterprise)
export class EnterpriseObjectionsResolver {
  @FieldResolver(() => [Objection], { description: 'Objections, oldest first (internal data: FORBIDDEN to those who may not read it).' })
  objections(@Ctx() ctx: HubContext, @Root() e: EnterpriseRow) {
    return objectionService.ofEnterprise(ctx, e);
  }
}
