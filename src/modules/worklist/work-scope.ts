import { jurisdictionPrefixes } from '../../platform/auth/principal';
import type { Principal } from '../../platform/auth/principal';

/**
 * The jurisdiction condition of a work source's statement: `column LIKE ANY(prefixes)` for each
 * of `columns` (OR-ed: an item is in scope when any of its regions is), its value appended to
 * `params`; `TRUE` for a caller who sees every region (the SYSTEM, an unscoped credit authority).
 *
 * @example const where = inJurisdiction(ctx.principal, ['e.region_code'], params); // "(e.region_code LIKE ANY($2::text[]))"
 */
export function inJurisdiction(p: Principal, columns: readonly string[], params: unknown[]): string {
  const prefixes = jurisdictionPrefixes(p);
  if (prefixes === null) return 'TRUE';
  params.push(prefixes.map((pre) => `${pre}%`));
  const n = params.length;
  return `(${columns.map((c) => `${c} LIKE ANY($${n}::text[])`).join(' OR ')})`;
}
