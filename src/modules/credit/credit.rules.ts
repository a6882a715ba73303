import { chinaDateString } from '../../platform/china-time';
import { CreditPolicy, DishonestyLevel, Grade, HONOR_LEVELS, HonorCategory, HonorLevel } from '../policy/credit-policy';
import type { PermitRevocationKind } from '../permit/permit.rules';
import type { CaseFacts } from './enforcement.rules';

export const CREDIT_RECORD_KINDS = ['DISHONESTY', 'HONOR'] as const;
export type CreditRecordKind = (typeof CREDIT_RECORD_KINDS)[number];
/** ACTIVE counts in evaluations; REPAIRED after approved credit repair; REVOKED after an upheld objection. */
export const CREDIT_RECORD_STATUSES = ['ACTIVE', 'REPAIRED', 'REVOKED'] as const;
export type CreditRecordStatus = (typeof CREDIT_RECORD_STATUSES)[number];

/** A credit record as the engine sees it: plain data, no I/O. */
export interface EngineRecord {
  id: string;
  kind: CreditRecordKind;
  indicator?: string | null;
  level?: DishonestyLevel | null;
  honorLevel?: HonorLevel | null;
  /** Honors: whether a government department awarded it (Art. 14 needs one for A). */
  governmentAward?: boolean;
  /** Honors: derived from the awarding body; null when unknown (never counts for A). Replaces `governmentAward`. */
  awardedByGovernment?: boolean | null;
  /** Honors: the Art. 10 category. */
  honorCategory?: HonorCategory | null;
  /** Dishonesty: the enforcement case it was determined from, if any. */
  caseId?: string | null;
  occurredAt: Date;
  status: CreditRecordStatus;
  /** Consecutive rectification notices not complied with (annex item 6, direct grading). */
  unheededNotices?: number;
}

export interface EnginePermit {
  permitNo: string;
  revokedAt?: Date | null;
  /** How it ended (default REVOCATION for rows from before kinds existed): only REVOCATION is a direct D. */
  revocationKind?: PermitRevocationKind | null;
  /** A REVOCATION annulled on review is void from the start: never a D, at any asOf. */
  annulledAt?: Date | null;
}

export interface PriorRating {
  grade: Grade;
  asOf: Date;
  /** The records that decided that grade (see `Evaluation.decisiveRecordIds`). */
  decisiveRecordIds?: string[];
}

export interface EvaluationInput {
  policy: CreditPolicy;
  records: EngineRecord[];
  permits: EnginePermit[];
  /** The enterprise's enforcement cases (annex row 6: direct C/D are derived from them). */
  cases?: CaseFacts[];
  /** Earlier stored evaluations of the same enterprise, any order. */
  history: PriorRating[];
  asOf: Date;
}

export interface IndicatorResult {
  code: string;
  name: string;
  maxScore: number;
  score: number;
  /** The active records that set this score (the worst ones). */
  recordIds: string[];
}

export interface Evaluation {
  grade: Grade;
  score: number;
  indicators: IndicatorResult[];
  reasons: string[];
  measures: string[];
  policyVersion: string;
  asOf: Date;
  /** Records that decided a C or D (empty for A and B); stored so later evaluations can tell repaired from revoked. */
  decisiveRecordIds: string[];
}

const day = chinaDateString;
const describe = (r: EngineRecord) => `${r.indicator} ${r.level?.toLowerCase()} on ${day(r.occurredAt)}`;

/**
 * Grades one enterprise under `policy` as of `asOf` (Chengde rules Art. 13–17 and the annex).
 *
 * Order: D (Art. 17) before C (Art. 16) before A (Art. 14) before B (Art. 15); every
 * reason names the rule it applied. Only records whose conduct falls in the policy's
 * evaluation period and not after `asOf` count; REVOKED records never count; REPAIRED
 * records leave the score but, per Art. 14/15 ("no dishonesty information in the
 * period"), still keep A and B out of reach when the policy says so.
 *
 * @example evaluate({ policy, records: [], permits: [], history: [], asOf }) // → B, 1000
 */
export function evaluate(input: EvaluationInput): Evaluation {
  const { policy, asOf } = input;
  if (asOf < policy.inForceFrom || asOf >= policy.inForceUntil) throw new RangeError(`policy ${policy.version} is not in force at ${asOf.toISOString()}`);
  const inPeriod = (d: Date) => d >= policy.periodStart && d < policy.periodEnd && d <= asOf;

  const dishonesty = input.records.filter((r) => r.kind === 'DISHONESTY' && inPeriod(r.occurredAt));
  const active = dishonesty.filter((r) => r.status === 'ACTIVE');
  const repaired = dishonesty.filter((r) => r.status === 'REPAIRED');

  const indicators: IndicatorResult[] = policy.indicators.map((ind) => {
    const scored = active.filter((r) => r.indicator === ind.code).map((r) => ({ r, score: levelScore(policy, ind.code, r.level!) }));
    const score = Math.min(ind.maxScore, ...scored.map((s) => s.score));
    return {
      code: ind.code,
      name: ind.name,
      maxScore: ind.maxScore,
      score,
      recordIds: scored.filter((s) => s.score === score).map((s) => s.r.id),
    };
  });
  const unknown = active.filter((r) => !policy.indicators.some((i) => i.code === r.indicator));
  if (unknown.length) throw new RangeError(`record ${unknown[0].id} names indicator ${unknown[0].indicator}, unknown to ${policy.version}`);
  const score = indicators.reduce((s, i) => s + i.score, 0);
  const { full, poor } = policy.thresholds;
  const dg = policy.directGrading;
  const area = (r: EngineRecord) => policy.indicators.find((i) => i.code === r.indicator)!.area;

  const d: string[] = [];
  const severe = active.filter((r) => r.level === 'SEVERE');
  if (severe.length) d.push(`D: ${severe.length} active severe record(s) in the period (${severe.map(describe).join('; ')}) — Art. 17(1)`);
  if (score < poor) d.push(`D: total score ${score} is below ${poor} — Art. 17(2)`);
  const dNotices = active.filter((r) => (r.unheededNotices ?? 0) >= dg.dNotices && dg.dAreas.includes(area(r)));
  if (dNotices.length) d.push(`D: ${dg.dNotices} consecutive rectification notices unheeded (${dNotices.map(describe).join('; ')}) — Art. 17(3), annex item 6`);
  if (dg.permitRevocationIsD) {
    const revoked = input.permits.filter((p) => p.revokedAt && inPeriod(p.revokedAt));
    if (revoked.length)
      d.push(`D: water-withdrawal permit ${revoked.map((p) => `${p.permitNo} revoked on ${day(p.revokedAt!)}`).join(', ')} — Art. 17(3), annex item 6`);
  }
  if (d.length) {
    const decisive = new Set([...severe, ...dNotices, ...(score < poor ? active : [])].map((r) => r.id));
    return result(input, 'D', score, indicators, d, [...decisive]);
  }

  const c: string[] = [];
  if (active.length) {
    const count = (l: DishonestyLevel) => active.filter((r) => r.level === l).length;
    c.push(`C: ${active.length} active dishonesty record(s) in the period (${count('GENERAL')} general, ${count('SERIOUS')} serious) — Art. 16(1)`);
  }
  if (score < full) c.push(`C: total score ${score} is at least ${poor} and below ${full} — Art. 16(3)`);
  const cNotices = active.filter((r) => (r.unheededNotices ?? 0) >= dg.cNotices);
  if (cNotices.length)
    c.push(
      `C: ${dg.cNotices} consecutive rectification notices unheeded, rectified after the next (${cNotices.map(describe).join('; ')}) — Art. 16(4), annex item 6`,
    );
  const status = new Map(input.records.map((r) => [r.id, r.status]));
  const episodes = dEpisodes(
    input.history.filter((h) => h.asOf >= policy.periodStart && h.asOf < asOf),
    (id) => status.get(id) === 'REVOKED',
  );
  const repairedEpisodes = episodes.filter((ep) => ep.some((id) => status.get(id) === 'REPAIRED'));
  if (repairedEpisodes.length === 1 && episodes.length === 1) c.push(`C: graded D once in the period and since repaired — Art. 16(2)`);
  if (policy.repairedRecordsBlockAB && repaired.length)
    c.push(`C: ${repaired.length} repaired dishonesty record(s) in the period; A and B need none ("施行期内无失信信息") — Art. 14(1), Art. 15`);
  if (c.length)
    return result(
      input,
      'C',
      score,
      indicators,
      c,
      active.map((r) => r.id),
    );

  const minHonor = HONOR_LEVELS.indexOf(policy.honorMinLevel);
  const honor = input.records.find(
    (r) =>
      r.kind === 'HONOR' &&
      r.status === 'ACTIVE' &&
      HONOR_LEVELS.indexOf(r.honorLevel!) >= minHonor &&
      (!policy.honorRequiresGovernmentAward || r.governmentAward !== false) &&
      r.occurredAt >= policy.honorWindowStart &&
      r.occurredAt <= asOf,
  );
  const clean = `no dishonesty record in the period and score ${score}`;
  if (honor)
    return result(input, 'A', score, indicators, [
      `A: ${clean}; ${honor.honorLevel!.toLowerCase()} honor awarded on ${day(honor.occurredAt)} (from ${day(policy.honorWindowStart)}) — Art. 14`,
    ]);
  return result(input, 'B', score, indicators, [
    `B: ${clean}; no government honor of ${policy.honorMinLevel.toLowerCase()} level or above since ${day(policy.honorWindowStart)} — Art. 15`,
  ]);
}

/** The points a dishonesty level leaves on an indicator; throws when the level does not exist there. */
export function levelScore(policy: CreditPolicy, indicator: string, level: DishonestyLevel): number {
  const ind = policy.indicators.find((i) => i.code === indicator);
  if (!ind) throw new RangeError(`indicator ${indicator} is not in policy ${policy.version}`);
  const score = ind.levels[level];
  if (score === undefined) throw new RangeError(`indicator ${indicator} has no ${level.toLowerCase()} level in policy ${policy.version}`);
  return score;
}

/**
 * The separate runs of D grades in asOf order (re-evaluating a D enterprise stays one
 * episode), each as the records that decided it. A run whose records were all revoked
 * as mistaken (upheld objection) is no D episode at all.
 */
export function dEpisodes(history: PriorRating[], revoked: (id: string) => boolean = () => false): string[][] {
  const sorted = [...history].sort((a, b) => a.asOf.getTime() - b.asOf.getTime());
  const episodes: string[][] = [];
  let prev: Grade | undefined;
  for (const h of sorted) {
    if (h.grade === 'D') {
      if (prev !== 'D') episodes.push([]);
      episodes.at(-1)!.push(...(h.decisiveRecordIds ?? []));
    }
    prev = h.grade;
  }
  return episodes.filter((ep) => ep.length === 0 || !ep.every(revoked));
}

function result(
  input: EvaluationInput,
  grade: Grade,
  score: number,
  indicators: IndicatorResult[],
  reasons: string[],
  decisiveRecordIds: string[] = [],
): Evaluation {
  return {
    decisiveRecordIds,
    grade,
    score,
    indicators,
    reasons,
    measures: input.policy.measures[grade],
    policyVersion: input.policy.version,
    asOf: input.asOf,
  };
}
