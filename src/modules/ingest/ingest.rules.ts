/** Validation of incoming meter readings (issue #3, item 4): pure, shared by every ingest path. */
import { CLOCK_SLACK_MS } from '../../platform/checks';

export interface IncomingReading {
  meterCode: string;
  readAt: Date;
  cumulativeVolume: number;
  flowRate?: number | null;
}

/** How far ahead of the hub's clock a reading may be stamped (meter clocks drift). */
export const MAX_FUTURE_MS = CLOCK_SLACK_MS;

/** Why a reading cannot be stored, or null when it can. `knownMeter` answers from one batched lookup. */
export function readingProblem(r: IncomingReading, now: Date, knownMeter: (code: string) => boolean): string | null {
  if (typeof r.meterCode !== 'string' || !r.meterCode.trim()) return 'meterCode is empty';
  if (!(r.readAt instanceof Date) || Number.isNaN(r.readAt.getTime())) return 'readAt is not a valid date-time';
  if (r.readAt.getTime() > now.getTime() + MAX_FUTURE_MS) return `readAt ${r.readAt.toISOString()} is more than 10 minutes in the future`;
  if (typeof r.cumulativeVolume !== 'number' || !Number.isFinite(r.cumulativeVolume)) return 'cumulativeVolume is not a finite number';
  if (r.cumulativeVolume < 0) return 'cumulativeVolume (the totaliser) is negative';
  if (r.flowRate != null && (typeof r.flowRate !== 'number' || !Number.isFinite(r.flowRate))) return 'flowRate is not a finite number';
  if (!knownMeter(r.meterCode.trim())) return `unknown meter ${r.meterCode.trim()}; register it first (registerMeter)`;
  return null;
}
