import type { Grade } from '../policy/credit-policy';

export const RATING_CHANGED = 'rating.changed';
/** Event types a webhook may ask for. */
export const EVENT_TYPES = [RATING_CHANGED] as const;

/**
 * A `rating.changed` event as stored in the outbox, published on Redis and delivered to
 * webhooks: codes, grades and ids only, never personal data. `sequence` numbers the
 * enterprise's events 1, 2, 3…; `eventId` is unique and the same wherever it arrives.
 */
export interface RatingChangedEvent {
  eventId: string;
  type: typeof RATING_CHANGED;
  sequence: number;
  enterpriseId: string;
  creditCode: string;
  regionCode: string;
  previousGrade: Grade | null;
  grade: Grade;
  score: number;
  policyVersion: string;
  /** ISO date the evaluation was made for. */
  asOf: string;
  ratingId: string;
  evaluatedAt: string;
  /** ISO time the change was written (in the evaluating transaction). */
  changedAt: string;
  /** Set by the relay just before it hands the event to Redis (latency measurements). */
  publishedAt?: string;
}

/** How long published events (with their webhook deliveries and attempts) are kept for replays and catch-up. */
export const OUTBOX_RETENTION_DAYS = 90;
