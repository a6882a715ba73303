import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { AnomalyKind, CandidateStatus, DishonestyLevel } from '../graphql-enums';
import { CandidateViolation, CandidateViolationConnection } from './candidate.type';
import { CreditRecord } from '../credit/credit-record.type';
import { ProvenanceInput } from '../credit/credit-record.input';
import { Enterprise } from '../enterprise/enterprise.type';
import { Meter } from '../meter/meter.type';
import { parentEnterprise } from '../enterprise/enterprise-parent';
import type { CandidateFilter, CandidateRow } from './candidate.repository';
import { CANDIDATES_PAGE, candidateService } from './candidate.service';
import { Audited } from '../audit/audited';

@ArgsType()
class CandidateArgs {
  @Field(() => CandidateStatus, { nullable: true }) status?: CandidateStatus;
  @Field(() => AnomalyKind, { nullable: true }) kind?: AnomalyKind;
  @Field(() => String, { nullable: true, description: 'A county code, or a city code for all its counties.' }) regionCode?: string;
  @Field(() => Int, { nullable: true, defaultValue: CANDIDATES_PAGE, description: 'Page size, 0–500 (default 50).' }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
}

/** Candidate violations raised by detection, and the officer's review of them. */
@Resolver(() => CandidateViolation)
export class CandidateResolver {
  @Query(() => CandidateViolationConnection, { description: 'Newest first, within your jurisdiction.' })
  candidateViolations(@Ctx() ctx: HubContext, @Args() args: CandidateArgs) {
    return candidateService.list(ctx, args);
  }

  @Authorized(WRITERS)
  @Audited({
    target: 'candidate_violation',
    id: 'id',
    detail: [['recordId', 'result.id'], 'basis', 'level', 'provenance.sourceAct', 'provenance.sourceDocumentNo'],
  })
  @Mutation(() => CreditRecord, {
    description: 'Confirms a candidate into a dishonesty record (level defaults to the suggestion) and re-grades the enterprise.',
  })
  confirmCandidate(
    @Ctx() ctx: HubContext,
    @Arg('id', () => ID) id: string,
    @Arg('basis') basis: string,
    @Arg('level', () => DishonestyLevel, { nullable: true }) level?: DishonestyLevel | null,
    @Arg('provenance', () => ProvenanceInput, {
      nullable: true,
      description: 'Determination date, source act (default 行政检查: a meter finding), document number, public summary.',
    })
    provenance?: ProvenanceInput | null,
  ) {
    return candidateService.confirm(ctx, id, basis, level, provenance);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'candidate_violation', id: 'id', detail: ['reason'] })
  @Mutation(() => CandidateViolation, { description: 'Dismisses a candidate with a reason; no credit record is made.' })
  dismissCandidate(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string, @Arg('reason') reason: string) {
    return candidateService.dismiss(ctx, id, reason);
  }

  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() c: CandidateRow) {
    return parentEnterprise(ctx, c);
  }

  @FieldResolver(() => Meter, { nullable: true })
  meter(@Ctx() ctx: HubContext, @Root() c: CandidateRow) {
    return c.meterId ? ctx.loaders.meter.load(c.meterId) : null;
  }

  @FieldResolver(() => CreditRecord, { nullable: true })
  creditRecord(@Ctx() ctx: HubContext, @Root() c: CandidateRow) {
    return c.creditRecordId ? ctx.loaders.record.load(c.creditRecordId) : null;
  }
}

@Resolver(() => CandidateViolationConnection)
export class CandidateConnectionResolver {
  @FieldResolver(() => Int, { description: 'Counted only when selected.' })
  totalCount(@Ctx() ctx: HubContext, @Root() page: { filter: CandidateFilter }) {
    return candidateService.count(ctx, page.filter);
  }
}
