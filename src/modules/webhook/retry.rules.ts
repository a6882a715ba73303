/**
 * When a failed webhook delivery is tried again: after 5 s, 5 min, 30 min, 2 h, 5 h and
 * 10 h, then every 10 h, 12 attempts in all over about 2.8 days (Standard Webhooks'
 * suggested schedule, stretched to about three days). Each delay varies by ±20 % (jitter),
 * so endpoints coming back are not hit by every sender at once.
 */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, 36_000_000, 36_000_000, 36_000_000, 36_000_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** Longest Retry-After honoured (a receiver cannot park a delivery for longer). */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

export interface AttemptOutcome {
  /** HTTP status, or null when no response came (timeout, refused connection, DNS). */
  status: number | null;
  /** Retry-After of the response, in ms, when it sent one. */
  retryAfterMs?: number | null;
}

export type Decision =
  | { kind: 'delivered' }
  /** 410 Gone: the receiver wants no more; the webhook is deactivated. */
  | { kind: 'gone' }
  | { kind: 'retry'; delayMs: number }
  /** Attempts used up: kept as dead letter, replayable. */
  | { kind: 'dead' };

/**
 * What to do after attempt number `attempt` (1-based). `scale` compresses time (tests and
 * drills set HUB_WEBHOOK_RETRY_SCALE); `random` is injectable for tests.
 */
export function decide(attempt: number, outcome: AttemptOutcome, scale = 1, random = Math.random): Decision {
  const { status } = outcome;
  if (status !== null && status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone' };
  if (attempt >= MAX_ATTEMPTS) return { kind: 'dead' };
  const base = RETRY_DELAYS_MS[attempt - 1] * (0.8 + 0.4 * random());
  const asked = status === 429 || status === 503 ? Math.min(outcome.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS) : 0;
  return { kind: 'retry', delayMs: Math.round(Math.max(base, asked) * scale) };
}
