import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Queryable } from '../../platform/sql';
import { setCurrentRatings as setEnterpriseRatings } from '../enterprise/enterprise.repository';

/** Rows per multi-row statement: unnest takes one bind parameter per column, so only payload size limits it. */
const CHUNK = 5_000;

/**
 * A column to seed: name, Postgres type, one value per row. The type `text[]` or `uuid[]`
 * takes one JS array per row (rows may differ in length, which a 2-D unnest cannot carry,
 * so they travel as JSON arrays and become Postgres arrays here).
 */
export type SeedColumn = [name: string, type: string, values: unknown[]];

/** What a column is sent as, and the expression over `u.cN` that stores it. */
function column(type: string, i: number): { param: string; expr: string } {
  if (type === 'text[]' || type === 'uuid[]') return { param: 'jsonb', expr: `ARRAY(SELECT jsonb_array_elements_text(u.c${i}))::${type}` };
  return { param: type, expr: `u.c${i}` };
}

/**
 * Serialises concurrent seeders (the table lock is held to the end of the transaction) and
 * says whether the database already holds enterprises, in which case the seed backs off.
 */
export async function lockForSeeding(m: Queryable): Promise<boolean> {
  await m.query('LOCK TABLE enterprise IN SHARE ROW EXCLUSIVE MODE');
  const [{ present }] = (await m.query('SELECT EXISTS (SELECT 1 FROM enterprise) AS present')) as { present: boolean }[];
  return present;
}

/** `INSERT … SELECT … FROM unnest($1::t1[], $2::t2[], …)` in chunks; a column may map its value through an SQL expression over `u.cN`. */
export async function insertRows(m: Queryable, table: string, cols: SeedColumn[]): Promise<void> {
  const n = cols[0][2].length;
  const shapes = cols.map((c, i) => column(c[1], i));
  const sql = `INSERT INTO ${table} (${cols.map((c) => c[0]).join(', ')})
    SELECT ${shapes.map((s) => s.expr).join(', ')}
      FROM unnest(${shapes.map((s, i) => `$${i + 1}::${s.param}[]`).join(', ')}) AS u(${cols.map((_, i) => `c${i}`).join(', ')})`;
  const values = cols.map((c, i) => (shapes[i].param === 'jsonb' && c[1] !== 'jsonb' ? c[2].map((v) => JSON.stringify(v)) : c[2]));
  for (let i = 0; i < n; i += CHUNK) {
    await m.query(
      sql,
      values.map((v) => v.slice(i, i + CHUNK)),
    );
    await nextTurn(); // the seed runs while the hub serves: let /health answer between chunks
  }
}

/** Makes each rating its enterprise's current one, in chunks. */
export async function setCurrentRatings(m: Queryable, ratings: { enterpriseId: string; ratingId: string; grade: string }[]): Promise<void> {
  for (let i = 0; i < ratings.length; i += CHUNK) {
    await setEnterpriseRatings(m, ratings.slice(i, i + CHUNK));
    await nextTurn();
  }
}

/** The demo's scheduled simulator source (every 15 minutes). */
export function insertSimulatorSource(m: Queryable, config: object): Promise<unknown> {
  return m.query(`INSERT INTO data_source (name, connector, config, every_ms) VALUES ('demo-simulator', 'simulator', $1::jsonb, 900000)`, [
    JSON.stringify(config),
  ]);
}

/** Sets an enterprise's planned volume for the China-time year of `at`. */
export function setPlannedVolumeOfYear(m: Queryable, enterpriseId: string, at: Date, volume: number): Promise<unknown> {
  return m.query(
    `UPDATE water_plan SET planned_volume = $3 WHERE enterprise_id = $1 AND year = extract(year FROM $2::timestamptz AT TIME ZONE 'Asia/Shanghai')`,
    [enterpriseId, at, volume],
  );
}
