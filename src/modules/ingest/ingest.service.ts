import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput } from '../../platform/errors';
import { inScope, mayWrite } from '../../platform/auth/access.rules';
import { ReadingRow, insertReadings, lockMetersByCode } from '../meter/meter.repository';
import { IncomingReading, readingLimits, readingProblem } from './ingest.rules';
import { thresholdsAt } from '../detection/detection.service';

export interface IngestOutcome {
  /** Readings newly stored. */
  accepted: number;
  /** Valid readings already stored for the same meter and time. */
  duplicates: number;
  rejected: { index: number; reason: string }[];
  /** Meters that received new readings (detection runs for them). */
  touchedMeterIds: string[];
}

/** Largest batch one call may carry; bigger feeds page through the connectors. */
export const MAX_BATCH = 50_000;

/**
 * The one bulk path for readings, used by `ingestReadings` and every connector: validate
 * each row, physical limits from the policy in force now (reject with a reason and store
 * nothing of it, keep the rest), resolve meter codes in one statement, insert set-based with `ON CONFLICT DO NOTHING` and move each meter's `lastReadingAt`.
 * Re-sending the same readings changes nothing and counts them as duplicates.
 *
 * `scoped`: meters outside the caller's write scope are rejected row by row (the API; a sync's system context writes everywhere).
 */
export async function ingest(ctx: HubContext, readings: IncomingReading[], scoped = false): Promise<IngestOutcome> {
  if (readings.length > MAX_BATCH) throw badInput(`at most ${MAX_BATCH} readings per call; send the rest in further calls`, 'readings');
  const codes = [...new Set(readings.map((r) => (typeof r.meterCode === 'string' ? r.meterCode.trim() : '')).filter(Boolean))];
  const meters = new Map((await lockMetersByCode(ctx.db, codes)).map((x) => [x.meterCode, x]));
  const now = new Date();
  // What a reading can physically be: the detection thresholds of the policy in force now.
  const limits = readingLimits(thresholdsAt(ctx.policies, now));
  const rejected: IngestOutcome['rejected'] = [];
  const good: ReadingRow[] = [];
  readings.forEach((r, index) => {
    const problem = readingProblem(r, now, (code) => meters.has(code), limits);
    if (problem) return rejected.push({ index, reason: problem });
    const meter = meters.get(r.meterCode.trim())!;
    if (scoped && !(inScope(ctx.principal, meter) && mayWrite(ctx.principal, meter)))
      return rejected.push({
        index,
        reason: `表计 ${meter.meterCode} 所属企业不在您的管辖范围内 / meter ${meter.meterCode} belongs to an enterprise outside your jurisdiction`,
      });
    good.push({ meterId: meter.id, readAt: r.readAt, cumulativeVolume: r.cumulativeVolume, flowRate: r.flowRate ?? null });
  });
  const accepted = good.length ? await insertReadings(ctx.db, good) : 0;
  return {
    accepted,
    duplicates: good.length - accepted,
    rejected,
    touchedMeterIds: accepted ? [...new Set(good.map((g) => g.meterId))] : [],
  };
}

/** `ingestReadings`: the API entry to the bulk path, in one transaction. */
export const ingestService = {
  ingestReadings(ctx: HubContext, readings: IncomingReading[]): Promise<IngestOutcome> {
    return withTransaction(ctx, (ctx) => ingest(ctx, readings, true));
  },
};
