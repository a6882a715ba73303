import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';

/** A list filter of received items (reports, tips): the caller's jurisdiction and a status. */
export interface IntakeFilter<S extends string> {
  /** Region prefixes of the caller's jurisdiction; null: every region. */
  scope: string[] | null;
  status?: S | null;
}

/**
 * The list queries of a table of received items (a `received_at`, a `status` with 'RECEIVED'
 * while unverified, an `enterprise_id`): counted and paged by jurisdiction and status, oldest first,
 * and the unverified ones received in a time range (whose deadlines a calendar load recomputes).
 * `columns` selects the row type's fields from the table under `alias`.
 */
export function intakeLists<Row, S extends string>(table: string, alias: string, columns: string) {
  const from = `${table} ${alias} JOIN enterprise e ON e.id = ${alias}.enterprise_id`;
  /** The WHERE conditions of a filter, their values appended to `params`. */
  const conditions = (f: IntakeFilter<S>, params: unknown[]): string[] => {
    const where: string[] = [];
    if (f.scope) {
      params.push(f.scope.map((p) => `${p}%`));
      where.push(`e.region_code LIKE ANY($${params.length}::text[])`);
    }
    if (f.status) {
      params.push(f.status);
      where.push(`${alias}.status = $${params.length}`);
    }
    return where;
  };
  const whereOf = (where: string[]) => (where.length ? `WHERE ${where.join(' AND ')}` : '');
  return {
    /** How many match a filter (for `totalCount`). */
    count: async (m: Queryable, f: IntakeFilter<S>): Promise<number> => {
      const params: unknown[] = [];
      const row = await one<{ n: number }>(m, `SELECT count(*)::int AS n FROM ${from} ${whereOf(conditions(f, params))}`, params);
      return row?.n ?? 0;
    },
    /** A page, oldest first, `limit + 1` rows after the cursor (received_at, id). */
    page: (m: Queryable, f: IntakeFilter<S>, limit: number, after?: { at: Date; id: string }): Promise<Row[]> => {
      const params: unknown[] = [limit + 1];
      const where = conditions(f, params);
      if (after) {
        params.push(after.at, after.id);
        where.push(`(${alias}.received_at, ${alias}.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
      }
      return rows<Row>(m, `SELECT ${columns} FROM ${from} ${whereOf(where)} ORDER BY ${alias}.received_at, ${alias}.id LIMIT $1`, params);
    },
    /** Unverified items received in `[from, to)`: their deadlines are open. */
    openReceivedIn: (m: Queryable, fromAt: Date, to: Date): Promise<Row[]> => {
      return rows<Row>(
        m,
        `SELECT ${columns} FROM ${table} ${alias} WHERE ${alias}.status = 'RECEIVED' AND ${alias}.received_at >= $1 AND ${alias}.received_at < $2 ORDER BY ${alias}.id`,
        [fromAt, to],
      );
    },
  };
}
