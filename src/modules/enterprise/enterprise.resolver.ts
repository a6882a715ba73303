import { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { HubContext } from '../context';
import { WRITERS } from '../../platform/auth/auth-checker';
import { CandidateStatus, CreditGrade, CreditRecordStatus } from '../graphql-enums';
import { CandidateViolation } from '../candidate/candidate.type';
import { CreditRecord } from '../credit/credit-record.type';
import { EnterpriseInput } from './enterprise.input';
import { Enterprise, EnterpriseConnection } from './enterprise.type';
import { Meter } from '../meter/meter.type';
import { WaterPermit } from '../permit/permit.type';
import { WaterPlan } from '../plan/plan.type';
import { CreditRating } from '../rating/rating.type';
import { selectedFields } from '../../platform/graphql/selection';
import type { EnterpriseRow } from './enterprise.repository';
import { ENTERPRISES_PAGE, EnterprisePage, assertAccess, enterpriseService, noteResultRead, personalView } from './enterprise.service';
import { Audited } from '../audit/audited';
import { pageSize } from '../../platform/graphql/connection';
import { planPage } from './page-plan';

/** `Enterprise.ratingHistory` page size when `first` is left out or null (the schema's default, priced by the cost limit). */
const RATING_HISTORY_PAGE = 20;

@ArgsType()
class EnterprisesArgs {
  @Field(() => String, { nullable: true, description: 'A county code, or a city code (130800) for all its counties.' }) regionCode?: string | null;
  @Field(() => CreditGrade, { nullable: true, description: "Current grade (the enterprise's latest evaluation)." }) grade?: CreditGrade | null;
  @Field(() => Int, { nullable: true, defaultValue: ENTERPRISES_PAGE, description: 'Page size, 0–500 (default 20).' }) first?: number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
}

/** Enterprises: lookup, listing, registration; each list field goes through a per-request DataLoader. */
@Resolver(() => Enterprise)
export class EnterpriseResolver {
  @Query(() => Enterprise, { nullable: true })
  enterprise(@Ctx() ctx: HubContext, @Arg('creditCode') creditCode: string) {
    return enterpriseService.get(ctx, creditCode);
  }

  @Query(() => EnterpriseConnection)
  enterprises(@Ctx() ctx: HubContext, @Args() args: EnterprisesArgs, @Info() info: GraphQLResolveInfo) {
    const plan = planPage(info, ctx.principal);
    if (plan) {
      const { rating, meters, permits } = plan.children;
      return enterpriseService.list(ctx, args, {
        rating: Boolean(rating),
        meters: Boolean(meters),
        permits: Boolean(permits),
        only: { ...plan.children, node: plan.node },
        readLog: plan.logsReads
          ? { reader: ctx.principal, purpose: ctx.resultAccess.purposeOf(ctx.principal), requestId: ctx.requestId, fields: ['rating'] }
          : undefined,
      });
    }
    const wanted = selectedFields(info, ['edges', 'node']);
    return enterpriseService.list(ctx, args, { rating: wanted.has('rating'), meters: wanted.has('meters'), permits: wanted.has('permits') });
  }

  @Authorized(WRITERS)
  @Audited({ target: 'enterprise', id: 'input.creditCode', detail: ['input.regionCode', 'overrideCheckCharacter', 'conductRegionCode'] })
  @Mutation(() => Enterprise)
  registerEnterprise(
    @Ctx() ctx: HubContext,
    @Arg('input', () => EnterpriseInput) input: EnterpriseInput,
    @Arg('overrideCheckCharacter', () => Boolean, {
      nullable: true,
      description: 'PROVINCE_AUTHORITY only: register a legal early pilot code that fails the check character.',
    })
    override?: boolean | null,
    @Arg('conductRegionCode', () => String, {
      nullable: true,
      description:
        'Art. 9: an enterprise registered outside your jurisdiction (even outside the city) may be registered to determine a record for conduct in this region of your jurisdiction.',
    })
    conductRegionCode?: string | null,
  ) {
    return enterpriseService.register(ctx, input, override ?? false, conductRegionCode);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Personal data: masked (王**) unless the caller may see it.' })
  legalRepresentative(@Ctx() ctx: HubContext, @Root() e: EnterpriseRow) {
    return personalView(ctx, e).legalRepresentative;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Personal data: masked (138****1234) unless the caller may see it.' })
  contactPhone(@Ctx() ctx: HubContext, @Root() e: EnterpriseRow) {
    return personalView(ctx, e).contactPhone;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Personal data: first 6 and last 4 kept unless the caller may see it.' })
  legalRepresentativeIdNumber(@Ctx() ctx: HubContext, @Root() e: EnterpriseRow) {
    return personalView(ctx, e).legalRepresentativeIdNumber;
  }

  @FieldResolver(() => [WaterPermit])
  permits(@Ctx() ctx: HubContext, @Root() e: EnterpriseRow) {
    return e.prefetched?.permits ?? ctx.loaders.permits.load(e.id);
  }

  @FieldResolver(() => [Meter])
  meters(@Ctx() ctx: HubContext, @Root() e: EnterpriseRow) {
    assertAccess(ctx, e, 'internal');
    return e.prefetched?.meters ?? ctx.loaders.meters.load(e.id);
  }

  @FieldResolver(() => [WaterPlan])
  plans(@Ctx() ctx: HubContext, @Root() e: EnterpriseRow) {
    assertAccess(ctx, e, 'internal');
    return ctx.loaders.plans.load(e.id);
  }

  @FieldResolver(() => [CreditRecord], {
    description:
      'Public callers, partner agencies and grantees see ACTIVE records only (disclosed information); a grantee outside your scope needs a WITH_RECORDS grant (Art. 23).',
  })
  async creditRecords(
    @Ctx() ctx: HubContext,
    @Root() e: EnterpriseRow,
    @Arg('status', () => CreditRecordStatus, { nullable: true }) status?: CreditRecordStatus | null,
  ) {
    assertAccess(ctx, e, 'records');
    if (status && status !== CreditRecordStatus.ACTIVE) assertAccess(ctx, e, 'internal');
    noteResultRead(ctx, e, 'creditRecords');
    const all = await ctx.loaders.records.load(e.id);
    const disclosedOnly = ctx.principal.role === 'PUBLIC' || ctx.principal.role === 'PARTNER_AGENCY' || ctx.resultAccess.grants.has(e.id);
    const wanted = status ?? (disclosedOnly ? 'ACTIVE' : null);
    return wanted ? all.filter((r) => r.status === wanted) : all;
  }

  @FieldResolver(() => CreditRating, { nullable: true, description: 'Latest evaluation, null before the first one.' })
  rating(@Ctx() ctx: HubContext, @Root() e: EnterpriseRow) {
    assertAccess(ctx, e, 'rating');
    noteResultRead(ctx, e, 'rating');
    if (e.prefetched?.rating !== undefined) return e.prefetched.rating;
    return e.currentRatingId ? ctx.loaders.rating.load(e.currentRatingId) : null;
  }

  @FieldResolver(() => [CreditRating], { description: 'Evaluations, newest asOf first.' })
  ratingHistory(
    @Ctx() ctx: HubContext,
    @Root() e: EnterpriseRow,
    @Arg('first', () => Int, { nullable: true, defaultValue: RATING_HISTORY_PAGE }) first?: number | null,
  ) {
    const n = pageSize(first, RATING_HISTORY_PAGE, 200);
    assertAccess(ctx, e, 'rating');
    noteResultRead(ctx, e, 'ratingHistory');
    return ctx.loaders.ratingHistory(e.id, n);
  }

  @FieldResolver(() => [CandidateViolation])
  async candidateViolations(
    @Ctx() ctx: HubContext,
    @Root() e: EnterpriseRow,
    @Arg('status', () => CandidateStatus, { nullable: true }) status?: CandidateStatus | null,
  ) {
    assertAccess(ctx, e, 'internal');
    const all = await ctx.loaders.candidates.load(e.id);
    return status ? all.filter((c) => c.status === status) : all;
  }
}

@Resolver(() => EnterpriseConnection)
export class EnterpriseConnectionResolver {
  @FieldResolver(() => Int, { description: 'Enterprises matching the filter within your jurisdiction; counted only when selected.' })
  totalCount(@Ctx() ctx: HubContext, @Root() page: EnterprisePage) {
    return enterpriseService.count(ctx, page);
  }
}
