/**
 * What public submissions share (reports of false information, Art. 28; tips, Art. 8), the pure
 * part: the receipt number a submitter follows a submission by, the per-client rate limit, and
 * the optional text fields (a submitter's name and contact) checked the same way.
 */
import { randomBytes } from 'node:crypto';
import { chinaDateString } from '../../platform/china-time';
import { HubError, badInput } from '../../platform/errors';

/** At most this many submissions per client address in {@link RATE_WINDOW_MS}. */
export const RATE_LIMIT = 5;
export const RATE_WINDOW_MS = 10 * 60_000;

const BASE32 = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no I, O, 0, 1: read aloud and typed back

/**
 * `prefix` + the China date of receipt + 12 random base32 characters (60 bits): unguessable,
 * e.g. JB20261202K7QX3M9PTA2W (a report) or XS20261202K7QX3M9PTA2W (a tip).
 */
export function receiptNumber(prefix: string, receivedAt: Date, random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(12);
  let tail = '';
  for (const b of bytes) tail += BASE32[b & 31];
  return `${prefix}${chinaDateString(receivedAt).replaceAll('-', '')}${tail}`;
}

/** An optional text field, trimmed (blank: null), at most `max` characters; BAD_USER_INPUT on `field` otherwise. */
export function checkOptional(value: string | null | undefined, field: string, max: number): string | null {
  const v = value?.trim() || null;
  if (v && v.length > max) throw badInput(`${field} 不得超过${max}字 / ${field} may have at most ${max} characters`, field);
  return v;
}

/** A required text field, trimmed, at most `max` characters; BAD_USER_INPUT on `field` otherwise. */
export function checkRequired(value: string | null | undefined, field: string, max: number, what: { zh: string; en: string }): string {
  const v = value?.trim() ?? '';
  if (!v) throw badInput(`${what.zh}不能为空 / ${what.en} is required`, field);
  if (v.length > max) throw badInput(`${what.zh}不得超过${max}字 / ${what.en} may have at most ${max} characters`, field);
  return v;
}

/**
 * A sliding-window limit per key (the client address), in memory: each process counts its own
 * clients (behind several replicas the limit is per replica). Attempts, not successes, count.
 * `what` names the submissions in the refusal ("举报" / "reports").
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    readonly limit = RATE_LIMIT,
    readonly windowMs = RATE_WINDOW_MS,
    readonly what: { zh: string; en: string } = { zh: '提交', en: 'submissions' },
  ) {}

  /** Counts one attempt for `key` at `now`; BAD_USER_INPUT with reason RATE_LIMITED past the limit (the refused attempt is not counted). */
  take(key: string, now = Date.now()): void {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      const wait = Math.max(1, Math.ceil((recent[0] + this.windowMs - now) / 60_000));
      throw new HubError(
        'BAD_USER_INPUT',
        `${this.what.zh}过于频繁，请${wait}分钟后再试 / Too many ${this.what.en} from your address; try again in ${wait} minute(s) (at most ${this.limit} per ${this.windowMs / 60_000} minutes)`,
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
