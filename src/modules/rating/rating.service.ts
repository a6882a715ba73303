import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { logger } from '../../platform/logger';
import { evaluations } from '../../platform/metrics';
import { Evaluation, evaluate } from '../credit/credit.rules';
import { createHash, randomUUID } from 'node:crypto';
import { chinaDateString } from '../../platform/china-time';
import { engineRecordsOf } from '../credit/credit-record.repository';
import { EnterpriseRow, findByIds, setCurrentRating } from '../enterprise/enterprise.repository';
import { requireEnterprise } from '../enterprise/enterprise.service';
import { revokedPermitsOf } from '../permit/permit.repository';
import { caseFactsOfMany } from '../enforcement/enforcement.repository';
import type { CaseFacts } from '../credit/enforcement.rules';
import { CreditPolicy, noPolicyInForce, policyInForce, policyOutlook } from '../policy/credit-policy';
import { appendRatingChanged, appendRatingsChanged } from '../outbox/outbox.repository';
import {
  ClaimedBatch,
  ClaimedTarget,
  NewRating,
  RatingCheck,
  RatingRow,
  RatingSummary,
  batchEnd,
  claimRegradeBatch,
  comparableRatings,
  confirmRatings,
  episodeHistory,
  insertRating,
  pruneRuns,
  storeRegrade,
} from './rating.repository';
import { notInFuture } from '../../platform/checks';
import { groupBy } from '../../platform/sql';

/**
 * Enterprises re-graded per transaction by the daily re-grade (each batch: one lock and read, the open ones' cases and D
 * history, at most two writes). 2,500 measured twice as fast per enterprise as 1,000 with unchanged ones decided from the
 * enterprise row (the per-batch statements weigh more than the rows); a batch's locks last tens of milliseconds.
 */
export const REGRADE_BATCH = 2500;
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

/**
 * The engine's inputs of claimed enterprises from what the claim read (records, revoked
 * permits), with their enforcement cases and D history read only for those that have any: the
 * same inputs as `inputsOf`.
 */
async function claimedInputs(ctx: HubContext, es: ClaimedTarget[], policy: CreditPolicy, asOf: Date) {
  const withCases = es.filter((e) => e.hasCases).map((e) => e.id);
  const withD = es.filter((e) => e.hasD).map((e) => e.id);
  const cases = withCases.length ? await caseFactsOfMany(ctx.db, withCases) : new Map<string, CaseFacts[]>();
  const history = withD.length ? groupBy(withD, await episodeHistory(ctx.db, withD, policy.periodStart, asOf), (h) => h.enterpriseId) : [];
  const historyOf = new Map(withD.map((id, i) => [id, history[i]]));
  return es.map((e) => ({
    policy,
    records: e.records,
    permits: e.permits,
    cases: cases.get(e.id) ?? [],
    history: historyOf.get(e.id) ?? [],
    asOf,
  }));
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

/** An enterprise whose official grade changed, with its new rating and the grade before. */
export interface GradeChange {
  e: EnterpriseRow;
  rating: { id: string; grade: string };
  previousGrade: string | null;
}

/**
 * Called in the ratings' transaction when official grades change (e.g. the Art. 22 repair notice on C or D): once per
 * evaluation, or once per re-grade batch with all of its changes, so a hook reads and writes per batch, not per enterprise.
 */
export type GradeChangeHook = (ctx: HubContext, changes: readonly GradeChange[]) => Promise<void>;
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
    if (changed) for (const hook of gradeChangeHooks) await hook(ctx, [{ e, rating, previousGrade }]);
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
    // The keyset cursor: each transaction takes the next batch's id range in turn (an index scan), then claims (locks and
    // reads) and evaluates it while the next one takes its range.
    let after: string | null = null;
    let exhausted = false;
    let turn: Promise<unknown> = Promise.resolve();
    const next = (tx: HubContext) => {
      const mine = turn.then(async () => {
        if (exhausted) return null;
        const from = after;
        const to = await batchEnd(tx.db, after, batch, ids ?? null);
        if (to === null) exhausted = true;
        after = to;
        return { after: from, to };
      });
      turn = mine.catch(() => (exhausted = true));
      return mine;
    };
    const startedAt = new Date();
    const worker = async () => {
      for (;;) {
        const done = await withTransaction(ctx, async (tx) => {
          const range = await next(tx);
          if (!range) return null;
          // The claim's estimate (every enterprise of the batch possibly open) passes the server's JIT threshold; compiling it
          // costs ten times what running it does (a few milliseconds).
          await tx.db.query('SET LOCAL jit = off');
          // The policy the claim compares with; regradeBatch refuses the batch if another is in force by its asOf.
          const policyVersion = policyInForce(ctx.policies, new Date())?.version ?? null;
          const claimed = await claimRegradeBatch(tx.db, range.after, range.to, ids ?? null, policyVersion ?? '');
          // A batch of all enterprises covers the ids from the last batch's (exclusive) to its own last, or to the end when it is the last.
          return claimed.count || !ids ? this.regradeBatch(tx, claimed, new Date(), ids ? null : range, policyVersion) : null;
        }).catch((err: unknown) => {
          exhausted = true;
          throw err;
        });
        if (!done) return;
        for (const k of ['enterprises', 'stored', 'confirmed', 'gradeChanges'] as const) total[k] += done[k];
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    // Every enterprise was covered by this run: the batch rows of the runs before it decide nothing any more.
    if (!ids) await withTransaction(ctx, (tx) => pruneRuns(tx.db, startedAt));
    return total;
  },

  /**
   * Re-grades the claimed (locked) enterprises `es` as of `asOf` inside the caller's
   * transaction, with the same engine and inputs as `evaluateIn`. An enterprise whose inputs
   * are those of its current rating's last full evaluation, with nothing due to move with time
   * since, under the same policy (`unchanged`, decided by the claim for `claimedPolicy`), keeps
   * its result without running the engine; the others are evaluated from the inputs the claim
   * read (cases and D history read for those that have any). A result equal to the current
   * rating (grade, score, policy version, evidence digest) only confirms it; changed results
   * are stored in one multi-row statement and become current; grade changes go to the outbox
   * and the grade-change hooks. `range`: `es` are all the enterprises in that id range (a batch
   * of all of them, not of a list), confirmed with one `regrade_run` row; a list's confirmed
   * ratings are confirmed row by row.
   */
  async regradeBatch(
    ctx: HubContext,
    batch: ClaimedBatch,
    asOf: Date,
    range: { after: string | null; to: string | null } | null = null,
    claimedPolicy: string | null = null,
  ): Promise<RegradeSummary> {
    const policy = policyInForce(ctx.policies, asOf);
    if (!policy) {
      logger.warn({ enterprises: batch.count, lastPolicy: ctx.policies.at(-1)?.version }, 'no credit policy in force today; re-grading skipped');
      return { enterprises: batch.count, stored: 0, confirmed: 0, gradeChanges: 0 };
    }
    // Another policy in force by now than the claim compared with (a policy's first instant): the unchanged ones were judged
    // under the old one. The batch rolls back and the job fails before pruning anything; its retry grades under the new one.
    if (policy.version !== claimedPolicy && batch.count > batch.open.length)
      throw new Error(`credit policy ${policy.version} came into force during the re-grade (claimed under ${claimedPolicy}); retry`);
    const open = batch.open;
    const keptCount = batch.count - open.length;
    for (const [grade, n] of Object.entries(batch.keptGrades)) evaluations.inc({ grade }, n);
    const inputs = await claimedInputs(ctx, open, policy, asOf);
    const reconfirmed: { id: string; enterpriseId: string }[] = [];
    const fresh: NewRating[] = [];
    // The engine is pure: enterprises with nothing on file (no record, revoked permit, case or D episode) all get the
    // same evaluation, made once per batch (most enterprises, in a realistic mix).
    let blank: { result: Evaluation; digest: string } | undefined;
    const evaluated = (input: (typeof inputs)[number]) => {
      const result = evaluate(input);
      return { result, digest: evidenceDigest(result) };
    };
    open.forEach((e, i) => {
      const input = inputs[i];
      const nothing = !input.records.length && !input.permits.length && !input.cases.length && !input.history.length;
      const { result, digest } = nothing ? (blank ??= evaluated(input)) : evaluated(input);
      evaluations.inc({ grade: result.grade });
      // A current rating without a check (stored before checks existed) is stored anew once.
      if (e.check && confirms(e.check, result, digest, asOf)) {
        reconfirmed.push({ id: e.check.id, enterpriseId: e.id });
      } else fresh.push(toNewRating(e, result, asOf, ctx.principal.subject, digest));
    });
    if (!range) await confirmRatings(ctx.db, batch.keptRatings ?? [], asOf);
    const before = new Map(open.map((e) => [e.id, e]));
    // Evaluations are made at now, so a stored one is the latest word unless a confirmation is later still.
    const promote = fresh.map((r) => {
      const check = before.get(r.enterpriseId)!.check;
      return !check || check.confirmedAt.getTime() <= asOf.getTime();
    });
    // One statement: new ratings, made current; the unchanged evaluated ones confirmed; a batch of all enterprises in an id
    // range confirms the rest with one row (a list's, rating by rating, above).
    const stored = await storeRegrade(ctx.db, {
      rs: fresh,
      promote,
      reconfirmed,
      asOf,
      policyVersion: policy.version,
      run: range && { ...range, asOf },
    });
    const promoted = stored.filter((_, i) => promote[i]);
    const changes = promoted.filter((r) => before.get(r.enterpriseId)!.currentGrade !== r.grade);
    if (changes.length) await this.publishChanges(ctx, changes, before);
    return { enterprises: batch.count, stored: stored.length, confirmed: keptCount + reconfirmed.length, gradeChanges: changes.length };
  },

  /** The outbox events of the changed grades (three statements), then the grade-change hooks, once with all of them, which take the enterprises in full (read for them only). */
  async publishChanges(ctx: HubContext, changes: RatingSummary[], before: Map<string, ClaimedTarget>): Promise<void> {
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
    const all = changes.map((rating) => ({ e: full.get(rating.enterpriseId)!, rating, previousGrade: before.get(rating.enterpriseId)!.currentGrade }));
    for (const hook of gradeChangeHooks) await hook(ctx, all);
  },
};
