import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';
import { DaySummaryFold, TouchedDay, copiedDaysMerge, mergeDaysOf, rebuildUnordered } from './meter-day.repository';

export interface MeterRow {
  id: string;
  meterCode: string;
  enterpriseId: string;
  online: boolean;
  level: number;
  reportingIntervalSeconds: number;
  maxFlowRate: number | null;
  calibrationExpiresAt: Date | null;
  lastReadingAt: Date | null;
  createdAt: Date;
}

export interface ReadingRow {
  meterId: string;
  readAt: Date;
  cumulativeVolume: number;
  flowRate: number | null;
}

export const METER_COLUMNS = `t.id, t.meter_code AS "meterCode", t.enterprise_id AS "enterpriseId", t.online, t.level,
  t.reporting_interval_seconds AS "reportingIntervalSeconds", t.max_flow_rate AS "maxFlowRate",
  t.calibration_expires_at AS "calibrationExpiresAt", t.last_reading_at AS "lastReadingAt", t.created_at AS "createdAt"`;

export function insertMeter(m: Queryable, r: Omit<MeterRow, 'id' | 'lastReadingAt' | 'createdAt'>): Promise<MeterRow | undefined> {
  return one<MeterRow>(
    m,
    `INSERT INTO meter AS t (meter_code, enterprise_id, online, level, reporting_interval_seconds, max_flow_rate, calibration_expires_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING ${METER_COLUMNS}`,
    [r.meterCode, r.enterpriseId, r.online, r.level, r.reportingIntervalSeconds, r.maxFlowRate, r.calibrationExpiresAt],
  );
}

export function findMeter(m: Queryable, meterCode: string): Promise<MeterRow | undefined> {
  return one<MeterRow>(m, `SELECT ${METER_COLUMNS} FROM meter t WHERE t.meter_code = $1`, [meterCode]);
}

export function metersOf(m: Queryable, enterpriseIds: readonly string[]): Promise<MeterRow[]> {
  return rows<MeterRow>(m, `SELECT ${METER_COLUMNS} FROM meter t WHERE t.enterprise_id = ANY($1::uuid[]) ORDER BY t.meter_code`, [enterpriseIds]);
}

export interface ReadingWindow {
  from?: Date | null;
  to?: Date | null;
  first: number;
}

/** The latest `first` readings of each meter within the window, newest first, in one statement. */
export function readingsOf(m: Queryable, meterIds: readonly string[], w: ReadingWindow): Promise<ReadingRow[]> {
  return rows<ReadingRow>(
    m,
    `SELECT r.meter_id AS "meterId", r.read_at AS "readAt", r.cumulative_volume AS "cumulativeVolume", r.flow_rate AS "flowRate"
       FROM unnest($1::uuid[]) AS k(id)
       CROSS JOIN LATERAL (
         SELECT * FROM meter_reading x
          WHERE x.meter_id = k.id AND ($2::timestamptz IS NULL OR x.read_at >= $2) AND ($3::timestamptz IS NULL OR x.read_at < $3)
          ORDER BY x.read_at DESC LIMIT $4) r`,
    [meterIds, w.from ?? null, w.to ?? null, w.first],
  );
}

/** Rows per statement for the bulk insert: 4 arrays, far below the 65,535 bind-parameter limit. */
const CHUNK = 20_000;

/**
 * Set-based insert of readings: `unnest` arrays, `ON CONFLICT DO NOTHING` (a reading is
 * unique per meter and time), then each touched meter's `last_reading_at` moves forward and
 * the new rows' day summaries merge into `meter_day` (meter-day.repository.ts), all in one
 * statement; a day a late reading landed inside is rebuilt from its readings right after.
 * Returns how many rows were new.
 */
export async function insertReadings(m: Queryable, readings: ReadingRow[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < readings.length; i += CHUNK) {
    const chunk = readings.slice(i, i + CHUNK);
    const r = await one<{ n: number; dirtyMeters: string[] | null; dirtyDays: string[] | null }>(
      m,
      `WITH ins AS (
         INSERT INTO meter_reading (meter_id, read_at, cumulative_volume, flow_rate)
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::float8[], $4::float8[])
         ON CONFLICT (meter_id, read_at) DO NOTHING
         RETURNING meter_id, read_at, cumulative_volume, flow_rate),
       latest AS (SELECT meter_id, max(read_at) AS at FROM ins GROUP BY meter_id),
       upd AS (UPDATE meter t SET last_reading_at = latest.at FROM latest
                WHERE t.id = latest.meter_id AND (t.last_reading_at IS NULL OR t.last_reading_at < latest.at)),
       days AS (${mergeDaysOf('ins')})
       SELECT (SELECT count(*)::int FROM ins) AS n,
              (SELECT array_agg("meterId"::text) FROM days WHERE unordered) AS "dirtyMeters",
              (SELECT array_agg("chinaDay") FROM days WHERE unordered) AS "dirtyDays"`,
      [chunk.map((x) => x.meterId), chunk.map((x) => x.readAt), chunk.map((x) => x.cumulativeVolume), chunk.map((x) => x.flowRate)],
    );
    inserted += r?.n ?? 0;
    const dirty = (r?.dirtyMeters ?? []).map((meterId, k) => ({ meterId, chinaDay: r!.dirtyDays![k], unordered: true }));
    await rebuildUnordered(m, dirty);
  }
  return inserted;
}

/** Binary COPY's fixed header: signature, flags, header-extension length. */
const COPY_HEADER = Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1');
/** Postgres timestamps count microseconds from 2000-01-01 UTC. */
const PG_EPOCH_MS = 946_684_800_000;
/** Bytes of one tuple: field count, then uuid, timestamptz, float8, float8 (each with its length word). */
const TUPLE_BYTES = 2 + (4 + 16) + (4 + 8) + (4 + 8) + (4 + 8);

/** A meter id's 16 bytes, parsed once per batch (a batch has far fewer meters than rows). */
function idBytes(ids: Map<string, Buffer>, meterId: string): Buffer {
  let id = ids.get(meterId);
  if (!id) ids.set(meterId, (id = Buffer.from(meterId.replace(/-/g, ''), 'hex')));
  return id;
}

/** Writes one reading's tuple into `buf` at `o` (room for {@link TUPLE_BYTES}); returns the offset after it. */
function writeTuple(buf: Buffer, o: number, id: Buffer, r: ReadingRow): number {
  buf.writeInt16BE(4, o);
  buf.writeInt32BE(16, o + 2);
  id.copy(buf, o + 6);
  buf.writeInt32BE(8, o + 22);
  // Microseconds since 2000 stay below 2^53 for any date a meter reports: exact as a double, split in two 32-bit words.
  const us = (r.readAt.getTime() - PG_EPOCH_MS) * 1000;
  const hi = Math.floor(us / 4_294_967_296);
  buf.writeInt32BE(hi, o + 26);
  buf.writeUInt32BE(us - hi * 4_294_967_296, o + 30);
  buf.writeInt32BE(8, o + 34);
  buf.writeDoubleBE(r.cumulativeVolume, o + 38);
  if (r.flowRate === null || r.flowRate === undefined) {
    buf.writeInt32BE(-1, o + 46);
    return o + 50;
  }
  buf.writeInt32BE(8, o + 46);
  buf.writeDoubleBE(r.flowRate, o + 50);
  return o + 58;
}

/** The binary COPY trailer: a field count of -1. */
const COPY_TRAILER = Buffer.from([0xff, 0xff]);

/** `readings` as one binary COPY stream of (meter_id, read_at, cumulative_volume, flow_rate): what {@link ReadingCopy} sends. */
export function binaryCopyOf(readings: readonly ReadingRow[]): Buffer {
  const buf = Buffer.allocUnsafe(COPY_HEADER.length + readings.length * TUPLE_BYTES + COPY_TRAILER.length);
  let o = COPY_HEADER.copy(buf, 0);
  const ids = new Map<string, Buffer>();
  for (const r of readings) o = writeTuple(buf, o, idBytes(ids, r.meterId), r);
  o += COPY_TRAILER.copy(buf, o);
  return buf.subarray(0, o);
}

/** Name of the prepared statement {@link copiedDaysMerge} runs as on a connection (one text: parsed and planned once per connection). */
const COPIED_DAYS_MERGE = 'hub_copied_days_merge';

/** The COPY of a {@link ReadingCopy} met a reading stored meanwhile (unique violation); its savepoint `savepoint` is still set. */
export class CopyConflict extends Error {
  constructor(
    readonly savepoint: string,
    override readonly cause: unknown,
  ) {
    super(`COPY met a reading stored meanwhile (savepoint ${savepoint})`);
  }
}

/**
 * Tuples sent to the server per CopyData message while a batch is being validated: small enough that the server has
 * rows to store soon after the COPY opens (Node validates about a thousand readings a millisecond), large enough that
 * a batch is a few dozen messages.
 */
const CHUNK_TUPLES = 256;

/**
 * A binary `COPY` into `meter_reading` that readings are written to as ingest validates them, for readings that
 * cannot conflict (each newer than its meter's stored readings, no two alike), on `client`, the connection of the
 * caller's transaction. It is opened (`open`) once the server has answered the COPY, so every chunk of
 * {@link CHUNK_TUPLES} goes straight to the socket and the server stores it while Node validates the rest of the batch.
 * Each added reading is also folded into its day's summary ({@link DaySummaryFold}); `finish` ends the COPY, then moves
 * each meter's `last_reading_at` forward and merges the batch's summaries into `meter_day` in one more statement.
 *
 * A reading stored meanwhile by a concurrent writer makes the COPY fail with a unique violation (23505): the COPY runs
 * under the savepoint `savepoint`, set and released in the same simple-protocol message as the COPY (a failed COPY
 * skips the release): on {@link CopyConflict} from `finish` the caller rolls back to it and falls back to
 * `insertReadings`. A caller that fails before `finish` must `abort` (the connection is in COPY mode until then).
 */
export class ReadingCopy {
  private readonly ids = new Map<string, Buffer>();
  private readonly fold = new DaySummaryFold();
  private buf = Buffer.allocUnsafe(CHUNK_TUPLES * TUPLE_BYTES);
  private at = 0;
  private pending = 0;

  private constructor(
    private readonly client: PoolClient,
    private readonly stream: ReturnType<typeof copyFrom>,
    private readonly done: Promise<void>,
  ) {}

  /** Sets the savepoint and starts the COPY; resolves once the server takes rows. */
  static async open(client: PoolClient, savepoint: string): Promise<ReadingCopy> {
    if (!/^[a-z_]+$/.test(savepoint)) throw new Error(`not a savepoint name: ${savepoint}`);
    const stream = client.query(
      copyFrom(
        `SAVEPOINT ${savepoint}; COPY meter_reading (meter_id, read_at, cumulative_volume, flow_rate) FROM STDIN (FORMAT binary); RELEASE SAVEPOINT ${savepoint}`,
      ),
    );
    const done = new Promise<void>((resolve, reject) => {
      stream.on('error', (e: Error & { code?: string }) => reject(e.code === '23505' ? new CopyConflict(savepoint, e) : e));
      stream.on('finish', resolve);
    });
    // Awaited in finish(); a failure before then is seen there (or by open's race below), never unhandled.
    done.catch(() => undefined);
    // The header's write completes when the server has answered the COPY (the stream holds writes until then).
    const accepted = new Promise<void>((resolve, reject) => stream.write(COPY_HEADER, (e) => (e ? reject(e) : resolve())));
    await Promise.race([accepted, done]);
    return new ReadingCopy(client, stream, done);
  }

  /** Encodes `r` for the COPY (sent once a chunk is full, or by {@link send}) and folds it into its day's summary. */
  add(r: ReadingRow): void {
    this.at = writeTuple(this.buf, this.at, idBytes(this.ids, r.meterId), r);
    this.fold.add(r);
    if (++this.pending === CHUNK_TUPLES) this.send();
  }

  /** Sends the rows encoded so far (the COPY's first rows go at once, so the server starts storing them). */
  send(): void {
    if (!this.at) return;
    // The chunk belongs to the socket now: the next goes into a fresh buffer.
    this.stream.write(this.buf.subarray(0, this.at));
    this.buf = Buffer.allocUnsafe(CHUNK_TUPLES * TUPLE_BYTES);
    this.at = 0;
    this.pending = 0;
  }

  /**
   * Ends the COPY and merges the day summaries (see the class); returns the rows stored. The merge is encoded while the
   * server stores the last rows and queued on the connection at once: `pg` sends it the moment the COPY completes. Should
   * the COPY fail, the queued merge fails too (the transaction is aborted) and only the COPY's error is reported.
   */
  async finish(): Promise<number> {
    this.send();
    this.stream.end(COPY_TRAILER);
    const merge = copiedDaysMerge(this.fold.summaries());
    const merged = merge ? this.client.query<TouchedDay>({ name: COPIED_DAYS_MERGE, text: merge.text, values: merge.values }) : null;
    merged?.catch(() => undefined);
    await this.done;
    const touched = merged ? (await merged).rows : [];
    const client = this.client;
    const onClient: Queryable = { query: async (sql: string, params?: unknown[]): Promise<unknown[]> => (await client.query(sql, params)).rows as unknown[] };
    await rebuildUnordered(onClient, touched);
    return this.stream.rowCount;
  }

  /** Abandons the COPY (the server rolls it back; the savepoint stays set) after a failure of the caller's. */
  async abort(reason: Error): Promise<void> {
    this.stream.destroy(reason);
    await this.done.catch(() => undefined);
  }
}

/** Ids of the enterprises owning the meters `meterIds`. */
export async function enterpriseIdsOfMeters(m: Queryable, meterIds: string[]): Promise<string[]> {
  return (await rows<{ id: string }>(m, `SELECT DISTINCT enterprise_id AS id FROM meter WHERE id = ANY($1::uuid[])`, [meterIds])).map((r) => r.id);
}

/** A meter with the codes that decide who may write its readings. */
export interface MeterRef {
  id: string;
  meterCode: string;
  creditCode: string;
  regionCode: string;
  /** The meter's latest stored reading time as last moved by ingest (null: none yet). */
  lastReadingAt: Date | null;
}

/**
 * The meters of `codes` with their enterprise's codes, share-locked: they cannot vanish
 * before the transaction's readings commit (stands in for a per-row FK check).
 */
export function lockMetersByCode(m: Queryable, codes: string[]): Promise<MeterRef[]> {
  return rows<MeterRef>(
    m,
    `SELECT t.id, t.meter_code AS "meterCode", e.credit_code AS "creditCode", e.region_code AS "regionCode",
            t.last_reading_at AS "lastReadingAt"
       FROM meter t JOIN enterprise e ON e.id = t.enterprise_id WHERE t.meter_code = ANY($1::text[])
        FOR KEY SHARE OF t`,
    [codes],
  );
}

export function metersByIds(m: Queryable, ids: readonly string[]): Promise<MeterRow[]> {
  return rows<MeterRow>(m, `SELECT ${METER_COLUMNS} FROM meter t WHERE t.id = ANY($1::uuid[])`, [ids]);
}

/**
 * Readings of each meter within its own window [from, to], oldest first, in one statement. The
 * windows' overall span bounds the scan too ($4, $5): the planner then reads only those months' partitions.
 */
export function readingsInWindows(m: Queryable, windows: { meterId: string; from: Date; to: Date }[]): Promise<ReadingRow[]> {
  if (!windows.length) return Promise.resolve([]);
  let from = windows[0].from;
  let to = windows[0].to;
  for (const w of windows) {
    if (w.from < from) from = w.from;
    if (w.to > to) to = w.to;
  }
  return rows<ReadingRow>(
    m,
    `SELECT r.meter_id AS "meterId", r.read_at AS "readAt", r.cumulative_volume AS "cumulativeVolume", r.flow_rate AS "flowRate"
       FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS w(id, f, t)
       JOIN meter_reading r ON r.meter_id = w.id AND r.read_at >= w.f AND r.read_at <= w.t
      WHERE r.read_at >= $4 AND r.read_at <= $5
      ORDER BY r.meter_id, r.read_at`,
    [windows.map((w) => w.meterId), windows.map((w) => w.from), windows.map((w) => w.to), from, to],
  );
}

/**
 * The first and last reading of each China-time day per meter in [from, to]: all the
 * plan and permit rules need (a day's or a year's use is last minus first totaliser).
 */
export function dailyEndpoints(m: Queryable, meterIds: readonly string[], from: Date, to: Date): Promise<ReadingRow[]> {
  return rows<ReadingRow>(
    m,
    `SELECT "meterId", "readAt", "cumulativeVolume", "flowRate" FROM (
       SELECT r.meter_id AS "meterId", r.read_at AS "readAt", r.cumulative_volume AS "cumulativeVolume", r.flow_rate AS "flowRate",
              row_number() OVER (PARTITION BY r.meter_id, (r.read_at AT TIME ZONE 'Asia/Shanghai')::date ORDER BY r.read_at) AS a,
              row_number() OVER (PARTITION BY r.meter_id, (r.read_at AT TIME ZONE 'Asia/Shanghai')::date ORDER BY r.read_at DESC) AS b
         FROM meter_reading r WHERE r.meter_id = ANY($1::uuid[]) AND r.read_at >= $2 AND r.read_at <= $3) x
      WHERE a = 1 OR b = 1 ORDER BY "meterId", "readAt"`,
    [meterIds, from, to],
  );
}

/**
 * When each meter started reporting: the instant of its first stored reading (null: none yet), in one statement,
 * read from `meter_reading` or, with `source` 'days', from its earliest daily summary (`meter_day`; the same instant).
 */
export async function firstReadingTimes(
  m: Queryable,
  meterIds: readonly string[],
  source: 'readings' | 'days' = 'readings',
): Promise<Map<string, Date | null>> {
  const first =
    source === 'days'
      ? `SELECT d.first_read_at FROM meter_day d WHERE d.meter_id = k.id ORDER BY d.china_day LIMIT 1`
      : `SELECT min(x.read_at) FROM meter_reading x WHERE x.meter_id = k.id`;
  const found = await rows<{ meterId: string; firstReadingAt: Date | null }>(
    m,
    `SELECT k.id AS "meterId", (${first}) AS "firstReadingAt" FROM unnest($1::uuid[]) AS k(id)`,
    [meterIds],
  );
  return new Map(found.map((r) => [r.meterId, r.firstReadingAt]));
}

/** The last reading of each meter before `before` (at most one per meter): a plan year's consumption starts from it. */
export function lastReadingsBefore(m: Queryable, meterIds: readonly string[], before: Date): Promise<ReadingRow[]> {
  return rows<ReadingRow>(
    m,
    `SELECT r.meter_id AS "meterId", r.read_at AS "readAt", r.cumulative_volume AS "cumulativeVolume", r.flow_rate AS "flowRate"
       FROM unnest($1::uuid[]) AS k(id)
       CROSS JOIN LATERAL (SELECT * FROM meter_reading x WHERE x.meter_id = k.id AND x.read_at < $2 ORDER BY x.read_at DESC LIMIT 1) r`,
    [meterIds, before],
  );
}
