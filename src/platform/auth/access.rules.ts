import { Principal, Role, jurisdictionPrefixes } from './principal';

/** What an enterprise row needs for an access decision. */
export interface Scoped {
  creditCode: string;
  regionCode: string;
}

/** Whether `p`'s jurisdiction covers the enterprise (before role limits on what it may see). */
export function inScope(p: Principal, e: Scoped): boolean {
  if (p.role === 'ENTERPRISE') return p.creditCode === e.creditCode;
  const prefixes = jurisdictionPrefixes(p);
  return prefixes === null || prefixes.some((pre) => e.regionCode.startsWith(pre));
}

/** Roles that supervise: they may register, record and see internal data within their jurisdiction. */
export const SUPERVISORS = ['PROVINCE_AUTHORITY', 'CITY_AUTHORITY', 'COUNTY_AUTHORITY'] as const satisfies readonly Role[];
/** Roles that grade enterprises: the supervisors and the credit authority. */
export const EVALUATORS = [...SUPERVISORS, 'CREDIT_AUTHORITY'] as const satisfies readonly Role[];
/** Roles that may read internal data (see {@link mayReadInternal}). */
export const INTERNAL_READERS = [...SUPERVISORS, 'CREDIT_AUTHORITY', 'ENTERPRISE'] as const satisfies readonly Role[];
/** Roles that may see personal data unmasked (see {@link mayReadPersonal}). */
export const PERSONAL_READERS = [...SUPERVISORS, 'ENTERPRISE'] as const satisfies readonly Role[];

/** Whether `p`'s role is one of `roles`. */
export function hasRole(p: Principal, roles: readonly Role[]): boolean {
  return (roles as readonly string[]).includes(p.role);
}

/**
 * Internal data (meters, readings, plans, candidate violations, non-active records):
 * supervisors and the credit authority in scope, and the enterprise itself.
 */
export function mayReadInternal(p: Principal, e: Scoped): boolean {
  return hasRole(p, INTERNAL_READERS) && inScope(p, e);
}

/** Personal data unmasked: the supervising authority in scope and the enterprise itself. Such reads are audited. */
export function mayReadPersonal(p: Principal, e: Scoped): boolean {
  return hasRole(p, PERSONAL_READERS) && inScope(p, e);
}

/**
 * Evaluation results (ratings, their history, the grade filter): the enterprise itself,
 * the authorities and partner agencies in scope. Anyone else needs the enterprise's
 * written authorisation (Art. 23), which the hub does not hold, so the public sees none.
 */
export function mayReadRating(p: Principal, e: Scoped): boolean {
  return p.role !== 'PUBLIC' && inScope(p, e);
}

/** Writes about an enterprise: supervising authorities in scope. */
export function mayWrite(p: Principal, e: Scoped): boolean {
  return hasRole(p, SUPERVISORS) && inScope(p, e);
}

/** Whether `p`'s jurisdiction covers a region (the SYSTEM: every region; an enterprise, the public, the administrators and unscoped agencies: none). */
export function coversRegion(p: Principal, regionCode: string): boolean {
  if (p.role === 'ENTERPRISE' || p.role === 'PUBLIC') return false;
  const prefixes = jurisdictionPrefixes(p);
  if (prefixes === null) return p.role === 'SYSTEM';
  return prefixes.some((pre) => regionCode.startsWith(pre));
}

/**
 * Determining a record (Art. 7, 9): a supervising authority whose jurisdiction covers the region
 * where the conduct happened, wherever the enterprise is registered ("谁监管、谁认定"). With the
 * conduct in the registration region this is {@link mayWrite}.
 */
export function mayDetermine(p: Principal, _e: Scoped, conductRegionCode: string): boolean {
  return hasRole(p, SUPERVISORS) && coversRegion(p, conductRegionCode);
}

/** What a record needs for an access decision besides its enterprise. */
export interface RecordScope {
  conductRegionCode: string;
  determiningRegionCode: string;
}

/**
 * A record's internal facts (description, the officer who determined it, letters, a non-active
 * record): whoever may read the enterprise's internal data, and the supervising authority of the
 * conduct region or of the determining authority (Art. 9: it determined the record).
 */
export function mayReadRecordInternal(p: Principal, e: Scoped, r: RecordScope): boolean {
  if (mayReadInternal(p, e)) return true;
  return hasRole(p, SUPERVISORS) && (coversRegion(p, r.conductRegionCode) || coversRegion(p, r.determiningRegionCode));
}
