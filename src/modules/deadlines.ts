import type { HubContext } from './context';

/**
 * Recomputes the open deadlines of one domain that reach into `year`, inside the caller's
 * transaction, after an administrator loaded that year's official calendar (until then they
 * were computed on the statutory fallback and marked provisional). Returns how many changed.
 */
export type DeadlineRecomputer = (ctx: HubContext, year: number) => Promise<number>;

const recomputers = new Map<string, DeadlineRecomputer>();

/**
 * Registers a domain's recomputer under `name` (registering a name again replaces it). The
 * domain registers at module load: fines (enforcement), repair decisions (next issue), …
 *
 * @example registerDeadlineRecomputer('enforcement_fine', (ctx, year) => recomputeFineDues(ctx, year));
 */
export function registerDeadlineRecomputer(name: string, fn: DeadlineRecomputer): void {
  recomputers.set(name, fn);
}

/**
 * Runs every registered recomputer for `year`, one after another (one connection per
 * transaction), in `ctx`'s transaction: `calendarService.loadYear` calls it. Returns the number
 * of deadlines each changed, by name.
 */
export async function recomputeDeadlines(ctx: HubContext, year: number): Promise<Record<string, number>> {
  const changed: Record<string, number> = {};
  for (const [name, fn] of recomputers) changed[name] = await fn(ctx, year);
  return changed;
}
