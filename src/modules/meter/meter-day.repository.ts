import type { Queryable } from '../../platform/sql';
import { rows } from '../../platform/sql';
import { chinaDayByIndex, chinaDayIndex } from '../../platform/china-time';
import { inTransaction } from '../../platform/context';
import { dateArray, float8Array, int4Array, timestamptzArray, uuidArray } from '../../platform/pg-binary';
import type { ReadingRow } from './meter.repository';

/**
 * One meter's readings of one Asia/Shanghai day, summarised (table `meter_day`, issue 12 target 3): the
 * first and last reading (instant, totaliser, flow), how many readings, and three markers over the
 * day's consecutive pairs of readings that tell detection whether a pair rule could fire without
 * reading the day back: the smallest totaliser step (a rollback or wrap needs one below 0), the highest
 * implied flow of a non-negative step (FLOW_SPIKE) and how many pairs kept the totaliser within 1e-9
 * while both report a flow > 0 (STUCK_READING). `unordered`: a reading landed inside the day after it
 * was summarised, so the pair markers may be stale (first, last and count never are); ingest rebuilds
 * such days from `meter_reading` at once and detection reads those meters' readings meanwhile.
 */
export interface MeterDayRow {
  meterId: string;
  /** Asia/Shanghai date, `YYYY-MM-DD`. */
  chinaDay: string;
  firstReadAt: Date;
  firstTotal: number;
  firstFlow: number | null;
  lastReadAt: Date;
  lastTotal: number;
  lastFlow: number | null;
  readingCount: number;
  /** Smallest `next − prev` totaliser over the day's consecutive pairs (null: one reading). */
  minStep: number | null;
  /** Highest `(next − prev) / hours` (m³/h) over pairs with `next ≥ prev` and time between them (null: none). */
  maxRate: number | null;
  /** Pairs with |next − prev| ≤ 1e-9 whose readings both report flowRate > 0. */
  flatFlowingPairs: number;
  unordered: boolean;
}

/** Totalisers closer than this are "identical" (the STUCK_READING rule's own epsilon). */
export const FLAT_EPSILON = 1e-9;

/** Columns of `meter_day` in the order of {@link MeterDayRow} (and of {@link summarySql}'s output). */
const COLUMNS =
  'meter_id, china_day, first_read_at, first_total, first_flow, last_read_at, last_total, last_flow, reading_count, min_step, max_rate, flat_flowing_pairs';

/** Asia/Shanghai date of a timestamptz column, with the fixed +8 h offset of src/platform/china-time.ts. */
export const chinaDayOf = (column: string) => `((${column} AT TIME ZONE 'UTC') + interval '8 hours')::date`;

/**
 * The day summaries of `source` (a relation with meter_id, read_at, cumulative_volume, flow_rate), one row per
 * meter and day, as `COLUMNS`. Implied flow is computed as the rules compute it: step / (milliseconds / 3,600,000).
 */
function summarySql(source: string): string {
  return `SELECT meter_id, china_day,
         min(read_at), min(cumulative_volume) FILTER (WHERE prev_at IS NULL), min(flow_rate) FILTER (WHERE prev_at IS NULL),
         max(read_at), min(cumulative_volume) FILTER (WHERE is_last), min(flow_rate) FILTER (WHERE is_last),
         count(*)::int,
         min(cumulative_volume - prev_total),
         max((cumulative_volume - prev_total) / ((extract(epoch FROM read_at - prev_at) * 1000)::float8 / 3600000))
           FILTER (WHERE cumulative_volume >= prev_total AND read_at > prev_at),
         (count(*) FILTER (WHERE abs(cumulative_volume - prev_total) <= ${FLAT_EPSILON}::float8 AND flow_rate > 0 AND prev_flow > 0))::int
    FROM (SELECT s.*, lag(read_at) OVER w AS prev_at, lag(cumulative_volume) OVER w AS prev_total, lag(flow_rate) OVER w AS prev_flow,
                 lead(read_at) OVER w IS NULL AS is_last
            FROM (SELECT meter_id, read_at, cumulative_volume, flow_rate, ${chinaDayOf('read_at')} AS china_day FROM ${source}) s
          WINDOW w AS (PARTITION BY meter_id, china_day ORDER BY read_at)) x
   GROUP BY meter_id, china_day
   ORDER BY meter_id, china_day`;
}

/**
 * The one merge of a batch's day summaries (EXCLUDED) into the stored ones (d), shared by both ingest paths.
 * First, last and count merge exactly in any order. The pair markers merge exactly when the batch's readings all
 * come after the stored last one (the pair joining them is added); otherwise the day is marked `unordered`.
 */
const MERGE = `ON CONFLICT (meter_id, china_day) DO UPDATE SET
    first_read_at = LEAST(d.first_read_at, EXCLUDED.first_read_at),
    first_total = CASE WHEN EXCLUDED.first_read_at < d.first_read_at THEN EXCLUDED.first_total ELSE d.first_total END,
    first_flow = CASE WHEN EXCLUDED.first_read_at < d.first_read_at THEN EXCLUDED.first_flow ELSE d.first_flow END,
    last_read_at = GREATEST(d.last_read_at, EXCLUDED.last_read_at),
    last_total = CASE WHEN EXCLUDED.last_read_at > d.last_read_at THEN EXCLUDED.last_total ELSE d.last_total END,
    last_flow = CASE WHEN EXCLUDED.last_read_at > d.last_read_at THEN EXCLUDED.last_flow ELSE d.last_flow END,
    reading_count = d.reading_count + EXCLUDED.reading_count,
    min_step = LEAST(d.min_step, EXCLUDED.min_step,
      CASE WHEN EXCLUDED.first_read_at > d.last_read_at THEN EXCLUDED.first_total - d.last_total END),
    max_rate = GREATEST(d.max_rate, EXCLUDED.max_rate,
      CASE WHEN EXCLUDED.first_read_at > d.last_read_at AND EXCLUDED.first_total >= d.last_total
           THEN (EXCLUDED.first_total - d.last_total) / ((extract(epoch FROM EXCLUDED.first_read_at - d.last_read_at) * 1000)::float8 / 3600000) END),
    flat_flowing_pairs = d.flat_flowing_pairs + EXCLUDED.flat_flowing_pairs
      + CASE WHEN EXCLUDED.first_read_at > d.last_read_at AND abs(EXCLUDED.first_total - d.last_total) <= ${FLAT_EPSILON}::float8
              AND EXCLUDED.first_flow > 0 AND d.last_flow > 0 THEN 1 ELSE 0 END,
    unordered = d.unordered OR EXCLUDED.first_read_at <= d.last_read_at
  RETURNING meter_id AS "meterId", china_day::text AS "chinaDay", unordered`;

/**
 * The `WITH` step that merges the summaries of `source` (a CTE of inserted readings) into `meter_day`, for the
 * set-based ingest statement: its rows are the days it touched (`meterId`, `chinaDay`, `unordered`).
 */
export const mergeDaysOf = (source: string) => `INSERT INTO meter_day AS d (${COLUMNS}) ${summarySql(source)} ${MERGE}`;

/** A day that needs {@link rebuildMeterDays} (returned by the merges). */
export interface TouchedDay {
  meterId: string;
  chinaDay: string;
  unordered: boolean;
}

type DaySummary = Omit<MeterDayRow, 'unordered'>;

/** A meter-day being summarised: its readings so far in time order, folded pair by pair. */
interface DayAcc {
  meterId: string;
  dayIndex: number;
  first: ReadingRow;
  last: ReadingRow;
  count: number;
  minStep: number | null;
  maxRate: number | null;
  flat: number;
  /** A reading came at or before `last`: the day is summarised again from its sorted readings. */
  unsorted: boolean;
}

/** Folds the pair (p, n), n after p, into `a` exactly as {@link summarySql} computes the pair markers. */
function addPair(a: DayAcc, p: ReadingRow, n: ReadingRow): void {
  const step = n.cumulativeVolume - p.cumulativeVolume;
  if (a.minStep === null || step < a.minStep) a.minStep = step;
  const ms = n.readAt.getTime() - p.readAt.getTime();
  if (n.cumulativeVolume >= p.cumulativeVolume && ms > 0) {
    const rate = step / (ms / 3_600_000);
    if (a.maxRate === null || rate > a.maxRate) a.maxRate = rate;
  }
  if (Math.abs(step) <= FLAT_EPSILON && (n.flowRate ?? 0) > 0 && (p.flowRate ?? 0) > 0) a.flat++;
}

/**
 * Day summaries of readings computed in Node exactly as {@link summarySql} computes them in SQL (same float
 * operations), for the COPY path, folded one reading at a time as ingest validates them (`add`); the readings of a
 * meter and day may come in any order and must be distinct. A feed sends each meter's readings in time order, so each
 * day is folded as its readings come; a day whose readings do not (rare) is summarised again from them sorted.
 */
export class DaySummaryFold {
  // Keyed by a number (meter's ordinal × 2^16 + China day serial, below 2^16 until 2149): no string per reading.
  private readonly ordinal = new Map<string, number>();
  private readonly days = new Map<number, DayAcc>();
  private readonly readings: ReadingRow[] = [];
  private unsorted = false;

  add(r: ReadingRow): void {
    this.readings.push(r);
    let m = this.ordinal.get(r.meterId);
    if (m === undefined) this.ordinal.set(r.meterId, (m = this.ordinal.size));
    const dayIndex = chinaDayIndex(r.readAt);
    const key = m * 65_536 + dayIndex;
    const a = this.days.get(key);
    if (!a) this.days.set(key, { meterId: r.meterId, dayIndex, first: r, last: r, count: 1, minStep: null, maxRate: null, flat: 0, unsorted: false });
    else if (r.readAt.getTime() > a.last.readAt.getTime()) {
      addPair(a, a.last, r);
      a.last = r;
      a.count++;
    } else a.unsorted = this.unsorted = true;
  }

  /** The summaries of every reading added, sorted by meter and day. */
  summaries(): DaySummary[] {
    const days = this.days;
    if (this.unsorted) {
      const again = new Map<number, ReadingRow[]>();
      for (const [key, a] of days) if (a.unsorted) again.set(key, []);
      for (const r of this.readings) again.get(this.ordinal.get(r.meterId)! * 65_536 + chinaDayIndex(r.readAt))?.push(r);
      for (const [key, g] of again) {
        g.sort((x, y) => x.readAt.getTime() - y.readAt.getTime());
        const a: DayAcc = { ...days.get(key)!, first: g[0], last: g[0], count: 1, minStep: null, maxRate: null, flat: 0 };
        for (let i = 1; i < g.length; i++) addPair(a, g[i - 1], g[i]);
        a.last = g[g.length - 1];
        a.count = g.length;
        days.set(key, a);
      }
    }
    // A batch's days are few and mostly the same one or two: each date string is made once.
    const dayText = new Map<number, string>();
    const out: DaySummary[] = [];
    for (const a of days.values()) {
      let chinaDay = dayText.get(a.dayIndex);
      if (chinaDay === undefined) dayText.set(a.dayIndex, (chinaDay = chinaDayByIndex(a.dayIndex).day));
      out.push({
        meterId: a.meterId,
        chinaDay,
        firstReadAt: a.first.readAt,
        firstTotal: a.first.cumulativeVolume,
        firstFlow: a.first.flowRate ?? null,
        lastReadAt: a.last.readAt,
        lastTotal: a.last.cumulativeVolume,
        lastFlow: a.last.flowRate ?? null,
        readingCount: a.count,
        minStep: a.minStep,
        maxRate: a.maxRate,
        flatFlowingPairs: a.flat,
      });
    }
    return out.sort((a, b) => (a.meterId < b.meterId ? -1 : a.meterId > b.meterId ? 1 : a.chinaDay < b.chinaDay ? -1 : a.chinaDay > b.chinaDay ? 1 : 0));
  }
}

/** {@link DaySummaryFold}'s summaries of `readings`. */
export function daySummariesOf(readings: readonly ReadingRow[]): DaySummary[] {
  const fold = new DaySummaryFold();
  for (const r of readings) fold.add(r);
  return fold.summaries();
}

/**
 * The COPY path's statement after its `COPY` (on a `pg` connection): merges the batch's day summaries
 * ({@link daySummariesOf}) with the one {@link MERGE} and moves each meter's `last_reading_at` to its latest summarised
 * reading, in one round trip. The summaries travel as twelve arrays in Postgres's binary format (src/platform/pg-binary.ts):
 * as text, formatting them in Node and parsing them on the server (the timestamps above all) cost about twice the upsert
 * itself. Its rows are only the days the merge marked `unordered` (for {@link rebuildUnordered}); null when there are no days.
 * Built apart from running it so that the COPY path can encode it while the server still stores the COPY's last rows.
 */
export function copiedDaysMerge(days: readonly DaySummary[]): { text: string; values: unknown[] } | null {
  if (!days.length) return null;
  return {
    text: `WITH src AS MATERIALIZED (
       SELECT * FROM unnest($1::uuid[], $2::date[], $3::timestamptz[], $4::float8[], $5::float8[], $6::timestamptz[], $7::float8[],
                            $8::float8[], $9::int[], $10::float8[], $11::float8[], $12::int[]) AS s(${COLUMNS})),
     upd AS (UPDATE meter t SET last_reading_at = v.at FROM (SELECT meter_id, max(last_read_at) AS at FROM src GROUP BY meter_id) v
              WHERE t.id = v.meter_id AND (t.last_reading_at IS NULL OR t.last_reading_at < v.at)),
     merged AS (INSERT INTO meter_day AS d (${COLUMNS}) SELECT * FROM src ${MERGE})
     SELECT * FROM merged WHERE unordered`,
    values: [
      uuidArray(days.map((d) => d.meterId)),
      dateArray(days.map((d) => d.chinaDay)),
      timestamptzArray(days.map((d) => d.firstReadAt)),
      float8Array(days.map((d) => d.firstTotal)),
      float8Array(days.map((d) => d.firstFlow)),
      timestamptzArray(days.map((d) => d.lastReadAt)),
      float8Array(days.map((d) => d.lastTotal)),
      float8Array(days.map((d) => d.lastFlow)),
      int4Array(days.map((d) => d.readingCount)),
      float8Array(days.map((d) => d.minStep)),
      float8Array(days.map((d) => d.maxRate)),
      int4Array(days.map((d) => d.flatFlowingPairs)),
    ],
  };
}

/**
 * Recomputes the summaries of `meterIds` on `days` (Asia/Shanghai dates; null: every day) from `meter_reading`:
 * after a late reading marked a day `unordered`, or after readings were written by other means than ingest
 * (a script, a restore). The stored rows are locked first, so a concurrent ingest's merge is either already
 * committed and counted, or comes after and merges on top; all in one transaction (the caller's, or its own).
 * Returns how many days it wrote.
 */
export async function rebuildMeterDays(m: Queryable, meterIds: readonly string[], days: readonly string[] | null = null): Promise<number> {
  if (!meterIds.length || (days && !days.length)) return 0;
  const params = days ? [meterIds, days] : [meterIds];
  // The days' overall span bounds the readings scan by constants too, so a partitioned meter_reading is pruned to those months.
  const sorted = days ? [...days].sort() : [];
  const span = days ? [sorted[0], sorted[sorted.length - 1]] : [];
  const keys = days ? `meter_id = ANY($1::uuid[]) AND china_day = ANY($2::date[])` : `meter_id = ANY($1::uuid[])`;
  return inTransaction(m, async (m) => {
    await m.query(`SELECT 1 FROM meter_day WHERE ${keys} FOR UPDATE`, params);
    await m.query(`DELETE FROM meter_day WHERE ${keys}`, params);
    const source = days
      ? `(SELECT r.* FROM unnest($1::uuid[]) AS k(id) CROSS JOIN unnest($2::date[]) AS g(day)
          JOIN meter_reading r ON r.meter_id = k.id
           AND r.read_at >= (g.day::timestamp - interval '8 hours') AT TIME ZONE 'UTC'
           AND r.read_at < (g.day::timestamp + interval '16 hours') AT TIME ZONE 'UTC'
         WHERE r.read_at >= ($3::date::timestamp - interval '8 hours') AT TIME ZONE 'UTC'
           AND r.read_at < ($4::date::timestamp + interval '16 hours') AT TIME ZONE 'UTC') src`
      : `(SELECT * FROM meter_reading WHERE meter_id = ANY($1::uuid[])) src`;
    const written = await rows<{ n: number }>(
      m,
      `WITH w AS (INSERT INTO meter_day (${COLUMNS}) ${summarySql(source)} RETURNING 1) SELECT count(*)::int AS n FROM w`,
      [...params, ...span],
    );
    return written[0]?.n ?? 0;
  });
}

/** Rebuilds the days of `touched` the merge marked `unordered` (see {@link rebuildMeterDays}). */
export async function rebuildUnordered(m: Queryable, touched: readonly TouchedDay[]): Promise<void> {
  const dirty = touched.filter((t) => t.unordered);
  if (!dirty.length) return;
  await rebuildMeterDays(m, [...new Set(dirty.map((t) => t.meterId))], [...new Set(dirty.map((t) => t.chinaDay))]);
}

const ROW = `meter_id AS "meterId", china_day::text AS "chinaDay", first_read_at AS "firstReadAt", first_total AS "firstTotal",
  first_flow AS "firstFlow", last_read_at AS "lastReadAt", last_total AS "lastTotal", last_flow AS "lastFlow",
  reading_count AS "readingCount", min_step AS "minStep", max_rate AS "maxRate", flat_flowing_pairs AS "flatFlowingPairs", unordered`;

/** The summaries of each meter on the Asia/Shanghai days `[from, to]` of its own range, by meter and day, in one statement. */
export function meterDaysIn(m: Queryable, ranges: { meterId: string; from: string; to: string }[]): Promise<MeterDayRow[]> {
  if (!ranges.length) return Promise.resolve([]);
  // The ranges' overall span bounds the scan by constants too, so only those months' partitions are read.
  let [from, to] = [ranges[0].from, ranges[0].to];
  for (const r of ranges) {
    if (r.from < from) from = r.from;
    if (r.to > to) to = r.to;
  }
  return rows<MeterDayRow>(
    m,
    `SELECT ${ROW} FROM unnest($1::uuid[], $2::date[], $3::date[]) AS w(id, f, t)
       JOIN meter_day d ON d.meter_id = w.id AND d.china_day >= w.f AND d.china_day <= w.t
      WHERE d.china_day >= $4::date AND d.china_day <= $5::date
      ORDER BY d.meter_id, d.china_day`,
    [ranges.map((r) => r.meterId), ranges.map((r) => r.from), ranges.map((r) => r.to), from, to],
  );
}

/** Every stored summary of `meterIds` (tests and checks compare them with {@link rebuildMeterDays}'s). */
export function meterDaysOf(m: Queryable, meterIds: readonly string[]): Promise<MeterDayRow[]> {
  return rows<MeterDayRow>(m, `SELECT ${ROW} FROM meter_day WHERE meter_id = ANY($1::uuid[]) ORDER BY meter_id, china_day`, [meterIds]);
}

/** The last reading of each meter before the Asia/Shanghai day `day` (at most one per meter), from the latest summarised day before it. */
export function lastReadingsBeforeDay(m: Queryable, meterIds: readonly string[], day: string): Promise<ReadingRow[]> {
  return rows<ReadingRow>(
    m,
    `SELECT k.id AS "meterId", d.last_read_at AS "readAt", d.last_total AS "cumulativeVolume", d.last_flow AS "flowRate"
       FROM unnest($1::uuid[]) AS k(id)
       CROSS JOIN LATERAL (SELECT * FROM meter_day x WHERE x.meter_id = k.id AND x.china_day < $2::date ORDER BY x.china_day DESC LIMIT 1) d`,
    [meterIds, day],
  );
}
