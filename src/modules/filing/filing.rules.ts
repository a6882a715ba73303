import type { Principal } from '../../platform/auth/principal';
import { coversRegion } from '../../platform/auth/access.rules';
import { badInput } from '../../platform/errors';
import { CLOCK_SLACK_MS } from '../../platform/checks';
import { authorityKindOf } from '../credit/provenance.rules';

/** Art. 7: a determination is filed with the next level up within 7 working days. */
export const FILING_WORKING_DAYS = 7;

export const FILING_SUBJECTS = ['DETERMINATION', 'REPAIR_DECISION'] as const;
export type FilingSubject = (typeof FILING_SUBJECTS)[number];
/** What is pushed to the city credit platform: what is filed, and a record's later status change (revocation). */
export const PUSH_SUBJECTS = [...FILING_SUBJECTS, 'STATUS_CHANGE'] as const;
export type PushSubject = (typeof PUSH_SUBJECTS)[number];

/** What `filings(state)` lists: DUE (open, not yet overdue), OVERDUE (open, past its due date), ACKNOWLEDGED (in time), LATE (acknowledged after the due date). */
export const FILING_STATES = ['DUE', 'OVERDUE', 'ACKNOWLEDGED', 'LATE'] as const;
export type FilingState = (typeof FILING_STATES)[number];

/**
 * The authority a determination of `regionCode`'s authority is filed with: a county's (130821)
 * with its city (130800), a city's with its province (130000). A province's determination has
 * no level above it in the hub (the ministry is outside it): null, no filing.
 */
export function filedWithRegion(regionCode: string): string | null {
  switch (authorityKindOf(regionCode)) {
    case 'COUNTY_WATER_AUTHORITY':
      return `${regionCode.slice(0, 4)}00`;
    case 'CITY_WATER_AUTHORITY':
      return `${regionCode.slice(0, 2)}0000`;
    default:
      return null;
  }
}

/**
 * Who acknowledges a filing: an authority of the level filed with whose jurisdiction covers it (a
 * CITY_AUTHORITY of 130800 for a county's determination in 1308xx, a PROVINCE_AUTHORITY of 130000
 * for a city's).
 */
export function mayAcknowledge(p: Principal, filedWith: string): boolean {
  const level = authorityKindOf(filedWith);
  if (p.role === 'PROVINCE_AUTHORITY') return level === 'PROVINCIAL_WATER_AUTHORITY' && coversRegion(p, filedWith);
  return p.role === 'CITY_AUTHORITY' && level === 'CITY_WATER_AUTHORITY' && coversRegion(p, filedWith);
}

/** Who sees a filing: the level filed with and the determining authority (supervisors and the credit authority of either region). */
export function maySeeFiling(p: Principal, f: { fromRegionCode: string; filedWithRegionCode: string }): boolean {
  if (!['PROVINCE_AUTHORITY', 'CITY_AUTHORITY', 'COUNTY_AUTHORITY', 'CREDIT_AUTHORITY'].includes(p.role)) return false;
  return coversRegion(p, f.filedWithRegionCode) || coversRegion(p, f.fromRegionCode);
}

/** Whether an acknowledgement at `at` is after the due date's last day (YYYY-MM-DD, China time). */
export function isLate(dueDate: string, at: Date): boolean {
  return chinaDay(at) > dueDate;
}

/** YYYY-MM-DD of `d` in China Standard Time. */
export function chinaDay(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The acknowledgement's date: default now; never in the future; never before the determination (BAD_USER_INPUT, field `at`). */
export function acknowledgedAt(at: Date | null | undefined, determinedAt: Date, now = Date.now()): Date {
  const when = at ?? new Date(now);
  if (Number.isNaN(when.getTime())) throw badInput('at 不是有效的日期时间 / at is not a valid date-time', 'at');
  if (when.getTime() > now + CLOCK_SLACK_MS) throw badInput('at 不得晚于当前时间 / at may not lie in the future', 'at');
  if (when.getTime() < determinedAt.getTime())
    throw badInput(
      `at 不得早于认定（决定）日期（${determinedAt.toISOString()}） / at may not lie before the determination (${determinedAt.toISOString()})`,
      'at',
    );
  return when;
}
