/** Validation of incoming meter readings (issue #3, item 4; physical bounds issue 9, item 10): pure, shared by every ingest path. */
import { CLOCK_SLACK_MS } from '../../platform/checks';
import { CHINA_OFFSET_MS } from '../../platform/china-time';
import { DEFAULT_THRESHOLDS, type DetectionThresholds } from '../detection/detection.rules';

export interface IncomingReading {
  meterCode: string;
  readAt: Date;
  cumulativeVolume: number;
  flowRate?: number | null;
}

/** How far ahead of the hub's clock a reading may be stamped (meter clocks drift). */
export const MAX_FUTURE_MS = CLOCK_SLACK_MS;

/** What a reading can physically be, from the detection thresholds of the policy in force. */
export interface ReadingLimits {
  /** Highest totaliser a meter shows: its counter wraps to 0 past it (`detection.counterWrapM3`). */
  maxCumulativeM3: number;
  /** Earliest instant a reading may carry: 00:00 Asia/Shanghai of `detection.earliestReadingDate`. */
  earliestReadAt: Date;
}

/** The limits of a policy's detection thresholds. */
export function readingLimits(th: DetectionThresholds): ReadingLimits {
  return { maxCumulativeM3: th.counterWrapM3, earliestReadAt: new Date(Date.parse(`${th.earliestReadingDate}T00:00:00Z`) - CHINA_OFFSET_MS) };
}

/** The limits of the shipped defaults (counter wrap 799,999,999 m³, earliest 2000-01-01 China time). */
export const DEFAULT_LIMITS: ReadingLimits = readingLimits(DEFAULT_THRESHOLDS);

/**
 * Why a reading cannot be stored, Chinese first then English (`中文 / English`), or null when
 * it can. `knownMeter` answers from one batched lookup. Beyond well-formedness a reading must
 * be physical: a totaliser within the meter's range, a flow that is not negative, a time
 * neither before `limits.earliestReadAt` nor more than 10 minutes ahead of `now`.
 */
export function readingProblem(r: IncomingReading, now: Date, knownMeter: (code: string) => boolean, limits: ReadingLimits = DEFAULT_LIMITS): string | null {
  if (typeof r.meterCode !== 'string' || !r.meterCode.trim()) return '表计编号为空 / meterCode is empty';
  if (!(r.readAt instanceof Date) || Number.isNaN(r.readAt.getTime())) return '读数时间不是有效的日期时间 / readAt is not a valid date-time';
  if (r.readAt.getTime() > now.getTime() + MAX_FUTURE_MS) {
    const at = r.readAt.toISOString();
    return `读数时间 ${at} 超前当前时间 10 分钟以上 / readAt ${at} is more than 10 minutes in the future`;
  }
  if (r.readAt.getTime() < limits.earliestReadAt.getTime()) {
    const at = r.readAt.toISOString();
    const earliest = limits.earliestReadAt.toISOString();
    return `读数时间 ${at} 早于可能的最早时间 ${earliest}（表计尚不存在，多为时钟复位） / readAt ${at} is before ${earliest}, when no meter could have reported it (a reset clock)`;
  }
  if (typeof r.cumulativeVolume !== 'number' || !Number.isFinite(r.cumulativeVolume)) return '累计读数不是有限数值 / cumulativeVolume is not a finite number';
  if (r.cumulativeVolume < 0) return '累计读数为负数 / cumulativeVolume (the totaliser) is negative';
  if (r.cumulativeVolume > limits.maxCumulativeM3)
    return `累计读数 ${r.cumulativeVolume} m³ 超出表计量程（计数器超过 ${limits.maxCumulativeM3} m³ 即归零） / cumulativeVolume ${r.cumulativeVolume} m³ is beyond the meter's range (its counter wraps past ${limits.maxCumulativeM3} m³)`;
  if (r.flowRate != null && (typeof r.flowRate !== 'number' || !Number.isFinite(r.flowRate))) return '瞬时流量不是有限数值 / flowRate is not a finite number';
  if (r.flowRate != null && r.flowRate < 0) return `瞬时流量 ${r.flowRate} m³/h 为负数 / flowRate ${r.flowRate} m³/h is negative`;
  const code = r.meterCode.trim();
  if (!knownMeter(code)) return `未知表计 ${code}，请先登记（registerMeter） / unknown meter ${code}; register it first (registerMeter)`;
  return null;
}
