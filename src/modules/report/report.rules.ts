/**
 * Reports of false credit information (举报, Art. 28; workflows.md "Reports and tips"), the pure
 * part: what a report holds, its receipt number, the per-client rate limit, and the verification
 * deadline (7 working days after receipt on the official calendar; the whole last day, China time).
 */
import { badInput } from '../../platform/errors';
import {
  RATE_LIMIT,
  RATE_WINDOW_MS,
  RateLimiter as SharedRateLimiter,
  checkOptional as sharedOptional,
  checkRequired,
  receiptNumber as sharedReceipt,
} from '../intake/intake.rules';
import type { ReportOutcome, ReportStatus } from '../graphql-enums';

export type { ReportOutcome, ReportStatus };

/** Art. 28: a report is verified within 7 working days of receipt. */
export const REPORT_VERIFICATION_WORKING_DAYS = 7;
export const CONTENT_MAX = 2000;
export const NAME_MAX = 100;
export const CONTACT_MAX = 200;
export { RATE_LIMIT, RATE_WINDOW_MS };

/** The shared receipt number with the report prefix `JB` (举报), e.g. JB20261202K7QX3M9PTA2W. */
export function receiptNumber(receivedAt: Date, random?: (n: number) => Buffer): string {
  return sharedReceipt('JB', receivedAt, random);
}

/** The report's text, trimmed: required, at most 2000 characters. */
export function checkContent(content: string | null | undefined): string {
  return checkRequired(content, 'content', CONTENT_MAX, { zh: '举报内容', en: 'content' });
}

/** An optional reporter field, trimmed (blank: null), at most `max` characters. */
export function checkOptional(value: string | null | undefined, field: 'reporterName' | 'reporterContact', max: number): string | null {
  return sharedOptional(value, field, max);
}

/** The verification note: required (what was found), at most 2000 characters. */
export function checkNote(note: string | null | undefined): string {
  const n = note?.trim() ?? '';
  if (!n) throw badInput('核查须说明情况（note） / A verification needs a note stating what was found', 'note');
  if (n.length > CONTENT_MAX) throw badInput(`note 不得超过${CONTENT_MAX}字 / note may have at most ${CONTENT_MAX} characters`, 'note');
  return n;
}

/** BAD_USER_INPUT unless the report is still RECEIVED (verifying twice is refused). */
export function checkVerifiable(status: ReportStatus): void {
  if (status !== 'RECEIVED') throw badInput(`该举报已核查（${status}） / The report has already been verified (${status})`, 'id');
}

/** Reports share the public-intake rate limit: 5 per 10 minutes per client address. */
export class RateLimiter extends SharedRateLimiter {
  constructor(limit = RATE_LIMIT, windowMs = RATE_WINDOW_MS) {
    super(limit, windowMs, { zh: '举报', en: 'reports' });
  }
}
