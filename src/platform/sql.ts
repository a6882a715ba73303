/** Anything that runs a parameterised statement: a context's `db`, a transaction's manager. */
export interface Queryable {
  // TypeORM's own signature (EntityManager.query answers Promise<any>); rows()/one() below give callers a type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, params?: unknown[]): Promise<any>;
}

/**
 * Runs a hot read as a named prepared statement where the handle can (a request's handle outside a transaction, on
 * the server database: parsed and planned once per connection), else as {@link rows} does. For statements whose text
 * takes a handful of shapes (the dashboard's page): each shape is kept prepared on every connection of the pool.
 */
export function preparedRows<T>(m: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const prepared = (m as { prepared?: (sql: string, params: unknown[]) => Promise<T[]> | undefined }).prepared?.(sql, params);
  return prepared ?? rows<T>(m, sql, params);
}

/** Runs one parameterised statement and returns its rows. */
export async function rows<T>(m: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const result: unknown = await m.query(sql, params);
  // TypeORM answers UPDATE/DELETE … RETURNING with [rows, rowCount]; rows are objects otherwise.
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

export async function one<T>(m: Queryable, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await rows<T>(m, sql, params))[0];
}

/** AND-ed conditions whose `?` becomes the next numbered parameter as each is added. */
export class Conditions {
  readonly params: unknown[] = [];
  private readonly parts: string[] = [];
  add(sql: string, value: unknown): this {
    this.parts.push(sql.replace('?', `$${this.params.push(value)}`));
    return this;
  }
  get sql(): string {
    return this.parts.length ? this.parts.join(' AND ') : 'TRUE';
  }
}

/**
 * The enterprises (or other parents) a bulk read is for: a list of ids, or every id from `from`
 * to `to` (a keyset batch that holds all of them: one index range scan instead of a probe per id).
 */
export type IdSet = readonly string[] | { from: string; to: string };

/** The condition that `column` is in `set`, with its parameters numbered from `$n`. */
export function inIdSet(column: string, set: IdSet, n = 1): { sql: string; params: unknown[] } {
  return 'from' in set
    ? { sql: `${column} BETWEEN $${n}::uuid AND $${n + 1}::uuid`, params: [set.from, set.to] }
    : { sql: `${column} = ANY($${n}::uuid[])`, params: [set] };
}

/** Groups rows by a key, keeping the order of `keys` (DataLoader contract). */
export function groupBy<T>(keys: readonly string[], items: T[], keyOf: (t: T) => string): T[][] {
  const map = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const it of items) map.get(keyOf(it))?.push(it);
  return keys.map((k) => map.get(k) ?? []);
}

export function byKey<T>(keys: readonly string[], items: T[], keyOf: (t: T) => string): (T | null)[] {
  const map = new Map(items.map((t) => [keyOf(t), t]));
  return keys.map((k) => map.get(k) ?? null);
}

/** Opaque cursors: base64url of the sort key. */
export const encodeCursor = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
export const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');
