import type { Queryable } from '../../platform/sql';
import { rows } from '../../platform/sql';
import { chinaDayByIndex, chinaDayIndex } from '../../platform/china-time';
import { inTransaction } from '../../platform/context';
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

/**
 * Day summaries of `readings` computed in Node exactly as {@link summarySql} computes them in SQL (same float
 * operations), for the COPY path; the readings of a meter and day may come in any order and must be distinct.
 */
export function daySummariesOf(readings: readonly ReadingRow[]): Omit<MeterDayRow, 'unordered'>[] {
  // Keyed by meter and day number: a batch has far fewer meter-days than readings, each date is spelled once.
  const groups = new Map<string, ReadingRow[]>();
  for (const r of readings) {
    const key = `${r.meterId} ${chinaDayIndex(r.readAt)}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const out: Omit<MeterDayRow, 'unordered'>[] = [];
  for (const [key, g] of groups) {
    g.sort((a, b) => a.readAt.getTime() - b.readAt.getTime());
    let minStep: number | null = null;
    let maxRate: number | null = null;
    let flat = 0;
    for (let i = 1; i < g.length; i++) {
      const [p, n] = [g[i - 1], g[i]];
      const step = n.cumulativeVolume - p.cumulativeVolume;
      if (minStep === null || step < minStep) minStep = step;
      const ms = n.readAt.getTime() - p.readAt.getTime();
      if (n.cumulativeVolume >= p.cumulativeVolume && ms > 0) {
        const rate = step / (ms / 3_600_000);
        if (maxRate === null || rate > maxRate) maxRate = rate;
      }
      if (Math.abs(step) <= FLAT_EPSILON && (n.flowRate ?? 0) > 0 && (p.flowRate ?? 0) > 0) flat++;
    }
    const [first, last] = [g[0], g[g.length - 1]];
    out.push({
      meterId: first.meterId,
      chinaDay: chinaDayByIndex(Number(key.slice(key.indexOf(' ') + 1))).day,
      firstReadAt: first.readAt,
      firstTotal: first.cumulativeVolume,
      firstFlow: first.flowRate ?? null,
      lastReadAt: last.readAt,
      lastTotal: last.cumulativeVolume,
      lastFlow: last.flowRate ?? null,
      readingCount: g.length,
      minStep,
      maxRate,
      flatFlowingPairs: flat,
    });
  }
  return out.sort((a, b) => (a.meterId < b.meterId ? -1 : a.meterId > b.meterId ? 1 : a.chinaDay < b.chinaDay ? -1 : a.chinaDay > b.chinaDay ? 1 : 0));
}

/** The `unnest` that turns {@link daySummariesOf} rows into a relation of `COLUMNS`, and its parameters from `$offset + 1`. */
function summariesAsRelation(days: readonly Omit<MeterDayRow, 'unordered'>[], offset: number): { sql: string; params: unknown[] } {
  const p = (i: number) => `$${offset + i}`;
  return {
    sql: `SELECT * FROM unnest(${p(1)}::uuid[], ${p(2)}::date[], ${p(3)}::timestamptz[], ${p(4)}::float8[], ${p(5)}::float8[], ${p(6)}::timestamptz[],
                 ${p(7)}::float8[], ${p(8)}::float8[], ${p(9)}::int[], ${p(10)}::float8[], ${p(11)}::float8[], ${p(12)}::int[])`,
    params: [
      days.map((d) => d.meterId),
      days.map((d) => d.chinaDay),
      days.map((d) => d.firstReadAt),
      days.map((d) => d.firstTotal),
      days.map((d) => d.firstFlow),
      days.map((d) => d.lastReadAt),
      days.map((d) => d.lastTotal),
      days.map((d) => d.lastFlow),
      days.map((d) => d.readingCount),
      days.map((d) => d.minStep),
      days.map((d) => d.maxRate),
      days.map((d) => d.flatFlowingPairs),
    ],
  };
}

/**
 * The statement of the COPY path after its `COPY`: moves each meter's `last_reading_at` to `latest` and merges the
 * batch's day summaries ({@link daySummariesOf}) with the one {@link MERGE}, in one round trip. Returns the days touched.
 */
export function mergeCopiedDays(
  m: Queryable,
  latest: { meterIds: string[]; at: Date[] },
  days: readonly Omit<MeterDayRow, 'unordered'>[],
): Promise<TouchedDay[]> {
  const rel = summariesAsRelation(days, 2);
  return rows<TouchedDay>(
    m,
    `WITH upd AS (UPDATE meter t SET last_reading_at = v.at FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at)
                   WHERE t.id = v.id AND (t.last_reading_at IS NULL OR t.last_reading_at < v.at))
     INSERT INTO meter_day AS d (${COLUMNS}) ${rel.sql} ${MERGE}`,
    [latest.meterIds, latest.at, ...rel.params],
  );
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
