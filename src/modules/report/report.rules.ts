/**
 * Reports of false credit information (举报, Art. 28; workflows.md "Reports and tips"), the pure
 * part: what a report holds, its receipt number, the per-client rate limit, and the verification
 * deadline (7 working days after receipt on the official calendar; the whole last day, China time).
 */
import { randomBytes } from 'node:crypto';
import { chinaDateString } from '../../platform/china-time';
import { HubError, badInput } from '../../platform/errors';
import type { ReportOutcome, ReportStatus } from '../graphql-enums';

export type { ReportOutcome, ReportStatus };

/** Art. 28: a report is verified within 7 working days of receipt. */
export const REPORT_VERIFICATION_WORKING_DAYS = 7;
export const CONTENT_MAX = 2000;
export const NAME_MAX = 100;
export const CONTACT_MAX = 200;

/** At most this many reports per client address in {@link RATE_WINDOW_MS}. */
export const RATE_LIMIT = 5;
export const RATE_WINDOW_MS = 10 * 60_000;

const BASE32 = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no I, O, 0, 1: read aloud and typed back

/** `JB` + the China date of receipt + 12 random base32 characters (60 bits): unguessable, e.g. JB20261202K7QX3M9PTA2W. */
export function receiptNumber(receivedAt: Date, random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(12);
  let tail = '';
  for (const b of bytes) tail += BASE32[b & 31];
  return `JB${chinaDateString(receivedAt).replaceAll('-', '')}${tail}`;
}

/** The report's text, trimmed: required, at most 2000 characters. */
export function checkContent(content: string | null | undefined): string {
  const c = content?.trim() ?? '';
  if (!c) throw badInput('举报内容不能为空 / content is required', 'content');
  if (c.length > CONTENT_MAX) throw badInput(`举报内容不得超过${CONTENT_MAX}字 / content may have at most ${CONTENT_MAX} characters`, 'content');
  return c;
}

/** An optional reporter field, trimmed (blank: null), at most `max` characters. */
export function checkOptional(value: string | null | undefined, field: 'reporterName' | 'reporterContact', max: number): string | null {
  const v = value?.trim() || null;
  if (v && v.length > max) throw badInput(`${field} 不得超过${max}字 / ${field} may have at most ${max} characters`, field);
  return v;
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

/**
 * A sliding-window limit per key (the client address), in memory: each process counts its own
 * clients (behind several replicas the limit is per replica). Attempts, not successes, count.
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    readonly limit = RATE_LIMIT,
    readonly windowMs = RATE_WINDOW_MS,
  ) {}

  /** Counts one attempt for `key` at `now`; BAD_USER_INPUT with reason RATE_LIMITED past the limit (the refused attempt is not counted). */
  take(key: string, now = Date.now()): void {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      const wait = Math.max(1, Math.ceil((recent[0] + this.windowMs - now) / 60_000));
      throw new HubError(
        'BAD_USER_INPUT',
        `举报过于频繁，请${wait}分钟后再试 / Too many reports from your address; try again in ${wait} minute(s) (at most ${this.limit} per ${this.windowMs / 60_000} minutes)`,
        { reason: 'RATE_LIMITED' },
      );
    }
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.prune(now);
  }

  /** Forgets every key (tests). */
  reset(): void {
    this.hits.clear();
  }

  private prune(now: number): void {
    for (const [k, ts] of this.hits) if (!ts.some((t) => t > now - this.windowMs)) this.hits.delete(k);
  }
}
