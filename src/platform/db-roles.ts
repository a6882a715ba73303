/**
 * The two database roles of a server deployment (issue 11 item 4): the owner runs migrations (it owns every table, so it
 * can alter them); the runtime role the hub serves with reads and writes business tables, but on the append-only tables
 * may only INSERT and SELECT: it cannot UPDATE, DELETE, TRUNCATE, ALTER (DISABLE TRIGGER), DROP, nor (not a superuser)
 * `SET session_replication_role`. The audit chain's head row it may read and move on (UPDATE), nothing more.
 */

/** Tables the runtime role may only append to and read (a revocation is not undone by the hub's own role). */
export const APPEND_ONLY_TABLES = ['audit_log', 'token_revocation'] as const;
/** Rows the runtime role locks and updates but never inserts or deletes. */
export const UPDATE_ONLY_TABLES = ['audit_chain_head'] as const;
/** Read only at runtime (the owner migrates). */
export const READ_ONLY_TABLES = ['hub_migrations'] as const;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const quote = (name: string, what: string): string => {
  if (!IDENT.test(name)) throw new Error(`${what} "${name}": letters, digits and _ only (a SQL identifier), at most 63 characters`);
  return `"${name}"`;
};

/** The GRANT/REVOKE statements that give `role` the runtime rights on `schema`'s tables; idempotent, re-run after each migration. */
export function runtimeGrants(role: string, schema: string): string[] {
  const r = quote(role, 'role');
  const s = quote(schema, 'schema');
  return [
    `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
    `REVOKE CREATE ON SCHEMA ${s} FROM ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${r}`,
    `REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA ${s} FROM ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`,
    ...APPEND_ONLY_TABLES.map((t) => `REVOKE UPDATE, DELETE ON ${s}.${t} FROM ${r}`),
    ...UPDATE_ONLY_TABLES.map((t) => `REVOKE INSERT, DELETE ON ${s}.${t} FROM ${r}`),
    ...READ_ONLY_TABLES.map((t) => `REVOKE INSERT, UPDATE, DELETE ON ${s}.${t} FROM ${r}`),
    // The scheduler makes meter_reading's month partitions ahead through this SECURITY DEFINER function, and nothing else of DDL.
    `GRANT EXECUTE ON FUNCTION ${s}.meter_reading_ensure_partitions(integer) TO ${r}`,
  ];
}

/** The user name of a postgres:// URL (the role it connects as), if it names one. */
export function roleOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).username) || undefined;
  } catch {
    return undefined;
  }
}
