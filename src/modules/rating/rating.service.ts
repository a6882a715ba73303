import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { logger } from '../../platform/logger';
import { evaluations } from '../../platform/metrics';
import { Evaluation, evaluate } from '../credit/credit.rules';
import { createHash, randomUUID } from 'node:crypto';
import { chinaDateString } from '../../platform/china-time';
import { engineRecordsOf } from '../credit/credit-record.repository';
import { EnterpriseRow, RegradeTarget, findByIds, lockEnterpriseBatch, setCurrentRating, setCurrentRatings } from '../enterprise/enterprise.repository';
import { requireEnterprise } from '../enterprise/enterprise.service';
import { revokedPermitsOf } from '../permit/permit.repository';
import { caseFactsOfMany } from '../enforcement/enforcement.repository';
import { CreditPolicy, noPolicyInForce, policyInForce, policyOutlook } from '../policy/credit-policy';
import { appendRatingChanged, appendRatingsChanged } from '../outbox/outbox.repository';
import {
  NewRating,
  RatingCheck,
  RatingRow,
  RatingSummary,
  comparableRatings,
  confirmRatings,
  episodeHistory,
  insertRating,
  insertRatings,
} from './rating.repository';
import { notInFuture } from '../../platform/checks';
import { groupBy } from '../../platform/sql';

/** Enterprises re-graded per transaction by the daily re-grade (each batch: one lock, six reads, at most three writes). */
export const REGRADE_BATCH = 1000;
/** Batches of the daily re-grade in flight at once (one connection each): one reads or writes while the other is evaluated. */
export const REGRADE_CONCURRENCY = 2;

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

/**
 * The engine's inputs for the enterprises `ids` at `asOf` under `policy`, in one statement per
 * kind whatever their number (the bulk re-grade's batch, or one enterprise); one after another:
 * a transaction is a single connection.
 */
async function inputsOf(ctx: HubContext, ids: string[], policy: CreditPolicy, asOf: Date, span?: { from: string; to: string }) {
  // Only what the engine reads: a record's engine fields, revoked permits (the others decide nothing), D episodes.
  // `span`: every enterprise from..to is in `ids` (a keyset batch); rows of one registered since are left out by groupBy.
  const set = span ?? ids;
  const records = groupBy(ids, await engineRecordsOf(ctx.db, set), (r) => r.enterpriseId);
  const permits = groupBy(ids, await revokedPermitsOf(ctx.db, set), (p) => p.enterpriseId);
  const cases = await caseFactsOfMany(ctx.db, ids);
  const history = groupBy(ids, await episodeHistory(ctx.db, set, policy.periodStart, asOf), (h) => h.enterpriseId);
  return ids.map((id, i) => ({ policy, records: records[i], permits: permits[i], cases: cases.get(id)!, history: history[i], asOf }));
}

/** The engine's evaluation of `e` at `asOf` from its stored records, permits and official history. */
async function compute(ctx: HubContext, e: EnterpriseRow, asOf: Date): Promise<Evaluation> {
  const policy = policyInForce(ctx.policies, asOf);
  if (!policy) throw noPolicyInForce(ctx.policies, asOf);
  return evaluate((await inputsOf(ctx, [e.id], policy, asOf))[0]);
}

/**
 * SHA-256 of an evaluation's evidence (indicators, reasons, measures, deciding records). The
 * engine builds them in a fixed key order, so plain JSON is stable; a release that changes that
 * order changes every digest once, and the next re-grade stores each rating once more.
 */
export function evidenceDigest(r: Pick<Evaluation, 'indicators' | 'reasons' | 'measures' | 'decisiveRecordIds'>): string {
  return createHash('sha256')
    .update(JSON.stringify([r.indicators, r.reasons, [...r.decisiveRecordIds].sort()]))
    .update(measuresText(r.measures))
    .digest('hex');
}

/** The grade's measures are the policy's own list (the same array for every rating of that grade): serialised once per list. */
const measuresJson = new WeakMap<object, string>();
function measuresText(measures: Evaluation['measures']): string {
  let text = measuresJson.get(measures);
  if (text === undefined) measuresJson.set(measures, (text = JSON.stringify(measures)));
  return text;
}

/** A re-evaluation at `asOf` that only confirms `current`: same grade, score, policy version and evidence, and `current` not confirmed past `asOf`. */
export function confirms(current: RatingCheck, result: Evaluation, digest: string, asOf: Date): boolean {
  return (
    current.evidenceDigest === digest &&
    current.grade === result.grade &&
    current.score === result.score &&
    current.policyVersion === result.policyVersion &&
    current.confirmedAt.getTime() <= asOf.getTime()
  );
}

function toNewRating(e: { id: string }, result: Evaluation, asOf: Date, evaluatedBy: string, evidenceDigest: string): NewRating {
  return {
    enterpriseId: e.id,
    grade: result.grade,
    score: result.score,
    indicators: result.indicators,
    reasons: result.reasons,
    measures: result.measures,
    policyVersion: result.policyVersion,
    asOf,
    evaluatedBy,
    decisiveRecordIds: result.decisiveRecordIds,
    evidenceDigest,
  };
}

/** What a daily re-grade did: ratings stored (results that changed), confirmed (unchanged) and grade changes published. */
export interface RegradeSummary {
  enterprises: number;
  stored: number;
  confirmed: number;
  gradeChanges: number;
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
    const summary = await insertRating(ctx.db, toNewRating(e, result, asOf, ctx.principal.subject, evidenceDigest(result)));
    const rating: RatingRow = { ...summary, indicators: result.indicators, reasons: result.reasons, measures: result.measures };
    evaluations.inc({ grade: result.grade });
    const current = e.currentRatingId ? (await comparableRatings(ctx.db, [e.currentRatingId]))[0] : undefined;
    // Confirmed by a later re-grade: that one is the latest word.
    const becomesCurrent = !current || current.confirmedAt.getTime() <= asOf.getTime();
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
      const current = e.currentRatingId ? (await comparableRatings(ctx.db, [e.currentRatingId]))[0] : undefined;
      // The latest official word is the current rating's last confirmation (a daily re-grade that found it unchanged).
      if (isOfficialAsOf(asOf ?? null, now, current?.official ? current.confirmedAt : null)) return (await this.evaluateIn(ctx, e, at)).rating;
      const result = await compute(ctx, e, at);
      return {
        id: `what-if:${randomUUID()}`,
        enterpriseId: e.id,
        grade: result.grade,
        score: result.score,
        policyVersion: result.policyVersion,
        asOf: at,
        evaluatedAt: now,
        confirmedAt: at,
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
   * now, so grades follow the calendar without any new record. Streamed in id order (keyset)
   * in transactions of `batch` enterprises, locked for the batch: memory and lock time are
   * bounded by the batch, whatever the number of enterprises.
   */
  async reevaluateAll(ctx: HubContext, ids?: string[], batch = REGRADE_BATCH, concurrency = REGRADE_CONCURRENCY): Promise<RegradeSummary> {
    const total: RegradeSummary = { enterprises: 0, stored: 0, confirmed: 0, gradeChanges: 0 };
    // No policy in force: nothing can be graded, and retrying will not change that. Skip, loudly.
    const outlook = policyOutlook(ctx.policies);
    if (!outlook.inForce) {
      logger.warn({ lastPolicy: outlook.lastVersion, endedOn: outlook.lastEffectiveTo }, 're-grading skipped: no credit policy is in force');
      return total;
    }
    // The keyset cursor: each transaction claims (locks) the next batch in turn, then evaluates while the next one claims.
    let after: string | null = null;
    let exhausted = false;
    let turn: Promise<unknown> = Promise.resolve();
    const claim = (tx: HubContext) => {
      const mine = turn.then(async () => {
        if (exhausted) return [];
        const locked = await lockEnterpriseBatch(tx.db, after, batch, ids ?? null);
        if (locked.length < batch) exhausted = true;
        if (locked.length) after = locked.at(-1)!.id;
        return locked;
      });
      turn = mine.catch(() => (exhausted = true));
      return mine;
    };
    const worker = async () => {
      for (;;) {
        const done = await withTransaction(ctx, async (tx) => {
          const locked = await claim(tx);
          return locked.length ? this.regradeBatch(tx, locked, new Date(), !ids) : null;
        }).catch((err: unknown) => {
          exhausted = true;
          throw err;
        });
        if (!done) return;
        for (const k of ['enterprises', 'stored', 'confirmed', 'gradeChanges'] as const) total[k] += done[k];
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    return total;
  },

  /**
   * Re-grades the locked enterprises `es` as of `asOf` inside the caller's transaction, with
   * the same engine and inputs as `evaluateIn`, read for the whole batch at once. A result
   * equal to the current rating (grade, score, policy version, evidence digest) only confirms
   * it (its narrow confirmation row, one statement); changed results are stored in one multi-row
   * statement and become current; grade changes go to the outbox and the grade-change hooks.
   * `contiguous`: `es` are all the enterprises from the first id to the last (a batch of all of
   * them, not of a list), so reads take the id range.
   */
  async regradeBatch(ctx: HubContext, es: RegradeTarget[], asOf: Date, contiguous = false): Promise<RegradeSummary> {
    const policy = policyInForce(ctx.policies, asOf);
    if (!policy) {
      logger.warn({ enterprises: es.length, lastPolicy: ctx.policies.at(-1)?.version }, 'no credit policy in force today; re-grading skipped');
      return { enterprises: es.length, stored: 0, confirmed: 0, gradeChanges: 0 };
    }
    const inputs = await inputsOf(
      ctx,
      es.map((e) => e.id),
      policy,
      asOf,
      contiguous ? { from: es[0].id, to: es.at(-1)!.id } : undefined,
    );
    const confirmed: string[] = [];
    const fresh: NewRating[] = [];
    // The engine is pure: enterprises with nothing on file (no record, revoked permit, case or D episode) all get the
    // same evaluation, made once per batch (most enterprises, in a realistic mix).
    let blank: { result: Evaluation; digest: string } | undefined;
    const evaluated = (input: (typeof inputs)[number]) => {
      const result = evaluate(input);
      return { result, digest: evidenceDigest(result) };
    };
    es.forEach((e, i) => {
      const input = inputs[i];
      const nothing = !input.records.length && !input.permits.length && !input.cases.length && !input.history.length;
      const { result, digest } = nothing ? (blank ??= evaluated(input)) : evaluated(input);
      evaluations.inc({ grade: result.grade });
      // A current rating without a check (stored before checks existed) is stored anew once.
      if (e.check && confirms(e.check, result, digest, asOf)) confirmed.push(e.check.id);
      else fresh.push(toNewRating(e, result, asOf, ctx.principal.subject, digest));
    });
    await confirmRatings(ctx.db, confirmed, asOf);
    const stored = await insertRatings(ctx.db, fresh);
    const before = new Map(es.map((e) => [e.id, e]));
    // Evaluations are made at now, so a stored one is the latest word unless a confirmation is later still.
    const promoted = stored.filter((r) => {
      const check = before.get(r.enterpriseId)!.check;
      return !check || check.confirmedAt.getTime() <= asOf.getTime();
    });
    await setCurrentRatings(
      ctx.db,
      promoted.map((r) => ({ enterpriseId: r.enterpriseId, ratingId: r.id, grade: r.grade })),
    );
    const changes = promoted.filter((r) => before.get(r.enterpriseId)!.currentGrade !== r.grade);
    if (changes.length) await this.publishChanges(ctx, changes, before, fresh);
    return { enterprises: es.length, stored: stored.length, confirmed: confirmed.length, gradeChanges: changes.length };
  },

  /** The outbox events of the changed grades (three statements), then the grade-change hooks, which take the enterprises in full (read for them only). */
  async publishChanges(ctx: HubContext, changes: RatingSummary[], before: Map<string, RegradeTarget>, fresh: NewRating[]): Promise<void> {
    await appendRatingsChanged(
      ctx.db,
      changes.map((rating) => ({ e: before.get(rating.enterpriseId)!, rating, previousGrade: before.get(rating.enterpriseId)!.currentGrade })),
    );
    if (!gradeChangeHooks.length) return;
    const full = new Map(
      (
        await findByIds(
          ctx.db,
          changes.map((r) => r.enterpriseId),
        )
      ).map((e) => [e.id, e]),
    );
    const detail = new Map(fresh.map((r) => [r.enterpriseId, r]));
    for (const summary of changes) {
      const e = full.get(summary.enterpriseId)!;
      const d = detail.get(summary.enterpriseId)!;
      const rating: RatingRow = { ...summary, indicators: d.indicators, reasons: d.reasons, measures: d.measures };
      for (const hook of gradeChangeHooks) await hook(ctx, e, rating, before.get(e.id)!.currentGrade);
    }
  },
};
