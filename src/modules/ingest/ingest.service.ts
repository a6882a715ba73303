import { transactionConnection, withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput } from '../../platform/errors';
import { inScope, mayWrite } from '../../platform/auth/access.rules';
import { CopyConflict, ReadingRow, copyReadings, insertReadings, lockMetersByCode } from '../meter/meter.repository';
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
  /** Of `accepted`, the readings stored by the COPY path (rows that could not conflict); the rest went through `ON CONFLICT`. */
  copied: number;
}

/** Fewest conflict-free rows worth a COPY (its savepoint and extra round trips); fewer go through `ON CONFLICT`. */
export const COPY_MIN_ROWS = 64;

/** Largest batch one call may carry; bigger feeds page through the connectors. */
export const MAX_BATCH = 50_000;

/**
 * The one bulk path for readings, used by `ingestReadings` and every connector: validate
 * each row, physical limits from the policy in force now (reject with a reason and store
 * nothing of it, keep the rest), resolve meter codes in one statement, store and move each meter's `lastReadingAt`,
 * and merge the new rows into the meters' daily summaries (`meter_day`, the same merge on either path below).
 * Re-sending the same readings changes nothing and counts them as duplicates.
 *
 * Two ways in: rows newer than their meter's `lastReadingAt` and than the meter's earlier
 * rows in the batch cannot meet a stored reading, so on a server, inside a transaction,
 * they stream in with a binary `COPY` on the transaction's connection; the rest go through
 * the set-based `INSERT … ON CONFLICT DO NOTHING`. The COPY runs under a savepoint: if a
 * concurrent transaction stored one of its rows first (unique violation), it is rolled back
 * and those rows take the `ON CONFLICT` path too, so exactly-once holds either way. The
 * embedded database, a call outside a transaction and small batches keep the `ON CONFLICT` path only.
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
  const { copied, rest } = await copyNewReadings(ctx, good, meters);
  const accepted = copied + (rest.length ? await insertReadings(ctx.db, rest) : 0);
  return {
    accepted,
    duplicates: good.length - accepted,
    rejected,
    touchedMeterIds: accepted ? [...new Set(good.map((g) => g.meterId))] : [],
    copied,
  };
}

/**
 * COPYs the readings of `good` that cannot conflict (see `ingest`); returns how many it
 * stored and the readings left for `ON CONFLICT` (the others, or all when COPY is not used).
 */
async function copyNewReadings(
  ctx: HubContext,
  good: ReadingRow[],
  meters: Map<string, { id: string; lastReadingAt: Date | null }>,
): Promise<{ copied: number; rest: ReadingRow[] }> {
  if (good.length < COPY_MIN_ROWS || !ctx.db.inTransaction) return { copied: 0, rest: good };
  // Per meter, the newest reading stored or already bound for the COPY: a row past it cannot conflict. A row at or
  // before it (an old gap, a re-sent or repeated row, an out-of-order one) goes through ON CONFLICT, which decides.
  const newest = new Map<string, number>();
  for (const m of meters.values()) newest.set(m.id, m.lastReadingAt ? m.lastReadingAt.getTime() : -Infinity);
  const fresh: ReadingRow[] = [];
  const rest: ReadingRow[] = [];
  for (const g of good) {
    const t = g.readAt.getTime();
    if (t > newest.get(g.meterId)!) {
      newest.set(g.meterId, t);
      fresh.push(g);
    } else rest.push(g);
  }
  if (fresh.length < COPY_MIN_ROWS) return { copied: 0, rest: good };
  const client = await transactionConnection(ctx.db);
  if (!client) return { copied: 0, rest: good };
  try {
    // Sets the savepoint, COPYs and releases it (copyReadings).
    return { copied: await copyReadings(client, fresh, 'ingest_copy'), rest };
  } catch (e) {
    if (!(e instanceof CopyConflict)) throw e;
    // A concurrent transaction stored one of these first: all of them take the ON CONFLICT path.
    await ctx.db.query('ROLLBACK TO SAVEPOINT ingest_copy');
    await ctx.db.query('RELEASE SAVEPOINT ingest_copy');
    return { copied: 0, rest: good };
  }
}

/** `ingestReadings`: the API entry to the bulk path, in one transaction. */
export const ingestService = {
  ingestReadings(ctx: HubContext, readings: IncomingReading[]): Promise<IngestOutcome> {
    return withTransaction(ctx, (ctx) => ingest(ctx, readings, true));
  },
};
