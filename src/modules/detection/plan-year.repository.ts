import os from 'node:os';
import type { Queryable } from '../../platform/sql';
import { rows } from '../../platform/sql';
import type { PlanYearState } from './detection.rules';

/**
 * Plan-year states cached by detection (`meter_plan_year`, migration 1733080000000): per meter and plan year, the
 * {@link PlanYearState} after the daily first/last points of the China days up to `throughDay`. A row is valid while
 * the meter's `meter_day_epoch` is the one it was written with (triggers on `meter_day` move it when a day before
 * yesterday changes) and it was computed with the same wrap and rollback thresholds.
 */
export interface CachedPlanYear {
  meterId: string;
  /** The meter's epoch now (0: never moved): what a state computed from days read after this is written with. */
  epoch: string;
  /**
   * The valid cached state and its last day (`YYYY-MM-DD`), or null. `partial`: its `daily` was not read (empty): the
   * state's volume and points are whole, its days are not, so it is not to be cached again.
   */
  cached: { throughDay: string; state: PlanYearState; partial: boolean } | null;
}

interface CacheRow {
  meterId: string;
  epoch: string;
  throughDay: string | null;
  volume: number | null;
  beforeAt: Date | null;
  beforeTotal: number | null;
  firstAt: Date | null;
  firstTotal: number | null;
  lastAt: Date | null;
  lastTotal: number | null;
  daily: Uint8Array | null;
}

const point = (at: Date | null, v: number | null) => (at === null || v === null ? null : { t: at.getTime(), v });

/** Whether this platform's Float64Array is little-endian (every platform Node runs on is; the loops below are the fallback). */
const LITTLE_ENDIAN = os.endianness() === 'LE';

/** Little-endian float8s, one per day from the year's first. */
function decodeDaily(bytes: Uint8Array): number[] {
  // new Uint8Array(bytes) copies: its own buffer, aligned for a Float64Array.
  if (LITTLE_ENDIAN) return Array.from(new Float64Array(new Uint8Array(bytes).buffer, 0, bytes.byteLength >> 3));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number>(bytes.byteLength >> 3);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

function encodeDaily(daily: readonly number[]): string {
  if (LITTLE_ENDIAN) return Buffer.from(Float64Array.from(daily).buffer).toString('base64');
  const b = Buffer.allocUnsafe(daily.length * 8);
  for (let i = 0; i < daily.length; i++) b.writeDoubleLE(daily[i], i * 8);
  return b.toString('base64');
}

/**
 * Each meter's epoch and valid cached state for `year` under `th`'s wrap and tolerance, in one statement. Read it
 * before the days the states continue from, so a change committed in between leaves a state written with a stale epoch.
 * `daily` (2.9 KB a meter by the year's end) is read for the meters `whole` and for those whose state ends before
 * `lagBefore` (to be cached again), else left out (`partial`).
 */
export async function cachedPlanYears(
  m: Queryable,
  meterIds: readonly string[],
  year: number,
  th: { counterWrapM3: number; rollbackToleranceM3: number },
  days: { whole: readonly string[]; lagBefore: string } | null = null,
): Promise<CachedPlanYear[]> {
  if (!meterIds.length) return [];
  const found = await rows<CacheRow>(
    m,
    `SELECT k.id AS "meterId", coalesce(e.epoch, 0)::text AS epoch, c.through_day::text AS "throughDay", c.volume,
            c.before_at AS "beforeAt", c.before_total AS "beforeTotal", c.first_at AS "firstAt", c.first_total AS "firstTotal",
            c.last_at AS "lastAt", c.last_total AS "lastTotal",
            CASE WHEN $5::uuid[] IS NULL OR k.id = ANY($5::uuid[]) OR c.through_day < $6::date THEN c.daily END AS daily
       FROM unnest($1::uuid[]) AS k(id)
       LEFT JOIN meter_day_epoch e ON e.meter_id = k.id
       LEFT JOIN meter_plan_year c ON c.meter_id = k.id AND c.year = $2 AND c.epoch = coalesce(e.epoch, 0)
                                  AND c.wrap_m3 = $3::float8 AND c.tolerance_m3 = $4::float8`,
    [meterIds, year, th.counterWrapM3, th.rollbackToleranceM3, days?.whole ?? null, days?.lagBefore ?? null],
  );
  return found.map((r) => ({
    meterId: r.meterId,
    epoch: r.epoch,
    cached:
      r.throughDay === null
        ? null
        : {
            throughDay: r.throughDay,
            partial: r.daily === null,
            state: {
              volume: r.volume,
              before: point(r.beforeAt, r.beforeTotal),
              first: point(r.firstAt, r.firstTotal),
              last: point(r.lastAt, r.lastTotal),
              daily: r.daily === null ? [] : decodeDaily(r.daily),
            },
          },
  }));
}

/** A state to cache: `meterId`'s plan year `year` through `throughDay`, computed from days read after its epoch was. */
export interface PlanYearWrite {
  meterId: string;
  epoch: string;
  throughDay: string;
  state: PlanYearState;
}

/**
 * Caches `states` for `year` under `th` in one statement; a stored row is replaced only by a later day or another
 * epoch or thresholds (an older `asOf` never moves a row back).
 */
export async function cachePlanYears(
  m: Queryable,
  year: number,
  th: { counterWrapM3: number; rollbackToleranceM3: number },
  states: readonly PlanYearWrite[],
): Promise<void> {
  if (!states.length) return;
  const at = (p: { t: number } | null) => (p ? new Date(p.t) : null);
  await m.query(
    `INSERT INTO meter_plan_year AS c (meter_id, year, through_day, epoch, wrap_m3, tolerance_m3, volume, before_at, before_total,
                                       first_at, first_total, last_at, last_total, daily)
     SELECT id, $2, through, epoch, $3::float8, $4::float8, volume, before_at, before_total, first_at, first_total, last_at, last_total,
            decode(daily, 'base64')
       FROM unnest($1::uuid[], $5::date[], $6::bigint[], $7::float8[], $8::timestamptz[], $9::float8[], $10::timestamptz[], $11::float8[],
                   $12::timestamptz[], $13::float8[], $14::text[])
            AS v(id, through, epoch, volume, before_at, before_total, first_at, first_total, last_at, last_total, daily)
     ON CONFLICT (meter_id, year) DO UPDATE SET
       through_day = EXCLUDED.through_day, epoch = EXCLUDED.epoch, wrap_m3 = EXCLUDED.wrap_m3, tolerance_m3 = EXCLUDED.tolerance_m3,
       volume = EXCLUDED.volume, before_at = EXCLUDED.before_at, before_total = EXCLUDED.before_total,
       first_at = EXCLUDED.first_at, first_total = EXCLUDED.first_total, last_at = EXCLUDED.last_at, last_total = EXCLUDED.last_total,
       daily = EXCLUDED.daily
     WHERE c.through_day < EXCLUDED.through_day OR c.epoch <> EXCLUDED.epoch
        OR c.wrap_m3 <> EXCLUDED.wrap_m3 OR c.tolerance_m3 <> EXCLUDED.tolerance_m3`,
    [
      states.map((s) => s.meterId),
      year,
      th.counterWrapM3,
      th.rollbackToleranceM3,
      states.map((s) => s.throughDay),
      states.map((s) => s.epoch),
      states.map((s) => s.state.volume),
      states.map((s) => at(s.state.before)),
      states.map((s) => s.state.before?.v ?? null),
      states.map((s) => at(s.state.first)),
      states.map((s) => s.state.first?.v ?? null),
      states.map((s) => at(s.state.last)),
      states.map((s) => s.state.last?.v ?? null),
      states.map((s) => encodeDaily(s.state.daily)),
    ],
  );
}

/**
 * Each meter's epoch and its cached first reading when still valid (the epoch it was cached with), in one statement, to
 * read before the summaries a missing one comes from.
 */
export async function cachedFirstReadings(m: Queryable, meterIds: readonly string[]): Promise<{ meterId: string; epoch: string; firstReadAt: Date | null }[]> {
  if (!meterIds.length) return [];
  return rows(
    m,
    `SELECT k.id AS "meterId", coalesce(e.epoch, 0)::text AS epoch, f.first_read_at AS "firstReadAt"
       FROM unnest($1::uuid[]) AS k(id)
       LEFT JOIN meter_day_epoch e ON e.meter_id = k.id
       LEFT JOIN meter_first_reading f ON f.meter_id = k.id AND f.epoch = coalesce(e.epoch, 0)`,
    [meterIds],
  );
}

/** Caches first readings (each on a settled day, read after `epoch` was). */
export async function cacheFirstReadings(m: Queryable, found: readonly { meterId: string; epoch: string; firstReadAt: Date }[]): Promise<void> {
  if (!found.length) return;
  await m.query(
    `INSERT INTO meter_first_reading AS f (meter_id, epoch, first_read_at)
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[])
     ON CONFLICT (meter_id) DO UPDATE SET epoch = EXCLUDED.epoch, first_read_at = EXCLUDED.first_read_at WHERE f.epoch <> EXCLUDED.epoch`,
    [found.map((f) => f.meterId), found.map((f) => f.epoch), found.map((f) => f.firstReadAt)],
  );
}
