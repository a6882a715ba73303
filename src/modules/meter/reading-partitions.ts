import type { Queryable } from '../../platform/sql';
import { rows } from '../../platform/sql';
import { CHINA_OFFSET_MS, chinaDateString } from '../../platform/china-time';

/**
 * The month partitions of `meter_reading` (migration 1733040000000): made ahead by the
 * scheduler, listed and detached for archive by `hub readings …` over the owner's connection.
 */

/** China months created ahead of the current one (readings are never more than minutes ahead). */
export const PARTITION_MONTHS_AHEAD = 3;
/** Months kept attached before `detach` may take one without `--force`: two plan years (this one's detection reads back into the last). */
export const KEEP_MONTHS = 24;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Creates this China month's partition and the next `ahead` (and any month with rows in the default partition); returns how many it made. */
export async function ensureReadingPartitions(m: Queryable, ahead = PARTITION_MONTHS_AHEAD): Promise<number> {
  const [r] = await rows<{ made: number }>(m, `SELECT meter_reading_ensure_partitions($1) AS made`, [ahead]);
  return r?.made ?? 0;
}

export interface ReadingPartition {
  name: string;
  kind: 'HISTORY' | 'MONTH' | 'DEFAULT';
  /** 'YYYY-MM' of a month partition; null for the history and default partitions. */
  month: string | null;
  /** Attached: the China month its range ends before ('YYYY-MM'; null for the default partition). */
  before: string | null;
  attached: boolean;
  /** Estimated rows (planner statistics; exact after ANALYZE). */
  rows: number;
  bytes: number;
}

/** Attached partitions in range order, then month tables detached for archive. */
export async function listReadingPartitions(m: Queryable): Promise<ReadingPartition[]> {
  const found = await rows<{ name: string; attached: boolean; before: string | null; rows: string; bytes: string }>(
    m,
    `SELECT c.relname AS name, i.inhrelid IS NOT NULL AS attached,
            to_char((regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS before,
            greatest(c.reltuples, 0)::bigint AS rows, pg_total_relation_size(c.oid) AS bytes
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
       LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = 'meter_reading'::regclass
      WHERE c.relkind = 'r' AND (c.relname ~ '^meter_reading_p[0-9]{6}$' OR c.relname IN ('meter_reading_history', 'meter_reading_default'))`,
  );
  const parts = found.map((r): ReadingPartition => {
    const kind = r.name === 'meter_reading_history' ? 'HISTORY' : r.name === 'meter_reading_default' ? 'DEFAULT' : 'MONTH';
    return {
      name: r.name,
      kind,
      month: kind === 'MONTH' ? `${r.name.slice(-6, -2)}-${r.name.slice(-2)}` : null,
      before: r.attached ? r.before : null,
      attached: r.attached,
      rows: Number(r.rows),
      bytes: Number(r.bytes),
    };
  });
  const rank = (p: ReadingPartition) => `${p.attached ? 0 : 1}${p.kind === 'HISTORY' ? '0' : p.kind === 'MONTH' ? `1${p.month}` : '2'}`;
  return parts.sort((a, b) => rank(a).localeCompare(rank(b)));
}

/** 'YYYY-MM' of a valid month, else undefined. */
export function parseMonth(s: string): string | undefined {
  return MONTH.test(s.trim()) ? s.trim() : undefined;
}

/** The China month of `at`, 'YYYY-MM'. */
export function chinaMonthOf(at: Date): string {
  return chinaDateString(at).slice(0, 7);
}

/** The first instant of China month `month` ('YYYY-MM'). */
export function monthStart(month: string): Date {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1) - CHINA_OFFSET_MS);
}

/** `month` moved by `n` months. */
export function addMonths(month: string, n: number): string {
  const [y, mo] = month.split('-').map(Number);
  const k = y * 12 + (mo - 1) + n;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

/** Why a detach was refused: a month still needed, or nothing to detach. Bilingual, like every message an officer reads. */
export class PartitionDetachRefused extends Error {}

export interface DetachOptions {
  /** Detaching reaches months the rules still read (within KEEP_MONTHS of now): allowed, except this month and later. */
  force?: boolean;
  now?: Date;
}

/**
 * Detaches every attached month partition before `before` ('YYYY-MM'), oldest first; each
 * becomes a plain table of the same name, to dump (`pg_dump -t`) and drop. The history
 * partition goes too when `before` is past its bound; each with its month of daily summaries (`meter_day_…`). Runs on the
 * owner's connection. Returns the names detached.
 */
export async function detachReadingPartitions(m: Queryable, before: string, o: DetachOptions = {}): Promise<string[]> {
  const month = parseMonth(before);
  if (!month) throw new PartitionDetachRefused(`月份格式应为 YYYY-MM，而不是 "${before}" / the month must be YYYY-MM, not "${before}"`);
  const current = chinaMonthOf(o.now ?? new Date());
  const keepFrom = addMonths(current, -KEEP_MONTHS + 1);
  const limit = o.force ? current : keepFrom;
  if (month > limit)
    throw new PartitionDetachRefused(
      o.force
        ? `不能拆离本月（${current}）及以后的分区 / partitions of this month (${current}) and later cannot be detached`
        : `${keepFrom} 起的 ${KEEP_MONTHS} 个月仍被信用规则使用；早于 ${keepFrom} 的月份才可拆离（确需拆离请加 --force） / the ${KEEP_MONTHS} months from ${keepFrom} are still read by the rules: only months before ${keepFrom} may be detached (--force to override)`,
    );
  // A month partition goes when its month is before `month`; the history partition when all it holds is.
  const targets = (await listReadingPartitions(m)).filter(
    (p) => p.attached && ((p.kind === 'MONTH' && p.month! < month) || (p.kind === 'HISTORY' && p.before !== null && p.before <= month)),
  );
  if (!targets.length) throw new PartitionDetachRefused(`${month} 之前没有已挂载的分区 / no attached partition before ${month}`);
  await m.query(`SET lock_timeout = '5s'`);
  // The month's daily summaries (meter_day_pYYYYMM, meter_day_history) go with it: they would describe readings the hub no longer has.
  const summaries = new Set(
    (
      await rows<{ name: string }>(
        m,
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass('meter_day')`,
      )
    ).map((r) => r.name),
  );
  const detached: string[] = [];
  for (const p of targets) {
    await m.query(`ALTER TABLE meter_reading DETACH PARTITION "${p.name}"`);
    detached.push(p.name);
    const days = p.name.replace(/^meter_reading_/, 'meter_day_');
    if (summaries.has(days)) {
      await m.query(`ALTER TABLE meter_day DETACH PARTITION "${days}"`);
      detached.push(days);
    }
  }
  // Detection's cached plan-year states and first readings (meter_plan_year, meter_first_reading) may count the days that went: it computes them again. Every detection
  // that read them held meter_day against the detach until it committed, so no state of the old days is written after this.
  await m.query(`DELETE FROM meter_plan_year`);
  await m.query(`DELETE FROM meter_first_reading`);
  return detached;
}
