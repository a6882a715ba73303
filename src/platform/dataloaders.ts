import DataLoader from 'dataloader';
import { byKey, groupBy } from './sql';

/**
 * The three shapes of per-request DataLoader the domains build theirs from (each domain's `*.loaders.ts`):
 * a list per parent, one row per id, and a list per parent for loads that share arguments (a window, a page).
 */

/** The rows of each parent id (`keyOf` names a row's parent), one statement per batch. */
export function groupLoader<R>(fetch: (ids: readonly string[]) => Promise<R[]>, keyOf: (r: R) => string): DataLoader<string, R[]> {
  return new DataLoader<string, R[]>(async (ids) => groupBy(ids, await fetch(ids), keyOf));
}

/** The row of each id, or null, one statement per batch. */
export function singleLoader<R>(fetch: (ids: readonly string[]) => Promise<R[]>, keyOf: (r: R) => string): DataLoader<string, R | null> {
  return new DataLoader<string, R | null>(async (ids) => byKey(ids, await fetch(ids), keyOf));
}

/** Groups loads that share arguments (a window, a limit) so each group is one statement. */
export function argLoader<A, R>(fetch: (ids: readonly string[], args: A) => Promise<R[]>, keyOf: (r: R) => string): (id: string, args: A) => Promise<R[]> {
  const byArgs = new Map<string, DataLoader<string, R[]>>();
  return (id: string, args: A): Promise<R[]> => {
    const k = JSON.stringify(args);
    let l = byArgs.get(k);
    if (!l) {
      l = new DataLoader(async (ids) => groupBy(ids, await fetch(ids, args), keyOf));
      byArgs.set(k, l);
    }
    return l.load(id);
  };
}
