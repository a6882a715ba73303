import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { logger } from '../../platform/logger';
import { evaluations } from '../../platform/metrics';
import { Evaluation, evaluate } from '../credit/credit.rules';
import { randomUUID } from 'node:crypto';
import { chinaDateString } from '../../platform/china-time';
import { recordsOf } from '../credit/credit-record.repository';
import { EnterpriseRow, enterpriseIdsIn, lockEnterpriseById, setCurrentRating } from '../enterprise/enterprise.repository';
import { requireEnterprise } from '../enterprise/enterprise.service';
import { permitsOf } from '../permit/permit.repository';
import { caseFactsOf } from '../enforcement/enforcement.repository';
import { noPolicyInForce, policyInForce, policyOutlook } from '../policy/credit-policy';
import { appendRatingChanged } from '../outbox/outbox.repository';
import { RatingRow, gradeHistory, insertRating, ratingsByIds } from './rating.repository';
import { notInFuture } from '../../platform/checks';

export interface StoredEvaluation {
  rating: RatingRow;
  previousGrade: string | null;
  /** True when this evaluation became the enterprise's current rating with a different grade. */
  changed: boolean;
}

/**
 * Whether an evaluation requested for `asOf` is official (an evaluation result of Art. 16(2)):
 * no asOf, or an asOf on today's China date not before the latest official rating's asOf.
 */
export function isOfficialAsOf(asOf: Date | null, now: Date, latestOfficialAsOf: Date | null): boolean {
  if (!asOf) return true;
  if (chinaDateString(asOf) !== chinaDateString(now)) return false;
  return !latestOfficialAsOf || asOf.getTime() >= latestOfficialAsOf.getTime();
}

/** The engine's evaluation of `e` at `asOf` from its stored records, permits and official history. */
async function compute(ctx: HubContext, e: EnterpriseRow, asOf: Date): Promise<Evaluation> {
  const policy = policyInForce(ctx.policies, asOf);
  if (!policy) throw noPolicyInForce(ctx.policies, asOf);
  // One after another: a transaction is a single connection.
  const records = await recordsOf(ctx.db, [e.id]);
  const permits = await permitsOf(ctx.db, [e.id]);
  const cases = await caseFactsOf(ctx.db, e.id);
  const history = await gradeHistory(ctx.db, e.id);
  return evaluate({ policy, records, permits, cases, history, asOf });
}

/** Called in the rating's transaction when an enterprise's official grade changes (e.g. the Art. 22 repair notice on C or D). */
export type GradeChangeHook = (ctx: HubContext, e: EnterpriseRow, rating: { id: string; grade: string }, previousGrade: string | null) => Promise<void>;
const gradeChangeHooks: GradeChangeHook[] = [];

/** Registers a hook run in the same transaction when an official grade changes (at module load, as work sources are). */
export function onGradeChange(hook: GradeChangeHook): void {
  gradeChangeHooks.push(hook);
}

/** Grading enterprises with the credit engine and storing the result with its evidence. */
export const ratingService = {
  /**
   * Evaluates an enterprise as of `asOf` under the policy in force then, inside the
   * caller's transaction (`ctx` is the transaction's), and stores the rating in its history. The rating becomes
   * the enterprise's current one unless a rating for a later date already is.
   */
  async evaluateIn(ctx: HubContext, e: EnterpriseRow, asOf: Date): Promise<StoredEvaluation> {
    const result = await compute(ctx, e, asOf);
    const rating = (await insertRating(ctx.db, {
      enterpriseId: e.id,
      grade: result.grade,
      score: result.score,
      indicators: result.indicators,
      reasons: result.reasons,
      measures: result.measures,
      policyVersion: result.policyVersion,
      asOf,
      evaluatedBy: ctx.principal.subject,
      decisiveRecordIds: result.decisiveRecordIds,
    }))!;
    evaluations.inc({ grade: result.grade });
    const current = e.currentRatingId ? (await ratingsByIds(ctx.db, [e.currentRatingId]))[0] : undefined;
    const becomesCurrent = !current || current.asOf.getTime() <= asOf.getTime();
    if (becomesCurrent) await setCurrentRating(ctx.db, e.id, rating.id, rating.grade);
    const previousGrade = current?.grade ?? null;
    const changed = becomesCurrent && previousGrade !== rating.grade;
    // Partners learn of the change through the outbox, committed with it or not at all.
    if (changed) await appendRatingChanged(ctx.db, e, rating, previousGrade);
    if (changed) for (const hook of gradeChangeHooks) await hook(ctx, e, rating, previousGrade);
    return { rating, previousGrade, changed };
  },

  /**
   * `evaluateEnterprise`: official (stored, may become current, published) when asOf is
   * omitted, or falls on today's China date and is not before the enterprise's latest official
   * rating; otherwise a what-if: computed and returned with `official: false` and an id
   * `what-if:<uuid>`, never stored, so never current, never published, never a D episode.
   */
  async evaluate(ctx: HubContext, creditCode: string, asOf?: Date | null): Promise<RatingRow> {
    const now = new Date();
    if (asOf) notInFuture(asOf, 'asOf', now.getTime());
    // Within the clock slack, "now": a later re-evaluation at now must be able to replace it.
    const at = asOf && asOf < now ? asOf : now;
    return withTransaction(ctx, async (ctx) => {
      const e = await requireEnterprise(ctx, creditCode, 'read', true);
      const current = e.currentRatingId ? (await ratingsByIds(ctx.db, [e.currentRatingId]))[0] : undefined;
      if (isOfficialAsOf(asOf ?? null, now, current?.official ? current.asOf : null)) return (await this.evaluateIn(ctx, e, at)).rating;
      const result = await compute(ctx, e, at);
      return {
        id: `what-if:${randomUUID()}`,
        enterpriseId: e.id,
        grade: result.grade,
        score: result.score,
        policyVersion: result.policyVersion,
        asOf: at,
        evaluatedAt: now,
        evaluatedBy: ctx.principal.subject,
        official: false,
        indicators: result.indicators,
        reasons: result.reasons,
        measures: result.measures,
      };
    });
  },

  /** Whether the rating's policy is an assumed continuation (Art. 32's trial term ended). */
  assumedContinuation(ctx: HubContext, r: RatingRow): boolean {
    return ctx.policies.find((p) => p.version === r.policyVersion)?.assumedContinuation ?? false;
  },

  /**
   * Re-grades after a change to an enterprise's records or permits, in the same
   * transaction. When no policy is in force today the change is kept and the skip logged.
   */
  async reevaluateIn(ctx: HubContext, e: EnterpriseRow): Promise<StoredEvaluation | null> {
    const now = new Date();
    if (!policyInForce(ctx.policies, now)) {
      logger.warn(
        { enterpriseId: e.id, lastPolicy: ctx.policies.at(-1)?.version },
        'no credit policy in force today; the change is kept, re-evaluation skipped',
      );
      return null;
    }
    return this.evaluateIn(ctx, e, now);
  },

  /**
   * The evaluate job's work: re-grades the enterprises `ids` (all of them when absent) as of
   * now, each in its own transaction, so grades follow the calendar without any new record.
   */
  async reevaluateAll(ctx: HubContext, ids?: string[]): Promise<void> {
    // No policy in force: nothing can be graded, and retrying will not change that. Skip, loudly.
    const outlook = policyOutlook(ctx.policies);
    if (!outlook.inForce) {
      logger.warn({ lastPolicy: outlook.lastVersion, endedOn: outlook.lastEffectiveTo }, 're-grading skipped: no credit policy is in force');
      return;
    }
    for (const id of ids ?? (await enterpriseIdsIn(ctx.db, null)))
      await withTransaction(ctx, async (ctx) => {
        const e = await lockEnterpriseById(ctx.db, id);
        if (e) await this.reevaluateIn(ctx, e);
      });
  },
};
