import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { HubContext } from '../context';
import { CreditPolicy, GRADES, policyInForce } from './credit-policy';
import { CreditPolicyInfo } from './policy.type';

/** Maps a loaded policy to its GraphQL view. */
export function mapPolicy(p: CreditPolicy): CreditPolicyInfo {
  return {
    version: p.version,
    title: p.title,
    titleEn: p.titleEn,
    assumedContinuation: p.assumedContinuation,
    effectiveFrom: p.effectiveFrom,
    effectiveTo: p.effectiveTo,
    periodStart: p.periodStart,
    periodEnd: p.periodEnd,
    honorWindowStart: p.honorWindowStart,
    honorMinLevel: p.honorMinLevel,
    fullScore: p.thresholds.full,
    poorScore: p.thresholds.poor,
    indicators: p.indicators.map((i) => ({
      code: i.code,
      area: i.area,
      areaName: i.areaName,
      areaNameZh: i.areaNameZh,
      name: i.name,
      nameZh: i.nameZh,
      maxScore: i.maxScore,
      general: i.levels.GENERAL,
      serious: i.levels.SERIOUS,
      severe: i.levels.SEVERE ?? null,
    })),
    measures: GRADES.map((g) => ({ grade: g, measures: p.measures[g] })),
    unrepairable: p.unrepairable.map((u) => ({
      code: u.code,
      indicators: u.indicators ?? null,
      levels: u.levels ?? null,
      basisContains: u.basisContains ?? null,
      description: u.description,
      legalBasis: u.legalBasis,
    })),
    notes: p.notes,
  };
}

/** The credit policies are public: the rules an enterprise is graded by. */
@Resolver()
export class PolicyResolver {
  @Query(() => [CreditPolicyInfo], { description: 'Every policy version, oldest first.' })
  creditPolicies(@Ctx() ctx: HubContext) {
    return ctx.policies.map(mapPolicy);
  }

  @Query(() => CreditPolicyInfo, { nullable: true, description: 'The policy in force at a time (default now).' })
  creditPolicy(@Ctx() ctx: HubContext, @Arg('asOf', () => Date, { nullable: true }) asOf?: Date | null) {
    const p = policyInForce(ctx.policies, asOf ?? new Date());
    return p ? mapPolicy(p) : null;
  }
}
