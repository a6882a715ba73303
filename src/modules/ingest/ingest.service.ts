import { transactionConnection, withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput } from '../../platform/errors';
import { inScope, mayWrite } from '../../platform/auth/access.rules';
import { CopyConflict, ReadingCopy, ReadingRow, insertReadings, lockMetersByCode } from '../meter/meter.repository';
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
 * they stream in with a binary `COPY` on the transaction's connection, opened as soon as
 * {@link COPY_MIN_ROWS} rows qualify and fed in chunks while the rest of the batch is validated
 * (the server stores rows while Node checks the next ones); the rest go through
 * the set-based `INSERT … ON CONFLICT DO NOTHING`. The COPY runs under a savepoint: if a
 * concurrent transaction stored one of its rows first (unique violation), it is rolled back
 * and those rows take the `ON CONFLICT` path too, so exactly-once holds either way. The
 * embedded database, a call outside a transaction and small batches keep the `ON CONFLICT` path only.
 *
 * `scoped`: meters outside the caller's write scope are rejected row by row (the API; a sync's system context writes everywhere).
 */
export async function ingest(ctx: HubContext, readings: IncomingReading[], scoped = false): Promise<IngestOutcome> {
  if (readings.length > MAX_BATCH) throw badInput(`at most ${MAX_BATCH} readings per call; send the rest in further calls`, 'readings');
  const codeSet = new Set<string>();
  for (const r of readings) if (typeof r.meterCode === 'string') codeSet.add(r.meterCode.trim());
  codeSet.delete('');
  const codes = [...codeSet];
  const meters = new Map((await lockMetersByCode(ctx.db, codes)).map((x) => [x.meterCode, x]));
  const known = (code: string) => meters.has(code);
  const now = new Date();
  // What a reading can physically be: the detection thresholds of the policy in force now.
  const limits = readingLimits(thresholdsAt(ctx.policies, now));
  const rejected: IngestOutcome['rejected'] = [];
  const good: ReadingRow[] = [];
  const goodMeters = new Set<string>();
  const split = new FreshSplit(ctx, meters.values(), readings.length);
  try {
    for (let index = 0; index < readings.length; index++) {
      const r = readings[index];
      const problem = readingProblem(r, now, known, limits);
      if (problem) {
        rejected.push({ index, reason: problem });
        continue;
      }
      const meter = meters.get(r.meterCode.trim())!;
      if (scoped && !(inScope(ctx.principal, meter) && mayWrite(ctx.principal, meter))) {
        rejected.push({
          index,
          reason: `表计 ${meter.meterCode} 所属企业不在您的管辖范围内 / meter ${meter.meterCode} belongs to an enterprise outside your jurisdiction`,
        });
        continue;
      }
      const row: ReadingRow = { meterId: meter.id, readAt: r.readAt, cumulativeVolume: r.cumulativeVolume, flowRate: r.flowRate ?? null };
      good.push(row);
      goodMeters.add(row.meterId);
      if (split.take(row)) await split.startCopy();
    }
  } catch (e) {
    await split.abort(e as Error);
    throw e;
  }
  const { copied, rest } = await split.finish(good);
  const accepted = copied + (rest.length ? await insertReadings(ctx.db, rest) : 0);
  return {
    accepted,
    duplicates: good.length - accepted,
    rejected,
    touchedMeterIds: accepted ? [...goodMeters] : [],
    copied,
  };
}

/**
 * Splits a batch's valid readings as they come between the COPY path and `ON CONFLICT` (see `ingest`): per meter,
 * the newest reading stored or already bound for the COPY; a row past it cannot conflict, a row at or before it (an
 * old gap, a re-sent or repeated row, an out-of-order one) goes through `ON CONFLICT`, which decides. The COPY is
 * opened once {@link COPY_MIN_ROWS} rows could take it, and rows stream to the server while the rest are validated.
 */
class FreshSplit {
  private readonly newest = new Map<string, number>();
  private readonly early: ReadingRow[] = [];
  private readonly rest: ReadingRow[] = [];
  private copy: ReadingCopy | null = null;
  /** Whether the COPY path may still be taken (a server transaction, a batch big enough, no COPY refused yet). */
  private open: boolean;

  constructor(
    private readonly ctx: HubContext,
    meters: Iterable<{ id: string; lastReadingAt: Date | null }>,
    size: number,
  ) {
    this.open = size >= COPY_MIN_ROWS && ctx.db.inTransaction;
    if (this.open) for (const m of meters) this.newest.set(m.id, m.lastReadingAt ? m.lastReadingAt.getTime() : -Infinity);
  }

  /** Takes a valid row; true when the COPY should start now (see {@link startCopy}). */
  take(g: ReadingRow): boolean {
    if (!this.open) return false;
    const t = g.readAt.getTime();
    if (t <= this.newest.get(g.meterId)!) {
      this.rest.push(g);
      return false;
    }
    this.newest.set(g.meterId, t);
    if (this.copy) {
      this.copy.add(g);
      return false;
    }
    this.early.push(g);
    return this.early.length === COPY_MIN_ROWS;
  }

  /** Opens the COPY on the transaction's connection and hands it the rows so far (none on the embedded database). */
  async startCopy(): Promise<void> {
    const client = await transactionConnection(this.ctx.db);
    if (!client) {
      this.open = false;
      return;
    }
    // Sets the savepoint and starts the COPY (ReadingCopy.open).
    this.copy = await ReadingCopy.open(client, 'ingest_copy');
    for (const g of this.early) this.copy.add(g);
    this.copy.send();
  }

  /** How many rows the COPY stored, and the rows left for `ON CONFLICT` (all of `good` when the COPY was not taken or gave way). */
  async finish(good: ReadingRow[]): Promise<{ copied: number; rest: ReadingRow[] }> {
    if (!this.copy) return { copied: 0, rest: good };
    try {
      return { copied: await this.copy.finish(), rest: this.rest };
    } catch (e) {
      if (!(e instanceof CopyConflict)) throw e;
      // A concurrent transaction stored one of these first: all of them take the ON CONFLICT path.
      await this.ctx.db.query('ROLLBACK TO SAVEPOINT ingest_copy');
      await this.ctx.db.query('RELEASE SAVEPOINT ingest_copy');
      return { copied: 0, rest: good };
    }
  }

  /** Abandons an open COPY after a failure (the transaction is rolled back by its caller). */
  async abort(reason: Error): Promise<void> {
    await this.copy?.abort(reason);
  }
}

/** `ingestReadings`: the API entry to the bulk path, in one transaction. */
export const ingestService = {
  ingestReadings(ctx: HubContext, readings: IncomingReading[]): Promise<IngestOutcome> {
    return withTransaction(ctx, (ctx) => ingest(ctx, readings, true));
  },
};
