import { Bilingual, CreditPolicy, DishonestyLevel, Grade, HONOR_LEVELS, HonorCategory, HonorLevel, indicatorOf } from '../policy/credit-policy';
import type { PermitRevocationKind } from '../permit/permit.rules';
import { CaseFacts, CaseOutcome, caseOutcome } from './enforcement.rules';
import { Reason, reasons } from './credit.reasons';

export type { Reason } from './credit.reasons';

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
  /** Honors: derived from the awarding body; null/undefined when unknown (never counts for A, never defaulted). */
  awardedByGovernment?: boolean | null;
  /** Honors: the Art. 10 category. */
  honorCategory?: HonorCategory | null;
  /** Dishonesty: the enforcement case it was determined from, if any. */
  caseId?: string | null;
  /** Dishonesty: the penalty revocation (吊销) of a permit it carries, if any (the permit's `id`). */
  permitId?: string | null;
  occurredAt: Date;
  status: CreditRecordStatus;
}

export interface EnginePermit {
  /** Stored permits have one; a D decided by a revocation names it among the decisive ids. */
  id?: string;
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
  /** Chinese first, each citing the clause that applied; the grade's reasons, then (if so) the assumed continuation. */
  reasons: Reason[];
  /** The measures of Art. 18–21 for the grade, Chinese (verbatim) and English. */
  measures: Bilingual[];
  policyVersion: string;
  /** The policy applied is an assumed continuation of the trial rules (Art. 32); a reason says so too. */
  assumedContinuation: boolean;
  asOf: Date;
  /** Records (or permits, or cases without a record yet) that decided a C or D (empty for A and B); stored so later evaluations can tell repaired from revoked. */
  decisiveRecordIds: string[];
}

/**
 * Grades one enterprise under `policy` as of `asOf` (Chengde rules Art. 13–17 and the annex).
 *
 * Order: D (Art. 17) before C (Art. 16) before A (Art. 14) before B (Art. 15); every
 * reason cites the clause it applied. Records are counted as the policy's `counting` ladder
 * says (one record is one 条): D under 17(1) from `dMinSevere` severe or `dMinSerious` serious
 * records; C under 16(1) only within `cMaxGeneral` general and `cMaxSerious` serious and no
 * severe; beyond that the score decides (16(3) / 17(2)). Only records whose conduct falls in
 * the policy's evaluation period and not after `asOf` count; REVOKED records never count;
 * REPAIRED records leave the score but, per Art. 14/15 ("no dishonesty information in the
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
  const counting = policy.counting;

  const cases = countedCases(input, inPeriod);
  const repairedPermits = repairedRevocations(input);
  const permitD = dg.permitRevocationIsD
    ? input.permits.filter((p) => isPenaltyRevocation(p) && inPeriod(p.revokedAt!) && !(p.id && repairedPermits.has(p.id)))
    : [];
  const of = (l: DishonestyLevel) => active.filter((r) => r.level === l);
  const [general, serious, severe] = [of('GENERAL'), of('SERIOUS'), of('SEVERE')];

  // D (Art. 17): (1) by count, (2) by score, (3) direct.
  const d: Reason[] = [];
  const severeD = severe.length >= counting.dMinSevere;
  const seriousD = serious.length >= counting.dMinSerious;
  if (severeD) d.push(reasons.dSevere(severe, counting.dMinSevere));
  if (seriousD) d.push(reasons.dSerious(serious, counting.dMinSerious));
  if (score < poor) d.push(reasons.dScore(score, poor));
  const caseD = cases.filter((c) => c.outcome.directD && dg.dAreas.includes(c.area));
  for (const c of caseD) d.push(reasons.dCase(c.outcome.facts));
  for (const p of permitD) d.push(reasons.dPermit(p.permitNo, p.revokedAt!));
  if (d.length) {
    const decisive = new Set([
      ...[...(severeD ? severe : []), ...(seriousD ? serious : []), ...(score < poor ? active : [])].map((r) => r.id),
      ...caseD.flatMap((c) => c.decisiveIds),
      ...permitD.flatMap((p) => (p.id ? [p.id] : [])),
    ]);
    return result(input, 'D', score, indicators, d, [...decisive]);
  }

  // C (Art. 16): (1) by count within the ladder, (2) D once and repaired, (3) by score, (4) direct.
  const c: Reason[] = [];
  if (active.length && general.length <= counting.cMaxGeneral && serious.length <= counting.cMaxSerious && severe.length === 0)
    c.push(reasons.cCount(general.length, serious.length, policy));
  if (score < full) c.push(reasons.cScore(score, full, poor));
  const caseC = cases.filter((k) => k.outcome.directC);
  for (const k of caseC) c.push(reasons.cCase(k.outcome.facts));
  const status = new Map<string, CreditRecordStatus>(input.records.map((r) => [r.id, r.status]));
  // A 吊销 lifted by repairing the record that carries it counts as repaired in a D episode it decided.
  for (const id of repairedPermits) if (!status.has(id)) status.set(id, 'REPAIRED');
  // An annulled revocation is void from the start: a D it alone decided is no episode.
  const annulled = new Set(input.permits.flatMap((p) => (p.annulledAt && p.id ? [p.id] : [])));
  const episodes = dEpisodes(
    input.history.filter((h) => h.asOf >= policy.periodStart && h.asOf < asOf),
    (id) => status.get(id) === 'REVOKED' || annulled.has(id),
  );
  const repairedEpisodes = episodes.filter((ep) => ep.some((id) => status.get(id) === 'REPAIRED'));
  if (repairedEpisodes.length === 1 && episodes.length === 1) c.push(reasons.cOnceD());
  // A second D, repaired again: 16(2) covers one only; the hub grades C by elimination (workflows.md).
  else if (repairedEpisodes.length && episodes.length > 1) c.push(reasons.cRepeatedD(episodes.length));
  if (policy.repairedRecordsBlockAB && repaired.length) c.push(reasons.cRepaired(repaired.length));
  if (c.length) {
    const decisive = new Set([...active.map((r) => r.id), ...caseC.flatMap((k) => k.decisiveIds)]);
    return result(input, 'C', score, indicators, c, [...decisive]);
  }

  const { honor, unknown: unknownHonors } = qualifyingHonor(input);
  if (honor) return result(input, 'A', score, indicators, [reasons.a(score, honor.honorLevel!, honor.occurredAt, policy.honorWindowStart)]);
  return result(input, 'B', score, indicators, [reasons.b(score, policy, unknownHonors.length)]);
}

/**
 * Permits whose penalty revocation (吊销) was repaired: some dishonesty record carries it
 * (`permitId`), at least one of those is REPAIRED and none is ACTIVE. Its direct D is lifted
 * (Art. 24: penalty states repair too), and a D episode it decided counts as repaired.
 */
export function repairedRevocations(input: Pick<EvaluationInput, 'records'>): Set<string> {
  const by = new Map<string, CreditRecordStatus[]>();
  for (const r of input.records) if (r.kind === 'DISHONESTY' && r.permitId) by.set(r.permitId, [...(by.get(r.permitId) ?? []), r.status]);
  return new Set([...by].filter(([, st]) => st.includes('REPAIRED') && !st.includes('ACTIVE')).map(([id]) => id));
}

/** A permit revocation that is a direct D: a penalty revocation (吊销; legacy rows without a kind are), never annulled. */
export function isPenaltyRevocation(p: EnginePermit): boolean {
  return Boolean(p.revokedAt) && (p.revocationKind ?? 'REVOCATION') === 'REVOCATION' && !p.annulledAt;
}

interface CountedCase {
  outcome: CaseOutcome;
  area: string;
  decisiveIds: string[];
}

/**
 * The enterprise's enforcement cases that count at asOf: the first notice issued in the
 * period (and not after asOf), and the record determined from the case, if there is one yet,
 * not revoked or repaired (a case with no record still counts: enforcement established the facts).
 */
function countedCases(input: EvaluationInput, inPeriod: (d: Date) => boolean): CountedCase[] {
  const { policy, asOf } = input;
  const out: CountedCase[] = [];
  for (const k of input.cases ?? []) {
    const first = k.notices.reduce<Date | null>((m, n) => (!m || n.issuedAt < m ? n.issuedAt : m), null);
    if (!first || !inPeriod(first)) continue;
    const recs = input.records.filter((r) => r.kind === 'DISHONESTY' && r.caseId === k.caseId);
    if (recs.length && recs.every((r) => r.status === 'REVOKED' || r.status === 'REPAIRED')) continue;
    const ind = indicatorOf(policy, k.indicator);
    if (!ind) throw new RangeError(`case ${k.caseNo} names indicator ${k.indicator}, unknown to ${policy.version}`);
    const outcome = caseOutcome(k, asOf, policy.directGrading, ind.levels.SEVERE !== undefined);
    const live = recs.filter((r) => r.status === 'ACTIVE').map((r) => r.id);
    out.push({ outcome, area: ind.area, decisiveIds: live.length ? live : [k.caseId] });
  }
  return out;
}

/**
 * The honor that earns A (Art. 14): ACTIVE, of the policy's minimum level or above, from a
 * government department when the policy requires it (unknown = not), of a recognised
 * category (unknown = not), awarded from the honor window's start up to asOf. `unknown`
 * lists the honors that would count but for an unknown awarding body or category.
 */
function qualifyingHonor(input: EvaluationInput): { honor?: EngineRecord; unknown: EngineRecord[] } {
  const { policy, asOf } = input;
  const minHonor = HONOR_LEVELS.indexOf(policy.honorMinLevel);
  const eligible = input.records.filter(
    (r) =>
      r.kind === 'HONOR' &&
      r.status === 'ACTIVE' &&
      HONOR_LEVELS.indexOf(r.honorLevel!) >= minHonor &&
      r.occurredAt >= policy.honorWindowStart &&
      r.occurredAt <= asOf &&
      r.awardedByGovernment !== false &&
      (!r.honorCategory || policy.honorCategories.includes(r.honorCategory)),
  );
  const known = (r: EngineRecord) => (!policy.honorRequiresGovernmentAward || r.awardedByGovernment === true) && Boolean(r.honorCategory);
  return { honor: eligible.find(known), unknown: eligible.filter((r) => !known(r)) };
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
  gradeReasons: Reason[],
  decisiveRecordIds: string[] = [],
): Evaluation {
  const { policy } = input;
  return {
    decisiveRecordIds,
    grade,
    score,
    indicators,
    reasons: policy.assumedContinuation ? [...gradeReasons, reasons.assumedContinuation(policy)] : gradeReasons,
    assumedContinuation: policy.assumedContinuation,
    measures: input.policy.measures[grade],
    policyVersion: input.policy.version,
    asOf: input.asOf,
  };
}
