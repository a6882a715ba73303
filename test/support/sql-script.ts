import type { Queryable } from '../../src/platform/sql';

/**
 * Runs the `;`-separated statements of `sql` one by one (seed scripts of benchmarks and tests),
 * each with only the parameters it names, renumbered $1…$n: `all[k - 1]` is `$k` of the script.
 */
export async function runStatements(m: Queryable, sql: string, all: unknown[]): Promise<void> {
  for (const stmt of sql
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const used = [...new Set([...stmt.matchAll(/\$(\d)/g)].map((x) => Number(x[1])))].sort();
    await m.query(
      stmt.replace(/\$(\d)/g, (_, d) => `$${used.indexOf(Number(d)) + 1}`),
      used.map((d) => all[d - 1]),
    );
  }
}
