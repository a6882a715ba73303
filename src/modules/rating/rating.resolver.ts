import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { EVALUATORS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { CreditRecord } from '../credit/credit-record.type';
import { Enterprise } from '../enterprise/enterprise.type';
import { CreditRating, IndicatorScore } from './rating.type';
import { parentEnterprise } from '../enterprise/enterprise-parent';
import { IndicatorResult } from '../credit/credit.rules';
import type { RatingDetail, RatingRow } from './rating.repository';
import { ratingService } from './rating.service';
import type { CreditRecordRow } from '../credit/credit-record.repository';
import { mayReadInternal } from '../../platform/auth/access.rules';
import { Audited } from '../audit/audited';

/** The rating's evidence: already on the row, or one batched load for the page. */
async function detail(ctx: HubContext, r: RatingRow): Promise<RatingDetail> {
  if (r.indicators && r.reasons && r.measures) return r as RatingDetail;
  return (await ctx.loaders.ratingDetail.load(r.id))!;
}

@Resolver(() => CreditRating)
export class RatingResolver {
  @Authorized(EVALUATORS)
  @Audited({ target: 'enterprise', id: 'creditCode', detail: ['asOf'] })
  @Mutation(() => CreditRating, { description: 'Evaluates an enterprise now (or as of a past date) under the policy in force then, and stores the rating.' })
  evaluateEnterprise(@Ctx() ctx: HubContext, @Arg('creditCode') creditCode: string, @Arg('asOf', () => Date, { nullable: true }) asOf?: Date | null) {
    return ratingService.evaluate(ctx, creditCode, asOf);
  }

  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() r: RatingRow) {
    return parentEnterprise(ctx, r);
  }

  @FieldResolver(() => [IndicatorScore])
  async indicators(@Ctx() ctx: HubContext, @Root() r: RatingRow): Promise<IndicatorResult[]> {
    return (await detail(ctx, r)).indicators;
  }

  @FieldResolver(() => [String], { description: 'Human-readable reasons for the grade, citing the rule applied.' })
  async reasons(@Ctx() ctx: HubContext, @Root() r: RatingRow): Promise<string[]> {
    return (await detail(ctx, r)).reasons;
  }

  @FieldResolver(() => [String], { description: 'The measures that apply at this grade (incentives or sanctions).' })
  async measures(@Ctx() ctx: HubContext, @Root() r: RatingRow): Promise<string[]> {
    return (await detail(ctx, r)).measures;
  }
}

@Resolver(() => IndicatorScore)
export class IndicatorScoreResolver {
  @FieldResolver(() => [CreditRecord], { description: 'The active records that set this score.' })
  async records(@Ctx() ctx: HubContext, @Root() i: IndicatorResult) {
    const found = (await ctx.loaders.record.loadMany(i.recordIds)).filter((r): r is CreditRecordRow => Boolean(r) && !(r instanceof Error));
    if (!found.length) return found;
    // Records have since been repaired or revoked: only readers of internal data see those.
    const e = (await ctx.loaders.enterprise.load(found[0].enterpriseId))!;
    return mayReadInternal(ctx.principal, e) ? found : found.filter((r) => r.status === 'ACTIVE');
  }
}
