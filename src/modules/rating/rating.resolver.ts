import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { EVALUATORS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { CreditRecord } from '../credit/credit-record.type';
import { Enterprise } from '../enterprise/enterprise.type';
import { CreditRating, IndicatorScore, Reason } from './rating.type';
import { Lang } from '../graphql-enums';
import { textIn } from '../../platform/lang';
import { parentEnterprise } from '../enterprise/enterprise-parent';
import { assertAccess, noteResultRead } from '../enterprise/enterprise.service';
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
  @Mutation(() => CreditRating, {
    description:
      "Evaluates an enterprise under the policy in force at asOf. Official (stored, may become current, published) when asOf is omitted, or falls on today's China date and is not before the latest official rating; otherwise a what-if (official: false), returned and never stored.",
  })
  evaluateEnterprise(@Ctx() ctx: HubContext, @Arg('creditCode') creditCode: string, @Arg('asOf', () => Date, { nullable: true }) asOf?: Date | null) {
    return ratingService.evaluate(ctx, creditCode, asOf);
  }

  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() r: RatingRow) {
    return parentEnterprise(ctx, r);
  }

  @FieldResolver(() => Date, {
    description:
      'When the rating was last confirmed (最近确认): the latest asOf at which a re-evaluation (the daily re-grade) gave the same grade, score, policy version and evidence, which stores no copy of the rating; asOf when not re-confirmed since. History lists each change; this says it still held then.',
  })
  async confirmedAt(@Ctx() ctx: HubContext, @Root() r: RatingRow): Promise<Date> {
    if (r.confirmedAt) return r.confirmedAt;
    if (r.id.startsWith('what-if:')) return r.asOf;
    return (await ctx.loaders.ratingConfirmation.load(r.id))?.confirmedAt ?? r.asOf;
  }

  @FieldResolver(() => [IndicatorScore])
  async indicators(@Ctx() ctx: HubContext, @Root() r: RatingRow): Promise<IndicatorResult[]> {
    return (await detail(ctx, r)).indicators;
  }

  @FieldResolver(() => [String], {
    description:
      "The reasons for the grade, each citing the clause applied, in `lang` (default: the request's Accept-Language; Chinese unless English is preferred).",
  })
  async reasons(@Ctx() ctx: HubContext, @Root() r: RatingRow, @Arg('lang', () => Lang, { nullable: true }) lang?: Lang | null): Promise<string[]> {
    return (await detail(ctx, r)).reasons.map((x) => textIn(lang ?? ctx.lang, x));
  }

  @FieldResolver(() => [Reason], { description: 'The reasons with their clause (Chinese citation), in Chinese and English.' })
  async reasonDetails(@Ctx() ctx: HubContext, @Root() r: RatingRow): Promise<Reason[]> {
    return (await detail(ctx, r)).reasons;
  }

  @FieldResolver(() => [String], {
    description: 'The measures of Art. 18–21 at this grade (incentives or sanctions), in `lang` (Chinese verbatim by default, English on request).',
  })
  async measures(@Ctx() ctx: HubContext, @Root() r: RatingRow, @Arg('lang', () => Lang, { nullable: true }) lang?: Lang | null): Promise<string[]> {
    return (await detail(ctx, r)).measures.map((x) => textIn(lang ?? ctx.lang, x));
  }

  @FieldResolver(() => Boolean, {
    description:
      'The policy applied is an assumed continuation of the trial rules (第三十二条: two-year trial term), until the authority issues a successor; a reason says so too.',
  })
  assumedContinuation(@Ctx() ctx: HubContext, @Root() r: RatingRow): boolean {
    return ratingService.assumedContinuation(ctx, r);
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
    // Art. 23: a grantee outside the enterprise's scope sees the records only under a WITH_RECORDS grant.
    assertAccess(ctx, e, 'records');
    noteResultRead(ctx, e, 'creditRecords');
    return mayReadInternal(ctx.principal, e) ? found : found.filter((r) => r.status === 'ACTIVE');
  }
}
