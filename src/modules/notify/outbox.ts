import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { one, rows } from '../../platform/sql';
import type { Grade } from '../policy/credit-policy';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import type { RatingRow } from '../rating/rating.repository';

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

/**
 * Writes a `rating.changed` event in the caller's transaction: it exists exactly when the
 * grade change it reports was committed. The per-enterprise sequence comes from a counter
 * on the enterprise row, which the evaluation already holds locked.
 */
export async function appendRatingChanged(m: EntityManager, e: EnterpriseRow, rating: RatingRow, previousGrade: Grade | null): Promise<RatingChangedEvent> {
  const { seq } = (await one<{ seq: number }>(m, `UPDATE enterprise SET event_seq = event_seq + 1 WHERE id = $1 RETURNING event_seq AS seq`, [e.id]))!;
  const event: RatingChangedEvent = {
    eventId: randomUUID(),
    type: RATING_CHANGED,
    sequence: seq,
    enterpriseId: e.id,
    creditCode: e.creditCode,
    regionCode: e.regionCode,
    previousGrade,
    grade: rating.grade,
    score: rating.score,
    policyVersion: rating.policyVersion,
    asOf: rating.asOf.toISOString(),
    ratingId: rating.id,
    evaluatedAt: rating.evaluatedAt.toISOString(),
    changedAt: new Date().toISOString(),
  };
  await m.query(
    `INSERT INTO outbox_event (event_id, topic, enterprise_id, sequence, payload) VALUES ($1, $2, $3, $4, $5::jsonb)`,
    [event.eventId, RATING_CHANGED, e.id, seq, JSON.stringify(event)],
  );
  // Wakes LISTENing relays when (and only if) this transaction commits.
  await m.query(`SELECT pg_notify('hub_outbox', '')`);
  return event;
}

export interface OutboxRow {
  id: string;
  payload: RatingChangedEvent;
}

/**
 * Locks up to `limit` unpublished events, oldest first, skipping those another relay holds.
 * NO KEY UPDATE: the foreign keys of new webhook deliveries (KEY SHARE) do not wait on it.
 */
export function lockUnpublished(m: EntityManager, limit: number): Promise<OutboxRow[]> {
  return rows<OutboxRow>(m, `SELECT id::text, payload FROM outbox_event WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR NO KEY UPDATE SKIP LOCKED`, [limit]);
}

export function markPublished(m: EntityManager, ids: string[]): Promise<unknown> {
  return m.query(`UPDATE outbox_event SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])`, [ids]);
}

/** A page of the events published since `since`, after outbox id `afterId` (a subscriber that lost its Redis connection catches up from here). */
export function publishedSince(m: EntityManager, since: Date, afterId: string, limit = 1000): Promise<OutboxRow[]> {
  return rows<OutboxRow>(m, `SELECT id::text, payload FROM outbox_event WHERE published_at >= $1 AND id > $2::bigint ORDER BY id LIMIT $3`, [since, afterId, limit]);
}
