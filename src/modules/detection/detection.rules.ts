import { z } from 'zod';
import type { MeterRow } from '../meter/meter.repository';
import { chinaDateString, chinaDayByIndex, chinaDayIndex, chinaYear, chinaYearBounds, previousChinaDay } from '../../platform/china-time';

/** What a detection rule can find (issue 3, item 5). */
export const ANOMALY_KINDS = [
  'NON_NETWORKED',
  'LOW_TRANSMISSION_RATE',
  'COUNTER_ROLLBACK',
  'STUCK_READING',
  'FLOW_SPIKE',
  'OVER_PLAN',
  'NO_VALID_PERMIT',
  'CALIBRATION_EXPIRED',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

const indicatorCode = (code: string) =>
  z
    .string()
    .regex(/^\d+\.\d+$/, 'indicator code must look like 2.3')
    .default(code);

/**
 * Detection thresholds are policy data: every field defaults to the value in the issue 3
 * table, so `detectionThresholdsSchema.parse({})` gives {@link DEFAULT_THRESHOLDS}.
 */
export const detectionThresholdsSchema = z.object({
  /** NON_NETWORKED: silence shorter than this never fires, whatever the interval. */
  silenceMinHours: z.number().positive().default(24),
  /** NON_NETWORKED: …nor silence shorter than this many reporting intervals. */
  silenceIntervals: z.number().positive().default(3),
  /** NON_NETWORKED: a meter that never reported is flagged this long after registration. */
  neverReportedGraceHours: z.number().nonnegative().default(24),
  /** LOW_TRANSMISSION_RATE: received / expected readings on the previous day below this fires. */
  transmissionRateMin: z.number().min(0).max(1).default(0.9),
  /** COUNTER_ROLLBACK: drops of the totaliser up to this many m³ are measurement noise. */
  rollbackToleranceM3: z.number().nonnegative().default(0.001),
  /** Highest value a totaliser shows before it wraps to 0 (the counter's modulus is this + 1). */
  counterWrapM3: z.number().positive().default(799_999_999),
  /** STUCK_READING: shortest run of identical totalisers with flowRate > 0 that fires. */
  stuckMinReadings: z.number().int().min(2).default(6),
  /** FLOW_SPIKE: implied flow above this multiple of the meter's maxFlowRate fires. */
  spikeFactor: z.number().positive().default(1.5),
  /** OVER_PLAN: over the plan by more than this share suggests SERIOUS instead of GENERAL. */
  overPlanSeriousRatio: z.number().nonnegative().default(0.3),
  /** Credit indicator each kind is raised on. */
  indicators: z
    .object({
      NON_NETWORKED: indicatorCode('2.3'),
      LOW_TRANSMISSION_RATE: indicatorCode('2.3'),
      COUNTER_ROLLBACK: indicatorCode('2.2'),
      STUCK_READING: indicatorCode('2.2'),
      FLOW_SPIKE: indicatorCode('2.2'),
      CALIBRATION_EXPIRED: indicatorCode('2.2'),
      OVER_PLAN: indicatorCode('1.2'),
      NO_VALID_PERMIT: indicatorCode('1.2'),
    } satisfies Record<AnomalyKind, z.ZodType>)
    .prefault({}),
});

/** Thresholds after parsing (all fields present). */
export type DetectionThresholds = z.infer<typeof detectionThresholdsSchema>;

/** The issue 3 defaults. */
export const DEFAULT_THRESHOLDS: DetectionThresholds = detectionThresholdsSchema.parse({});

/** A meter as the rules see it: the stored row. `reportingIntervalSeconds` is the nominal interval; `maxFlowRate` is in m³/h. */
export type MeterFacts = MeterRow;

/** One stored reading: the totaliser (m³) at `readAt`, and the instantaneous flow (m³/h) if reported. */
export interface Reading {
  readAt: Date;
  cumulativeVolume: number;
  flowRate: number | null;
}

/** What a rule raises: not a credit record, only a candidate an officer confirms or dismisses. */
export interface CandidateDraft {
  kind: AnomalyKind;
  indicator: string;
  suggestedLevel: 'GENERAL' | 'SERIOUS';
  enterpriseId: string;
  meterId: string | null;
  /** JSON-ready: instants as ISO strings; holds the readings, window and threshold that fired it. */
  evidence: Record<string, unknown>;
}

/** Facts about one enterprise for the plan and permit rules. */
export interface EnterpriseFacts {
  enterpriseId: string;
  plans: { year: number; plannedVolume: number }[];
  permits: { permitNo: string; validFrom: Date; validTo: Date; revokedAt: Date | null }[];
  /** Readings of the enterprise's level-1 meters from the start of asOf's plan year (Asia/Shanghai calendar year) to asOf, per meter id. */
  level1Readings: Record<string, Reading[]>;
}

/** Evidence lists (rollbacks, spikes, days) are cut to this many items; the full count is kept. */
export const EVIDENCE_CAP = 20;
/** NO_VALID_PERMIT lists at most a month of days. */
export const PERMIT_DAYS_CAP = 31;
/** Totalisers closer than this are "identical" (STUCK_READING), volumes at most this are "no consumption". */
const EPSILON = 1e-9;

/** A cleaned reading: epoch ms, totaliser, flow (null when not finite). */
interface Point {
  t: number;
  v: number;
  f: number | null;
}

const iso = (t: number) => new Date(t).toISOString();
const point = (p: Point) => ({ readAt: iso(p.t), cumulativeVolume: p.v });
const validInterval = (m: MeterFacts) => (Number.isFinite(m.reportingIntervalSeconds) && m.reportingIntervalSeconds > 0 ? m.reportingIntervalSeconds : null);
const silenceThresholdSeconds = (m: MeterFacts, th: DetectionThresholds) => Math.max(th.silenceMinHours * 3600, th.silenceIntervals * (validInterval(m) ?? 0));

/**
 * Readings with a valid instant in `[from, to]` and a finite totaliser, sorted by time,
 * one per instant (the first given wins); a non-finite flowRate counts as not reported.
 */
function clean(readings: Reading[], from: number, to: number): Point[] {
  const pts: Point[] = [];
  for (const r of readings) {
    const t = r.readAt instanceof Date ? r.readAt.getTime() : NaN;
    if (!Number.isFinite(t) || t < from || t > to || !Number.isFinite(r.cumulativeVolume)) continue;
    pts.push({ t, v: r.cumulativeVolume, f: typeof r.flowRate === 'number' && Number.isFinite(r.flowRate) ? r.flowRate : null });
  }
  pts.sort((a, b) => a.t - b.t);
  return pts.filter((p, i) => i === 0 || p.t !== pts[i - 1].t);
}

/**
 * Wrap test: a drop from `prev` to `next` is the counter wrapping past `counterWrapM3`
 * (not a rollback) when `prev > 0.9 × counterWrapM3` and `next < 0.1 × counterWrapM3`,
 * i.e. the old value was in the top tenth of the range and the new one in the bottom tenth.
 */
export function isCounterWrap(prev: number, next: number, th: DetectionThresholds = DEFAULT_THRESHOLDS): boolean {
  return prev > 0.9 * th.counterWrapM3 && next < 0.1 * th.counterWrapM3;
}

/**
 * Volume measured by sorted readings: last − first totaliser, plus one counter modulus
 * (`counterWrapM3 + 1`) per wrap between them, never below 0 (a rollback is not negative
 * use; COUNTER_ROLLBACK reports it). Null with fewer than 2 readings.
 */
function usedVolume(pts: Point[], th: DetectionThresholds): number | null {
  if (pts.length < 2) return null;
  let wraps = 0;
  for (let i = 1; i < pts.length; i++) if (pts[i].v < pts[i - 1].v - th.rollbackToleranceM3 && isCounterWrap(pts[i - 1].v, pts[i].v, th)) wraps++;
  return Math.max(0, pts[pts.length - 1].v - pts[0].v + wraps * (th.counterWrapM3 + 1));
}

/**
 * How far back readings must be loaded for {@link detectMeter} at `asOf`: `to` is `asOf`
 * (inclusive); `from` is the earlier of the start of the previous full Asia/Shanghai day
 * (LOW_TRANSMISSION_RATE) and `asOf` minus the longer of the silence threshold
 * (max(silenceMinHours, silenceIntervals × interval)) and `stuckMinReadings + 1`
 * reporting intervals (a whole stuck run plus the pair before it; rollbacks and spikes
 * are looked for over the same readings).
 */
export function meterWindow(meter: MeterFacts, asOf: Date, th: DetectionThresholds = DEFAULT_THRESHOLDS): { from: Date; to: Date } {
  const lookbackSeconds = Math.max(silenceThresholdSeconds(meter, th), (th.stuckMinReadings + 1) * (validInterval(meter) ?? 0));
  const from = Math.min(previousChinaDay(asOf).start.getTime(), asOf.getTime() - lookbackSeconds * 1000);
  return { from: new Date(from), to: new Date(asOf.getTime()) };
}

/**
 * Runs the per-meter rules at `asOf` over `readings` (any order; only those inside
 * {@link meterWindow} count, non-finite values are ignored):
 * NON_NETWORKED and LOW_TRANSMISSION_RATE (online meters only; the second is suppressed
 * when the first fires), COUNTER_ROLLBACK, STUCK_READING, FLOW_SPIKE, CALIBRATION_EXPIRED.
 * At most one draft per kind; all suggest GENERAL.
 *
 * @example detectMeter(meter, [], asOf) // a silent online meter → [NON_NETWORKED]
 */
export function detectMeter(meter: MeterFacts, readings: Reading[], asOf: Date, th: DetectionThresholds = DEFAULT_THRESHOLDS): CandidateDraft[] {
  const window = meterWindow(meter, asOf, th);
  const pts = clean(readings, window.from.getTime(), window.to.getTime());
  const windowEvidence = { from: window.from.toISOString(), to: window.to.toISOString() };
  const out: CandidateDraft[] = [];
  const raise = (kind: AnomalyKind, evidence: Record<string, unknown>) =>
    out.push({
      kind,
      indicator: th.indicators[kind],
      suggestedLevel: 'GENERAL',
      enterpriseId: meter.enterpriseId,
      meterId: meter.id,
      evidence: { meterCode: meter.meterCode, ...evidence },
    });

  if (meter.online) {
    const silence = nonNetworked(meter, pts, asOf, window.from, th);
    if (silence) raise('NON_NETWORKED', silence);
    else {
      const low = lowTransmission(meter, pts, asOf, th);
      if (low) raise('LOW_TRANSMISSION_RATE', low);
    }
  }

  const rollbacks: Record<string, unknown>[] = [];
  let wraps = 0;
  const spikes: { from: string; to: string; volumeM3: number; hours: number; impliedFlow: number }[] = [];
  const maxFlow = meter.maxFlowRate !== null && Number.isFinite(meter.maxFlowRate) && meter.maxFlowRate > 0 ? meter.maxFlowRate : null;
  const spikeThreshold = maxFlow === null ? null : th.spikeFactor * maxFlow;
  for (let i = 1; i < pts.length; i++) {
    const [prev, next] = [pts[i - 1], pts[i]];
    if (next.v < prev.v - th.rollbackToleranceM3) {
      if (isCounterWrap(prev.v, next.v, th)) wraps++;
      else rollbacks.push({ from: point(prev), to: point(next), dropM3: prev.v - next.v });
    }
    const dv = next.v - prev.v;
    const hours = (next.t - prev.t) / 3_600_000;
    if (spikeThreshold !== null && dv >= 0 && hours > 0 && dv / hours > spikeThreshold)
      spikes.push({ from: iso(prev.t), to: iso(next.t), volumeM3: dv, hours, impliedFlow: dv / hours });
  }
  if (rollbacks.length)
    raise('COUNTER_ROLLBACK', {
      count: rollbacks.length,
      rollbacks: rollbacks.slice(0, EVIDENCE_CAP),
      toleranceM3: th.rollbackToleranceM3,
      wrapsIgnored: wraps,
      counterWrapM3: th.counterWrapM3,
      window: windowEvidence,
      rule: `totaliser fell by more than ${th.rollbackToleranceM3} m³ between consecutive readings ${rollbacks.length} time(s), not a wrap past ${th.counterWrapM3} m³`,
    });

  const stuck = longestStuckRun(pts);
  if (stuck && stuck.count >= th.stuckMinReadings)
    raise('STUCK_READING', {
      from: iso(stuck.from),
      to: iso(stuck.to),
      count: stuck.count,
      value: stuck.value,
      minReadings: th.stuckMinReadings,
      window: windowEvidence,
      rule: `totaliser stayed at ${stuck.value} m³ over ${stuck.count} consecutive readings reporting flowRate > 0 (threshold ${th.stuckMinReadings})`,
    });

  if (spikes.length && spikeThreshold !== null) {
    spikes.sort((a, b) => b.impliedFlow - a.impliedFlow || a.from.localeCompare(b.from));
    raise('FLOW_SPIKE', {
      count: spikes.length,
      pairs: spikes.slice(0, EVIDENCE_CAP),
      maxImpliedFlow: spikes[0].impliedFlow,
      maxFlowRate: maxFlow,
      spikeFactor: th.spikeFactor,
      threshold: spikeThreshold,
      window: windowEvidence,
      rule: `implied flow up to ${spikes[0].impliedFlow} m³/h exceeds ${th.spikeFactor} × maxFlowRate ${maxFlow} = ${spikeThreshold} m³/h`,
    });
  }

  const cal = meter.calibrationExpiresAt?.getTime();
  if (cal !== undefined && Number.isFinite(cal) && cal < asOf.getTime())
    raise('CALIBRATION_EXPIRED', {
      calibrationExpiresAt: iso(cal),
      asOf: asOf.toISOString(),
      rule: `calibration expired on ${chinaDateString(new Date(cal))}, before ${asOf.toISOString()}`,
    });
  return out;
}

/**
 * NON_NETWORKED. The last reading is the latest of the window's readings and
 * `meter.lastReadingAt`, counting neither when after `asOf`. Fires when it is more than
 * max(silenceMinHours, silenceIntervals × interval) before `asOf`; with none, a meter that
 * had not reported by `asOf` fires once it is more than neverReportedGraceHours old. A meter
 * that reported only after `asOf` (a replay) and not in the window was silent since before
 * the window, which is at least the threshold: it fires with `silentForSeconds` a lower bound.
 */
function nonNetworked(meter: MeterFacts, pts: Point[], asOf: Date, windowFrom: Date, th: DetectionThresholds): Record<string, unknown> | null {
  const now = asOf.getTime();
  const thresholdSeconds = silenceThresholdSeconds(meter, th);
  const known = [pts.length ? pts[pts.length - 1].t : NaN, meter.lastReadingAt?.getTime() ?? NaN].filter((t) => Number.isFinite(t) && t <= now);
  const base = { asOf: asOf.toISOString(), intervalSeconds: validInterval(meter) };
  if (known.length) {
    const last = Math.max(...known);
    const silentForSeconds = (now - last) / 1000;
    if (silentForSeconds <= thresholdSeconds) return null;
    return {
      ...base,
      lastReadingAt: iso(last),
      silentForSeconds,
      thresholdSeconds,
      rule: `no reading for ${silentForSeconds} s > max(${th.silenceMinHours} h, ${th.silenceIntervals} × interval) = ${thresholdSeconds} s`,
    };
  }
  const created = meter.createdAt.getTime();
  if (meter.lastReadingAt === null || created >= windowFrom.getTime()) {
    const silentForSeconds = (now - created) / 1000;
    const graceSeconds = th.neverReportedGraceHours * 3600;
    if (!(silentForSeconds > graceSeconds)) return null;
    return {
      ...base,
      lastReadingAt: null,
      neverReported: true,
      createdAt: iso(created),
      silentForSeconds,
      thresholdSeconds: graceSeconds,
      rule: `no reading ever, registered ${silentForSeconds} s ago > ${th.neverReportedGraceHours} h grace`,
    };
  }
  const silentForSeconds = (now - windowFrom.getTime()) / 1000;
  return {
    ...base,
    lastReadingAt: null,
    silentSince: 'before window',
    silentForSeconds,
    thresholdSeconds,
    rule: `no reading in the ${silentForSeconds} s before asOf > ${thresholdSeconds} s`,
  };
}

/**
 * LOW_TRANSMISSION_RATE over the previous full Asia/Shanghai day: distinct reading instants
 * in `[dayStart, dayEnd)` / (86400 / interval) below transmissionRateMin. Skipped for a
 * meter without a valid interval or registered after that day began (no full day to judge).
 */
function lowTransmission(meter: MeterFacts, pts: Point[], asOf: Date, th: DetectionThresholds): Record<string, unknown> | null {
  const interval = validInterval(meter);
  const day = previousChinaDay(asOf);
  if (interval === null || meter.createdAt.getTime() > day.start.getTime()) return null;
  const [start, end] = [day.start.getTime(), day.end.getTime()];
  const received = pts.filter((p) => p.t >= start && p.t < end).length;
  const expected = 86_400 / interval;
  const rate = received / expected;
  if (!(rate < th.transmissionRateMin)) return null;
  return {
    day: day.day,
    from: day.start.toISOString(),
    to: day.end.toISOString(),
    received,
    expected,
    rate,
    threshold: th.transmissionRateMin,
    intervalSeconds: interval,
    rule: `${received} of ${expected} expected readings on ${day.day} (rate ${rate.toFixed(4)} < ${th.transmissionRateMin})`,
  };
}

/** Longest run of consecutive readings with the same totaliser (within 1e-9) that all report flowRate > 0. */
function longestStuckRun(pts: Point[]): { from: number; to: number; count: number; value: number } | null {
  let best: { from: number; to: number; count: number; value: number } | null = null;
  let start = -1;
  for (let i = 0; i <= pts.length; i++) {
    const p = pts[i];
    const flowing = p !== undefined && p.f !== null && p.f > 0;
    const continues = flowing && start >= 0 && Math.abs(p.v - pts[start].v) <= EPSILON;
    if (continues) continue;
    if (start >= 0) {
      const count = i - start;
      if (!best || count > best.count) best = { from: pts[start].t, to: pts[i - 1].t, count, value: pts[start].v };
    }
    start = flowing ? i : -1;
  }
  return best;
}

/**
 * Runs the enterprise rules at `asOf` over its level-1 meters' readings of the plan year
 * (the Asia/Shanghai calendar year of `asOf`; readings outside `[yearStart, asOf]` and
 * non-finite values are ignored):
 * - OVER_PLAN: Σ per meter of wrap-corrected (last − first) totaliser (meters with < 2
 *   readings skipped) > the year's plannedVolume; GENERAL up to (1 + overPlanSeriousRatio)
 *   × plan inclusive, SERIOUS beyond. No plan for the year, no finding.
 * - NO_VALID_PERMIT: each day of the plan year before `asOf`'s day with consumption (Σ per
 *   meter of last − first within the day) > 0 needs a permit valid the whole day
 *   (validFrom ≤ dayStart, validTo ≥ dayEnd, not revoked before dayEnd); any day without → SERIOUS.
 */
export function detectEnterprise(facts: EnterpriseFacts, asOf: Date, th: DetectionThresholds = DEFAULT_THRESHOLDS): CandidateDraft[] {
  const year = chinaYear(asOf);
  const yearStart = chinaYearBounds(year).start;
  const meters = Object.keys(facts.level1Readings)
    .sort()
    .map((meterId) => ({ meterId, pts: clean(facts.level1Readings[meterId] ?? [], yearStart.getTime(), asOf.getTime()) }));
  const out: CandidateDraft[] = [];
  const raise = (kind: AnomalyKind, suggestedLevel: 'GENERAL' | 'SERIOUS', evidence: Record<string, unknown>) =>
    out.push({ kind, indicator: th.indicators[kind], suggestedLevel, enterpriseId: facts.enterpriseId, meterId: null, evidence });

  const plan = facts.plans.find((p) => p.year === year && Number.isFinite(p.plannedVolume) && p.plannedVolume >= 0);
  if (plan) {
    const perMeter = meters.flatMap(({ meterId, pts }) => {
      const volume = usedVolume(pts, th);
      if (volume === null) return [];
      const [first, last] = [pts[0], pts[pts.length - 1]];
      return [{ meterId, firstReadAt: iso(first.t), first: first.v, lastReadAt: iso(last.t), last: last.v, volume }];
    });
    const usedVolumeM3 = perMeter.reduce((s, m) => s + m.volume, 0);
    if (usedVolumeM3 > plan.plannedVolume) {
      const seriousAbove = (1 + th.overPlanSeriousRatio) * plan.plannedVolume;
      const ratio = plan.plannedVolume > 0 ? usedVolumeM3 / plan.plannedVolume : null;
      raise('OVER_PLAN', usedVolumeM3 > seriousAbove ? 'SERIOUS' : 'GENERAL', {
        year,
        plannedVolume: plan.plannedVolume,
        usedVolume: usedVolumeM3,
        ratio,
        seriousAbove,
        seriousRatio: th.overPlanSeriousRatio,
        from: yearStart.toISOString(),
        to: asOf.toISOString(),
        perMeter,
        rule: `${usedVolumeM3} m³ used in ${year} > plan ${plan.plannedVolume} m³; SERIOUS beyond ${seriousAbove} m³ (+${th.overPlanSeriousRatio * 100} %)`,
      });
    }
  }

  const firstDay = chinaDayIndex(yearStart);
  const lastDay = chinaDayIndex(asOf) - 1;
  const perDay = new Map<number, number>();
  for (const { pts } of meters) {
    for (let i = 0; i < pts.length;) {
      const day = chinaDayIndex(new Date(pts[i].t));
      let j = i;
      while (j < pts.length && chinaDayIndex(new Date(pts[j].t)) === day) j++;
      const volume = day >= firstDay && day <= lastDay ? usedVolume(pts.slice(i, j), th) : null;
      if (volume !== null) perDay.set(day, (perDay.get(day) ?? 0) + volume);
      i = j;
    }
  }
  const covered = (start: Date, end: Date) => facts.permits.some((p) => p.validFrom <= start && p.validTo >= end && !(p.revokedAt && p.revokedAt < end));
  const uncovered = [...perDay.entries()]
    .filter(([, volume]) => volume > EPSILON)
    .sort(([a], [b]) => a - b)
    .map(([index, volume]) => ({ ...chinaDayByIndex(index), volume }))
    .filter((d) => !covered(d.start, d.end));
  if (uncovered.length) {
    const first = uncovered[0].day;
    const last = uncovered[uncovered.length - 1].day;
    raise('NO_VALID_PERMIT', 'SERIOUS', {
      dayCount: uncovered.length,
      firstDay: first,
      lastDay: last,
      totalVolume: uncovered.reduce((s, d) => s + d.volume, 0),
      days: uncovered.slice(0, PERMIT_DAYS_CAP).map((d) => ({ day: d.day, volume: d.volume })),
      permits: facts.permits.map((p) => ({
        permitNo: p.permitNo,
        validFrom: p.validFrom.toISOString(),
        validTo: p.validTo.toISOString(),
        revokedAt: p.revokedAt?.toISOString() ?? null,
      })),
      rule: `consumption on ${uncovered.length} day(s) (${first} … ${last}) with no permit valid and unrevoked all day`,
    });
  }
  return out;
}
