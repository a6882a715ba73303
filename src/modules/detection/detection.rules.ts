import { z } from 'zod';
import type { MeterRow } from '../meter/meter.repository';
import {
  CHINA_OFFSET_MS,
  DAY_MS,
  chinaDateString,
  chinaDayByIndex,
  chinaDayIndex,
  chinaYear,
  chinaYearBounds,
  previousChinaDay,
} from '../../platform/china-time';

/** What a detection rule can find (issue 3, item 5; NO_PLAN issue 9, item 10). */
export const ANOMALY_KINDS = [
  'NON_NETWORKED',
  'LOW_TRANSMISSION_RATE',
  'COUNTER_ROLLBACK',
  'STUCK_READING',
  'FLOW_SPIKE',
  'OVER_PLAN',
  'NO_VALID_PERMIT',
  'CALIBRATION_EXPIRED',
  'NO_PLAN',
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
  /**
   * OVER_PLAN: over the plan by up to this share suggests GENERAL (annex 1.2 一般: 超计划 30 % 以内);
   * beyond it the annex says nothing, so the suggestion is `overPlanBeyondLevel` and the level is the officer's call.
   */
  overPlanSeriousRatio: z.number().nonnegative().default(0.3),
  /** OVER_PLAN: the level suggested beyond `overPlanSeriousRatio` (not described by the annex). */
  overPlanBeyondLevel: z.enum(['GENERAL', 'SERIOUS']).default('SERIOUS'),
  /**
   * Ingest: a reading stamped before this Asia/Shanghai date cannot be physical (no meter of the
   * hub's networks reported before it; e.g. a clock reset to 0001-01-01 is rejected).
   */
  earliestReadingDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'earliestReadingDate must be YYYY-MM-DD')
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'earliestReadingDate is not a calendar date')
    .default('2000-01-01'),
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
      NO_PLAN: indicatorCode('1.2'),
    } satisfies Record<AnomalyKind, z.ZodType>)
    .prefault({}),
});

/** A text for people, Chinese first (officers read Chinese), English on request. */
export interface Bilingual {
  zh: string;
  en: string;
}

/** What each kind stands for, in the annex's words (Chinese) and in English: `evidence.title` of every candidate. */
export const KIND_TITLES: Record<AnomalyKind, Bilingual> = {
  NON_NETWORKED: { zh: '在线计量监测设备未与水行政主管部门监测设备联网（数据中断）', en: 'Online meter not networked with the authority (no data)' },
  LOW_TRANSMISSION_RATE: { zh: '在线计量监测设备数据传输率低于相关要求', en: 'Data transmission rate below the requirement' },
  COUNTER_ROLLBACK: { zh: '取用水计量设施运行不正常：累计读数倒退', en: 'Meter not operating normally: the totaliser ran backwards' },
  STUCK_READING: { zh: '取用水计量设施运行不正常：有瞬时流量而累计读数不变', en: 'Meter not operating normally: totaliser stuck while flow is reported' },
  FLOW_SPIKE: { zh: '取用水计量设施运行不正常：推算流量超出最大流量', en: "Meter not operating normally: implied flow above the meter's maximum" },
  OVER_PLAN: { zh: '年度实际用水量超计划指标', en: "The year's use exceeds the water plan" },
  NO_VALID_PERMIT: { zh: '无证取水（无有效取水许可证取用水）', en: 'Withdrawal without a valid water-withdrawal permit' },
  CALIBRATION_EXPIRED: { zh: '取用水计量设施质量合格证（检定）过期', en: "The meter's certificate (calibration) has expired" },
  NO_PLAN: { zh: '未取得用水计划擅自取用水', en: 'Withdrawal in a plan year with no water plan' },
};

/** Thresholds after parsing (all fields present). */
export type DetectionThresholds = z.infer<typeof detectionThresholdsSchema>;

/** The issue 3 defaults. */
export const DEFAULT_THRESHOLDS: DetectionThresholds = detectionThresholdsSchema.parse({});

/**
 * A meter as the rules see it: the stored row and the instant of its first stored reading
 * (null: none), which is when it started reporting; registration in the hub (`createdAt`) is
 * not. `reportingIntervalSeconds` is the nominal interval; `maxFlowRate` is in m³/h.
 */
export type MeterFacts = MeterRow & { firstReadingAt: Date | null };

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
const validInterval = (m: MeterRow) => (Number.isFinite(m.reportingIntervalSeconds) && m.reportingIntervalSeconds > 0 ? m.reportingIntervalSeconds : null);
const silenceThresholdSeconds = (m: MeterRow, th: DetectionThresholds) => Math.max(th.silenceMinHours * 3600, th.silenceIntervals * (validInterval(m) ?? 0));

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
 * Volume measured between two consecutive readings: next − prev totaliser, plus one counter
 * modulus (`counterWrapM3 + 1`) when the drop is a wrap ({@link isCounterWrap}), never below 0
 * (a rollback is not negative use; COUNTER_ROLLBACK reports it).
 */
export function pairVolume(prev: number, next: number, th: DetectionThresholds = DEFAULT_THRESHOLDS): number {
  const wrap = next < prev - th.rollbackToleranceM3 && isCounterWrap(prev, next, th) ? th.counterWrapM3 + 1 : 0;
  return Math.max(0, next - prev + wrap);
}

/** How consumption is attributed to days: the words of every plan and permit candidate's evidence. */
export const ATTRIBUTION: Bilingual = {
  zh: '相邻两次读数的累计读数差（含归零进位，倒退计为 0）按两次读数之间的时长比例分摊到所跨的各个自然日（北京时间）',
  en: 'each difference between consecutive totaliser readings (a wrap adds the counter modulus, a rollback counts 0) is spread over the Asia/Shanghai days between the two readings, pro rata by time',
};

/**
 * Consumption per Asia/Shanghai day (day index → m³) from sorted readings: the volume of each
 * pair of consecutive readings ({@link pairVolume}) is spread over the time between them, pro
 * rata, and only the part inside `[from, to]` is kept. A meter read once a day (or once a
 * month) thus consumes on every day it spans, not only on days with two readings. Days whose
 * share is 0 are absent.
 */
export function dailyConsumption(pts: { t: number; v: number }[], from: number, to: number, th: DetectionThresholds = DEFAULT_THRESHOLDS): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 1; i < pts.length; i++) {
    const [t1, t2] = [pts[i - 1].t, pts[i].t];
    const volume = pairVolume(pts[i - 1].v, pts[i].v, th);
    const [a, b] = [Math.max(t1, from), Math.min(t2, to)];
    if (!(volume > 0) || !(t2 > t1) || !(b > a)) continue;
    for (let day = chinaDayIndex(new Date(a)); ; day++) {
      const { start, end } = chinaDayByIndex(day);
      const part = share(t1, t2, volume, Math.max(a, start.getTime()), Math.min(b, end.getTime()));
      if (part > 0) out.set(day, (out.get(day) ?? 0) + part);
      if (end.getTime() >= b) break;
    }
  }
  return out;
}

/** The part of `volume`, measured over `[t1, t2]`, that falls in `[a, b]`, pro rata by time (all of it, exactly, when the span lies inside). */
function share(t1: number, t2: number, volume: number, a: number, b: number): number {
  const overlap = Math.min(t2, b) - Math.max(t1, a);
  if (!(overlap > 0)) return 0;
  return overlap >= t2 - t1 ? volume : (volume * overlap) / (t2 - t1);
}

/** Volume attributed to `[from, to]` by sorted readings, as {@link dailyConsumption} attributes it, or null when no pair of readings spans into it. */
function volumeIn(pts: Point[], from: number, to: number, th: DetectionThresholds): number | null {
  let total: number | null = null;
  for (let i = 1; i < pts.length; i++) {
    if (!(pts[i].t > from && pts[i - 1].t < to)) continue;
    total = (total ?? 0) + share(pts[i - 1].t, pts[i].t, pairVolume(pts[i - 1].v, pts[i].v, th), from, to);
  }
  return total;
}

/**
 * How far back readings must be loaded for {@link detectMeter} at `asOf`: `to` is `asOf`
 * (inclusive); `from` is the earlier of the start of the previous full Asia/Shanghai day
 * (LOW_TRANSMISSION_RATE) and `asOf` minus the longer of the silence threshold
 * (max(silenceMinHours, silenceIntervals × interval)) and `stuckMinReadings + 1`
 * reporting intervals (a whole stuck run plus the pair before it; rollbacks and spikes
 * are looked for over the same readings).
 */
export function meterWindow(meter: MeterRow, asOf: Date, th: DetectionThresholds = DEFAULT_THRESHOLDS): { from: Date; to: Date } {
  const lookbackSeconds = Math.max(silenceThresholdSeconds(meter, th), (th.stuckMinReadings + 1) * (validInterval(meter) ?? 0));
  const from = Math.min(previousChinaDay(asOf).start.getTime(), asOf.getTime() - lookbackSeconds * 1000);
  return { from: new Date(from), to: new Date(asOf.getTime()) };
}

/**
 * What the silence and transmission rules need of a meter's window, when it is known without its readings
 * (from the daily summaries): the latest reading instant in the window up to `asOf` (ms, null: none), the
 * earliest one (null: none or not known; then `firstReadingAt` must be known, as it is never later), and how
 * many readings the previous full Asia/Shanghai day holds.
 */
export interface WindowSummary {
  lastReadAt: number | null;
  firstReadAt: number | null;
  previousDayReadings: number;
}

/** When the meter started reporting as the rules judge it: the earliest of `firstReadingAt`, the window's first reading and `lastReadingAt`. */
function firstReadingOf(meter: MeterFacts, firstInWindow: number | null): number | null {
  const known = [meter.firstReadingAt?.getTime() ?? NaN, firstInWindow ?? NaN, meter.lastReadingAt?.getTime() ?? NaN].filter((t) => Number.isFinite(t));
  return known.length ? Math.min(...known) : null;
}

/**
 * Readings of the previous full Asia/Shanghai day counted by LOW_TRANSMISSION_RATE: those from the later of the day's
 * start and the first reading ({@link firstReadingOf}). Every reading is at or after the first, so this is the
 * day's whole count whenever the window holds the whole day, which {@link meterWindow} makes sure of.
 */
function previousDayCount(pts: Point[], meter: MeterFacts, asOf: Date): number {
  const day = previousChinaDay(asOf);
  const from = Math.max(day.start.getTime(), firstReadingOf(meter, pts.length ? pts[0].t : null) ?? -Infinity);
  return pts.filter((p) => p.t >= from && p.t < day.end.getTime()).length;
}

const maxFlowOf = (m: MeterRow) => (m.maxFlowRate !== null && Number.isFinite(m.maxFlowRate) && m.maxFlowRate > 0 ? m.maxFlowRate : null);

/** FLOW_SPIKE fires on an implied flow (m³/h) above this: spikeFactor × the meter's maxFlowRate (null: no valid maxFlowRate, never fires). */
export function spikeThreshold(meter: MeterRow, th: DetectionThresholds = DEFAULT_THRESHOLDS): number | null {
  const maxFlow = maxFlowOf(meter);
  return maxFlow === null ? null : th.spikeFactor * maxFlow;
}

/**
 * Runs the per-meter rules at `asOf` over `readings` (any order; only those inside
 * {@link meterWindow} count, non-finite values are ignored):
 * NON_NETWORKED and LOW_TRANSMISSION_RATE (online meters only; the second is suppressed
 * when the first fires), COUNTER_ROLLBACK, STUCK_READING, FLOW_SPIKE, CALIBRATION_EXPIRED.
 * At most one draft per kind; all suggest GENERAL. With `summary` (the caller has proven from the daily
 * summaries that no pair of the window's readings can fire COUNTER_ROLLBACK, STUCK_READING or FLOW_SPIKE),
 * `readings` are not looked at and the silence and transmission rules judge from `summary`.
 *
 * @example detectMeter(meter, [], asOf) // a silent online meter → [NON_NETWORKED]
 */
export function detectMeter(
  meter: MeterFacts,
  readings: Reading[],
  asOf: Date,
  th: DetectionThresholds = DEFAULT_THRESHOLDS,
  summary?: WindowSummary,
): CandidateDraft[] {
  const window = meterWindow(meter, asOf, th);
  // With a summary, no pair of the window's readings can fire a pair rule: they are not needed.
  const pts = summary ? [] : clean(readings, window.from.getTime(), window.to.getTime());
  const seen: WindowSummary = summary ?? {
    lastReadAt: pts.length ? pts[pts.length - 1].t : null,
    firstReadAt: pts.length ? pts[0].t : null,
    previousDayReadings: previousDayCount(pts, meter, asOf),
  };
  const windowEvidence = { from: window.from.toISOString(), to: window.to.toISOString() };
  const out: CandidateDraft[] = [];
  const raise = (kind: AnomalyKind, evidence: Record<string, unknown>) =>
    out.push({
      kind,
      indicator: th.indicators[kind],
      suggestedLevel: 'GENERAL',
      enterpriseId: meter.enterpriseId,
      meterId: meter.id,
      evidence: { title: KIND_TITLES[kind], meterCode: meter.meterCode, ...evidence },
    });

  if (meter.online) {
    const silence = nonNetworked(meter, seen, asOf, window.from, th);
    if (silence) raise('NON_NETWORKED', silence);
    else {
      const low = lowTransmission(meter, seen, asOf, th);
      if (low) raise('LOW_TRANSMISSION_RATE', low);
    }
  }

  const rollbacks: Record<string, unknown>[] = [];
  let wraps = 0;
  const spikes: { from: string; to: string; volumeM3: number; hours: number; impliedFlow: number }[] = [];
  const maxFlow = maxFlowOf(meter);
  const spikeAbove = spikeThreshold(meter, th);
  for (let i = 1; i < pts.length; i++) {
    const [prev, next] = [pts[i - 1], pts[i]];
    if (next.v < prev.v - th.rollbackToleranceM3) {
      if (isCounterWrap(prev.v, next.v, th)) wraps++;
      else rollbacks.push({ from: point(prev), to: point(next), dropM3: prev.v - next.v });
    }
    const dv = next.v - prev.v;
    const hours = (next.t - prev.t) / 3_600_000;
    if (spikeAbove !== null && dv >= 0 && hours > 0 && dv / hours > spikeAbove)
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
      rule: {
        zh: `相邻两次读数间累计读数下降超过 ${th.rollbackToleranceM3} m³，共 ${rollbacks.length} 次（不属于超过 ${th.counterWrapM3} m³ 后的归零进位）`,
        en: `totaliser fell by more than ${th.rollbackToleranceM3} m³ between consecutive readings ${rollbacks.length} time(s), not a wrap past ${th.counterWrapM3} m³`,
      },
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
      rule: {
        zh: `连续 ${stuck.count} 次读数瞬时流量大于 0，累计读数始终为 ${stuck.value} m³（阈值 ${th.stuckMinReadings} 次）`,
        en: `totaliser stayed at ${stuck.value} m³ over ${stuck.count} consecutive readings reporting flowRate > 0 (threshold ${th.stuckMinReadings})`,
      },
    });

  if (spikes.length && spikeAbove !== null) {
    spikes.sort((a, b) => b.impliedFlow - a.impliedFlow || a.from.localeCompare(b.from));
    raise('FLOW_SPIKE', {
      count: spikes.length,
      pairs: spikes.slice(0, EVIDENCE_CAP),
      maxImpliedFlow: spikes[0].impliedFlow,
      maxFlowRate: maxFlow,
      spikeFactor: th.spikeFactor,
      threshold: spikeAbove,
      window: windowEvidence,
      rule: {
        zh: `由相邻读数推算的流量最高 ${spikes[0].impliedFlow} m³/h，超过 ${th.spikeFactor} × 最大流量 ${maxFlow} = ${spikeAbove} m³/h`,
        en: `implied flow up to ${spikes[0].impliedFlow} m³/h exceeds ${th.spikeFactor} × maxFlowRate ${maxFlow} = ${spikeAbove} m³/h`,
      },
    });
  }

  const cal = meter.calibrationExpiresAt?.getTime();
  if (cal !== undefined && Number.isFinite(cal) && cal < asOf.getTime())
    raise('CALIBRATION_EXPIRED', {
      calibrationExpiresAt: iso(cal),
      asOf: asOf.toISOString(),
      rule: {
        zh: `检定有效期于 ${chinaDateString(new Date(cal))} 届满，早于 ${asOf.toISOString()}`,
        en: `calibration expired on ${chinaDateString(new Date(cal))}, before ${asOf.toISOString()}`,
      },
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
function nonNetworked(meter: MeterFacts, seen: WindowSummary, asOf: Date, windowFrom: Date, th: DetectionThresholds): Record<string, unknown> | null {
  const now = asOf.getTime();
  const thresholdSeconds = silenceThresholdSeconds(meter, th);
  const known = [seen.lastReadAt ?? NaN, meter.lastReadingAt?.getTime() ?? NaN].filter((t) => Number.isFinite(t) && t <= now);
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
      rule: {
        zh: `${silentForSeconds} 秒无读数，超过 max(${th.silenceMinHours} 小时, ${th.silenceIntervals} × 上报间隔) = ${thresholdSeconds} 秒`,
        en: `no reading for ${silentForSeconds} s > max(${th.silenceMinHours} h, ${th.silenceIntervals} × interval) = ${thresholdSeconds} s`,
      },
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
      rule: {
        zh: `从未上报读数，登记已 ${silentForSeconds} 秒，超过 ${th.neverReportedGraceHours} 小时宽限期`,
        en: `no reading ever, registered ${silentForSeconds} s ago > ${th.neverReportedGraceHours} h grace`,
      },
    };
  }
  const silentForSeconds = (now - windowFrom.getTime()) / 1000;
  return {
    ...base,
    lastReadingAt: null,
    silentSince: 'before window',
    silentForSeconds,
    thresholdSeconds,
    rule: {
      zh: `评估时点前 ${silentForSeconds} 秒内无读数，超过 ${thresholdSeconds} 秒`,
      en: `no reading in the ${silentForSeconds} s before asOf > ${thresholdSeconds} s`,
    },
  };
}

/**
 * LOW_TRANSMISSION_RATE over the previous full Asia/Shanghai day, judged from when the meter
 * started reporting (its first reading: the earliest of `firstReadingAt`, the window's first
 * reading and `lastReadingAt`), not from its registration in the hub: distinct reading
 * instants in `[from, dayEnd)` / ((dayEnd − from) / interval), where `from` is the later of the
 * day's start and the first reading, below transmissionRateMin. Skipped for a meter without a
 * valid interval, or one whose first reading came after that day (nothing to judge yet).
 */
function lowTransmission(meter: MeterFacts, seen: WindowSummary, asOf: Date, th: DetectionThresholds): Record<string, unknown> | null {
  const interval = validInterval(meter);
  const day = previousChinaDay(asOf);
  const [start, end] = [day.start.getTime(), day.end.getTime()];
  const firstReading = firstReadingOf(meter, seen.firstReadAt);
  if (interval === null || firstReading === null || firstReading >= end) return null;
  const from = Math.max(start, firstReading);
  const received = seen.previousDayReadings;
  const expected = (end - from) / 1000 / interval;
  const rate = received / expected;
  if (!(rate < th.transmissionRateMin)) return null;
  const since = from > start ? { zh: `（自首次读数 ${iso(from)} 起计）`, en: ` (counted from the first reading at ${iso(from)})` } : { zh: '', en: '' };
  return {
    day: day.day,
    from: iso(from),
    to: day.end.toISOString(),
    firstReadingAt: iso(firstReading),
    received,
    expected,
    rate,
    threshold: th.transmissionRateMin,
    intervalSeconds: interval,
    rule: {
      zh: `${day.day} 应收 ${expected} 条读数，实收 ${received} 条${since.zh}，传输率 ${rate.toFixed(4)} 低于 ${th.transmissionRateMin}`,
      en: `${received} of ${expected} expected readings on ${day.day}${since.en} (rate ${rate.toFixed(4)} < ${th.transmissionRateMin})`,
    },
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
 * Runs the enterprise rules at `asOf` over its level-1 meters' readings (readings after
 * `asOf` and non-finite values are ignored; readings before the plan year only start a span
 * into it). Consumption is attributed by {@link dailyConsumption}: each difference between
 * consecutive readings, pro rata over the Asia/Shanghai days it spans; the plan year is the
 * Asia/Shanghai calendar year of `asOf`, counted from its start to `asOf`.
 * - OVER_PLAN: the year's volume > the year's plannedVolume; GENERAL up to
 *   (1 + overPlanSeriousRatio) × plan inclusive (annex 1.2 一般), `overPlanBeyondLevel`
 *   beyond (the annex does not describe it: the level is the officer's call).
 * - NO_PLAN: no plan for the year and a volume > 0 in it: 未取得用水计划擅自取用水 (annex 1.2), SERIOUS.
 * - NO_VALID_PERMIT: each day of the plan year before `asOf`'s day with consumption > 0 needs
 *   a permit valid the whole day (validFrom ≤ dayStart, validTo ≥ dayEnd, not revoked before
 *   dayEnd); any day without → SERIOUS.
 */
export function detectEnterprise(facts: EnterpriseFacts, asOf: Date, th: DetectionThresholds = DEFAULT_THRESHOLDS): CandidateDraft[] {
  const year = chinaYear(asOf);
  const yearStart = chinaYearBounds(year).start;
  const [from, to] = [yearStart.getTime(), asOf.getTime()];
  const meters = Object.keys(facts.level1Readings)
    .sort()
    .map((meterId) => ({ meterId, pts: clean(facts.level1Readings[meterId] ?? [], -Infinity, to) }));
  const perMeter = meters.flatMap(({ meterId, pts }): MeterYearEvidence[] => {
    const volume = volumeIn(pts, from, to, th);
    if (volume === null) return [];
    const inYear = pts.filter((p) => p.t >= from);
    const before = pts.filter((p) => p.t < from).at(-1);
    return [meterYearEvidence(meterId, volume, inYear[0], inYear[inYear.length - 1], before)];
  });
  const perDay = new Map<number, number>();
  for (const { pts } of meters) for (const [day, volume] of dailyConsumption(pts, from, to, th)) perDay.set(day, (perDay.get(day) ?? 0) + volume);
  const consumptionDays = [...perDay.entries()].filter(([, volume]) => volume > EPSILON).sort(([a], [b]) => a - b);
  return planYearCandidates(facts, perMeter, consumptionDays, asOf, th);
}

/** One meter's entry in the plan-year candidates' `perMeter` evidence. */
interface MeterYearEvidence {
  meterId: string;
  firstReadAt: string;
  first: number;
  lastReadAt: string;
  last: number;
  volume: number;
  before?: { readAt: string; cumulativeVolume: number };
}

/** A meter's {@link MeterYearEvidence} from its year's volume, first and last points and the point before the year. */
function meterYearEvidence(
  meterId: string,
  volume: number,
  first: { t: number; v: number },
  last: { t: number; v: number },
  before: { t: number; v: number } | null | undefined,
): MeterYearEvidence {
  return {
    meterId,
    firstReadAt: iso(first.t),
    first: first.v,
    lastReadAt: iso(last.t),
    last: last.v,
    volume,
    ...(before ? { before: { readAt: iso(before.t), cumulativeVolume: before.v } } : {}),
  };
}

/** The plan-year candidates of {@link detectEnterprise} from each level-1 meter's evidence (meter id order) and the days with consumption (day index, m³; by day). */
function planYearCandidates(
  facts: Omit<EnterpriseFacts, 'level1Readings'>,
  perMeter: MeterYearEvidence[],
  consumptionDays: [number, number][],
  asOf: Date,
  th: DetectionThresholds,
): CandidateDraft[] {
  const year = chinaYear(asOf);
  const yearStart = chinaYearBounds(year).start;
  const out: CandidateDraft[] = [];
  const raise = (kind: AnomalyKind, suggestedLevel: 'GENERAL' | 'SERIOUS', evidence: Record<string, unknown>) =>
    out.push({
      kind,
      indicator: th.indicators[kind],
      suggestedLevel,
      enterpriseId: facts.enterpriseId,
      meterId: null,
      evidence: { title: KIND_TITLES[kind], ...evidence },
    });

  const usedVolumeM3 = perMeter.reduce((s, m) => s + m.volume, 0);
  const window = { from: yearStart.toISOString(), to: asOf.toISOString() };

  const plan = facts.plans.find((p) => p.year === year && Number.isFinite(p.plannedVolume) && p.plannedVolume >= 0);
  if (plan && usedVolumeM3 > plan.plannedVolume) {
    const seriousAbove = (1 + th.overPlanSeriousRatio) * plan.plannedVolume;
    const beyond = usedVolumeM3 > seriousAbove;
    const ratio = plan.plannedVolume > 0 ? usedVolumeM3 / plan.plannedVolume : null;
    const pct = th.overPlanSeriousRatio * 100;
    raise('OVER_PLAN', beyond ? th.overPlanBeyondLevel : 'GENERAL', {
      year,
      plannedVolume: plan.plannedVolume,
      usedVolume: usedVolumeM3,
      ratio,
      seriousAbove,
      seriousRatio: th.overPlanSeriousRatio,
      ...window,
      perMeter,
      attribution: ATTRIBUTION,
      levelNote: beyond
        ? {
            zh: `超计划 ${pct} % 以上：附件（1.2）只规定超计划 ${pct} % 以内为一般失信，未规定超出该比例的情形；建议等级 ${th.overPlanBeyondLevel} 取自政策设置（overPlanBeyondLevel），认定等级由执法人员决定。`,
            en: `More than ${pct} % over the plan: annex 1.2 describes only up to ${pct} % (general) and not beyond; the suggested ${th.overPlanBeyondLevel} is the policy's setting (overPlanBeyondLevel) and the level is the officer's call.`,
          }
        : { zh: `超计划 ${pct} % 以内：附件（1.2）一般失信。`, en: `Up to ${pct} % over the plan: annex 1.2, general.` },
      rule: {
        zh: `${year} 年已用水 ${usedVolumeM3} m³，超过计划 ${plan.plannedVolume} m³；超过 ${seriousAbove} m³（+${pct} %）建议 ${th.overPlanBeyondLevel}`,
        en: `${usedVolumeM3} m³ used in ${year} > plan ${plan.plannedVolume} m³; ${th.overPlanBeyondLevel} suggested beyond ${seriousAbove} m³ (+${pct} %)`,
      },
    });
  }

  if (!facts.plans.some((p) => p.year === year) && usedVolumeM3 > EPSILON && consumptionDays.length) {
    const firstDay = chinaDayByIndex(consumptionDays[0][0]).day;
    raise('NO_PLAN', 'SERIOUS', {
      year,
      usedVolume: usedVolumeM3,
      firstDay,
      ...window,
      plansOnFile: facts.plans.map((p) => p.year).sort((a, b) => a - b),
      perMeter,
      attribution: ATTRIBUTION,
      rule: {
        zh: `${year} 年无用水计划，自 ${firstDay} 起已取用水 ${usedVolumeM3} m³（未取得用水计划擅自取用水，附件 1.2 较重失信）`,
        en: `no water plan for ${year}, yet ${usedVolumeM3} m³ withdrawn since ${firstDay} (withdrawal without a plan, annex 1.2, serious)`,
      },
    });
  }

  const lastDay = chinaDayIndex(asOf) - 1;
  // Instants as numbers (the comparisons Dates make), a day's bounds as chinaDayByIndex gives them: a year of days per enterprise.
  const spans = facts.permits.map((p) => ({ from: p.validFrom.getTime(), to: p.validTo.getTime(), revoked: p.revokedAt ? p.revokedAt.getTime() : null }));
  const covered = (start: number, end: number) => spans.some((p) => p.from <= start && p.to >= end && !(p.revoked !== null && p.revoked < end));
  const uncovered = consumptionDays
    .filter(([index]) => index <= lastDay && !covered(index * DAY_MS - CHINA_OFFSET_MS, index * DAY_MS - CHINA_OFFSET_MS + DAY_MS))
    .map(([index, volume]) => ({ ...chinaDayByIndex(index), volume }));
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
      attribution: ATTRIBUTION,
      rule: {
        zh: `${uncovered.length} 天（${first} 至 ${last}）有取用水，而当天全天无有效且未被吊销的取水许可证`,
        en: `consumption on ${uncovered.length} day(s) (${first} … ${last}) with no permit valid and unrevoked all day`,
      },
    });
  }
  return out;
}

/** A point of the plan-year rules: epoch ms and totaliser. */
export interface YearPoint {
  t: number;
  v: number;
}

/**
 * One level-1 meter's plan-year state after some of its points, oldest first: what {@link detectEnterprise} computes
 * from them, kept so that later points continue it ({@link foldPlanYear}). `volume` is the year's volume as
 * `volumeIn` sums it (null: no pair of points spans into the year yet), `daily[i]` the consumption of the year's
 * day i as `dailyConsumption` spreads it (0: none), `before` the latest point before the year, `first` the earliest
 * in it, `last` the latest folded.
 */
export interface PlanYearState {
  volume: number | null;
  before: YearPoint | null;
  first: YearPoint | null;
  last: YearPoint | null;
  daily: number[];
}

export const emptyPlanYear = (): PlanYearState => ({ volume: null, before: null, first: null, last: null, daily: [] });

export const copyPlanYear = (s: PlanYearState): PlanYearState => ({ ...s, daily: [...s.daily] });

/**
 * The points {@link detectEnterprise} takes from `readings` as of `asOf`: finite totalisers up to `asOf`, by time,
 * one per instant (the first given wins).
 */
export function planYearPoints(readings: Reading[], asOf: Date): YearPoint[] {
  return clean(readings, -Infinity, asOf.getTime()).map((p) => ({ t: p.t, v: p.v }));
}

/**
 * Folds `pts` (sorted, distinct, all later than `s.last`) into `s` for the plan year starting at `yearStart`: each
 * pair of consecutive points (the first with `s.last`) adds exactly what `volumeIn` and `dailyConsumption` add for it,
 * in the same order, so folding a meter's points in any number of steps gives the same state, to the bit, as folding
 * them at once. Every point is at or before any `asOf` the state is used for, so `asOf` never cuts a pair.
 */
export function foldPlanYear(s: PlanYearState, pts: readonly YearPoint[], yearStart: Date, th: DetectionThresholds = DEFAULT_THRESHOLDS): PlanYearState {
  const from = yearStart.getTime();
  const firstDay = chinaDayIndex(yearStart);
  for (const p of pts) {
    const q = s.last;
    if (q) {
      const volume = pairVolume(q.v, p.v, th);
      if (p.t > from) s.volume = (s.volume ?? 0) + share(q.t, p.t, volume, from, Infinity);
      const [a, b] = [Math.max(q.t, from), p.t];
      if (volume > 0 && p.t > q.t && b > a)
        for (let day = chinaDayIndex(new Date(a)); ; day++) {
          const start = day * DAY_MS - CHINA_OFFSET_MS; // chinaDayByIndex(day)'s bounds
          const end = start + DAY_MS;
          const part = share(q.t, p.t, volume, Math.max(a, start), Math.min(b, end));
          if (part > 0) {
            const i = day - firstDay;
            while (s.daily.length <= i) s.daily.push(0);
            s.daily[i] = s.daily[i] + part;
          }
          if (end >= b) break;
        }
    }
    if (p.t < from) s.before = p;
    else if (!s.first) s.first = p;
    s.last = p;
  }
  return s;
}

/**
 * Whether the plan-year rules can read an enterprise's consumption per day at `asOf` (its states' `daily`): NO_PLAN
 * when it has no plan for the year (the first day with consumption), NO_VALID_PERMIT unless one permit covers, valid
 * and unrevoked, every day from the year's first to the day before asOf's (then no day can be uncovered). When it
 * answers false, OVER_PLAN alone reads the states, and only their volumes and points.
 */
export function planYearNeedsDays(plans: readonly { year: number }[], permits: EnterpriseFacts['permits'], asOf: Date): boolean {
  const year = chinaYear(asOf);
  if (!plans.some((p) => p.year === year)) return true;
  const yearStart = chinaYearBounds(year).start.getTime();
  const lastDayEnd = chinaDayIndex(asOf) * DAY_MS - CHINA_OFFSET_MS; // asOf's day's start: the end of the last day judged
  return !permits.some((p) => p.validFrom.getTime() <= yearStart && p.validTo.getTime() >= lastDayEnd && (!p.revokedAt || p.revokedAt.getTime() >= lastDayEnd));
}

/**
 * {@link detectEnterprise} from each level-1 meter's plan-year state ({@link foldPlanYear} of all its points up to
 * `asOf`) instead of its readings: the same candidates, evidence and all.
 */
export function detectEnterpriseYear(
  facts: Omit<EnterpriseFacts, 'level1Readings'>,
  years: Record<string, PlanYearState>,
  asOf: Date,
  th: DetectionThresholds = DEFAULT_THRESHOLDS,
): CandidateDraft[] {
  const firstDay = chinaDayIndex(chinaYearBounds(chinaYear(asOf)).start);
  const ids = Object.keys(years).sort();
  const perMeter = ids.flatMap((meterId): MeterYearEvidence[] => {
    const { volume, first, last, before } = years[meterId];
    if (volume === null || !first || !last) return [];
    return [meterYearEvidence(meterId, volume, first, last, before)];
  });
  // Each day's sum over the meters in id order, as detectEnterprise's map adds them (a meter's 0 is its absent day), already in day order.
  const days = ids.map((id) => years[id].daily);
  const span = Math.max(0, ...days.map((d) => d.length));
  const consumptionDays: [number, number][] = [];
  for (let i = 0; i < span; i++) {
    let sum = 0;
    for (const d of days) if (d[i] > 0) sum = sum + d[i];
    if (sum > EPSILON) consumptionDays.push([firstDay + i, sum]);
  }
  return planYearCandidates(facts, perMeter, consumptionDays, asOf, th);
}
