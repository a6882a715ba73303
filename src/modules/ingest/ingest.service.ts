import { EntityManager } from 'typeorm';
import { HubContext, inTransaction } from '../../platform/context';
import { badInput } from '../../platform/errors';
import { inScope, mayWrite } from '../../platform/auth/access.rules';
import { rows } from '../../platform/sql';
import { ReadingRow, insertReadings } from '../meter/meter.repository';
import { IncomingReading, readingProblem } from './ingest.rules';

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

interface MeterRef {
  id: string;
  meterCode: string;
  creditCode: string;
  regionCode: string;
}

/**
 * The one bulk path for readings, used by `ingestReadings` and every connector: validate
 * each row (reject with a reason, keep the rest), resolve meter codes in one statement,
 * insert set-based with `ON CONFLICT DO NOTHING` and move each meter's `lastReadingAt`.
 * Re-sending the same readings changes nothing and counts them as duplicates.
 *
 * `scope`: when given, meters outside the caller's write scope are rejected row by row.
 */
export async function ingest(m: EntityManager, readings: IncomingReading[], scope?: HubContext): Promise<IngestOutcome> {
  if (readings.length > MAX_BATCH) throw badInput(`at most ${MAX_BATCH} readings per call; send the rest in further calls`, 'readings');
  const codes = [...new Set(readings.map((r) => (typeof r.meterCode === 'string' ? r.meterCode.trim() : '')).filter(Boolean))];
  const meters = new Map(
    (
      await rows<MeterRef>(
        m,
        `SELECT t.id, t.meter_code AS "meterCode", e.credit_code AS "creditCode", e.region_code AS "regionCode"
           FROM meter t JOIN enterprise e ON e.id = t.enterprise_id WHERE t.meter_code = ANY($1::text[])
            FOR KEY SHARE OF t`, // the batch's meters cannot vanish before its readings commit (stands in for a per-row FK check)
        [codes],
      )
    ).map((x) => [x.meterCode, x]),
  );
  const now = new Date();
  const rejected: IngestOutcome['rejected'] = [];
  const good: ReadingRow[] = [];
  readings.forEach((r, index) => {
    const problem = readingProblem(r, now, (code) => meters.has(code));
    if (problem) return rejected.push({ index, reason: problem });
    const meter = meters.get(r.meterCode.trim())!;
    if (scope && !(inScope(scope.principal, meter) && mayWrite(scope.principal, meter)))
      return rejected.push({ index, reason: `meter ${meter.meterCode} belongs to an enterprise outside your jurisdiction` });
    good.push({ meterId: meter.id, readAt: r.readAt, cumulativeVolume: r.cumulativeVolume, flowRate: r.flowRate ?? null });
  });
  const accepted = good.length ? await insertReadings(m, good) : 0;
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
    return inTransaction(ctx, (m) => ingest(m, readings, ctx));
  },
};
