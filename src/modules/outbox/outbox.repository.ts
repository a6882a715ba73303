import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../platform/sql';
import { rows } from '../../platform/sql';
import type { Grade } from '../policy/credit-policy';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import type { RatingSummary } from '../rating/rating.repository';
import { OUTBOX_RETENTION_DAYS, RATING_CHANGED, RatingChangedEvent } from './outbox';

/**
 * Writes a `rating.changed` event in the caller's transaction: it exists exactly when the
 * grade change it reports was committed. The per-enterprise sequence comes from a counter
 * on the enterprise row, which the evaluation already holds locked.
 */
export async function appendRatingChanged(
  m: Queryable,
  e: Pick<EnterpriseRow, 'id' | 'creditCode' | 'regionCode'>,
  rating: RatingSummary,
  previousGrade: Grade | null,
): Promise<RatingChangedEvent> {
  return (await appendRatingsChanged(m, [{ e, rating, previousGrade }]))[0];
}

/** `appendRatingChanged` for many enterprises (one change each) in one statement: the bulk re-grade's batch. */
export async function appendRatingsChanged(
  m: Queryable,
  changes: readonly { e: Pick<EnterpriseRow, 'id' | 'creditCode' | 'regionCode'>; rating: RatingSummary; previousGrade: Grade | null }[],
): Promise<RatingChangedEvent[]> {
  if (!changes.length) return [];
  const changedAt = new Date().toISOString();
  const drafts: Omit<RatingChangedEvent, 'sequence'>[] = changes.map(({ e, rating, previousGrade }) => ({
    eventId: randomUUID(),
    type: RATING_CHANGED,
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
    changedAt,
  }));
  // One statement: each enterprise's next sequence number, its event with it, and (when, and only if, this transaction
  // commits) a wake-up for LISTENing relays. Stamped with the hub's clock, like changedAt: clients compare their ranges and
  // `since` with what they were sent.
  const seqs = await rows<{ id: string; seq: number }>(
    m,
    `WITH s AS (UPDATE enterprise SET event_seq = event_seq + 1 WHERE id = ANY($3::uuid[]) RETURNING id, event_seq AS seq),
     i AS (
       INSERT INTO outbox_event (event_id, topic, enterprise_id, sequence, payload, created_at)
       SELECT x.id, $2, x.e, s.seq, x.p::jsonb || jsonb_build_object('sequence', s.seq), $5
         FROM unnest($1::uuid[], $3::uuid[], $4::text[]) AS x(id, e, p) JOIN s ON s.id = x.e
       RETURNING enterprise_id, sequence)
     SELECT i.enterprise_id AS id, i.sequence AS seq, (SELECT pg_notify('hub_outbox', '')) IS NULL AS woken FROM i`,
    [drafts.map((v) => v.eventId), RATING_CHANGED, drafts.map((v) => v.enterpriseId), drafts.map((v) => JSON.stringify(v)), changedAt],
  );
  const seqOf = new Map(seqs.map((s) => [s.id, s.seq]));
  const events: RatingChangedEvent[] = drafts.map(({ eventId, type, ...rest }) => ({ eventId, type, sequence: seqOf.get(rest.enterpriseId)!, ...rest }));
  return events;
}

export interface OutboxRow {
  id: string;
  payload: RatingChangedEvent;
}

/**
 * Locks up to `limit` unpublished events, oldest first, skipping those another relay holds.
 * NO KEY UPDATE: the foreign keys of new webhook deliveries (KEY SHARE) do not wait on it.
 */
export function lockUnpublished(m: Queryable, limit: number): Promise<OutboxRow[]> {
  return rows<OutboxRow>(m, `SELECT id::text, payload FROM outbox_event WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR NO KEY UPDATE SKIP LOCKED`, [
    limit,
  ]);
}

/** `publishedAt` is the relay's clock (the `publishedAt` it sent), the one `since` and the feed's catch-up compare with. */
export function markPublished(m: Queryable, ids: string[], publishedAt: Date): Promise<unknown> {
  return m.query(`UPDATE outbox_event SET published_at = $2 WHERE id = ANY($1::bigint[])`, [ids, publishedAt]);
}

export interface ChangeFilter {
  /** Region prefixes of the reader's jurisdiction; null: all. */
  prefixes: string[] | null;
  regionPrefix: string | null;
  creditCode: string | null;
}

export const ALL_CHANGES: ChangeFilter = { prefixes: null, regionPrefix: null, creditCode: null };

/**
 * Events published since `since` that pass the filter, oldest first, at most `limit`, after
 * outbox id `afterId` (paging): what a subscriber, or an API process that lost Redis, missed.
 */
export function changesSince(m: Queryable, since: Date, f: ChangeFilter, limit: number, afterId = '0'): Promise<OutboxRow[]> {
  return rows<OutboxRow>(
    m,
    `SELECT e.id::text, e.payload FROM outbox_event e
      WHERE e.published_at >= $1 AND e.id > $6::bigint
        AND ($2::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($2::text[]) p WHERE e.payload->>'regionCode' LIKE p || '%'))
        AND ($3::text IS NULL OR e.payload->>'regionCode' LIKE $3 || '%')
        AND ($4::text IS NULL OR e.payload->>'creditCode' = $4)
      ORDER BY e.id LIMIT $5`,
    [since, f.prefixes, f.regionPrefix, f.creditCode, limit, afterId],
  );
}

/**
 * Deletes published events older than the retention, with their finished deliveries and
 * attempt logs; an event with a delivery still pending stays. Returns how many events went.
 */
export async function pruneOutbox(m: Queryable, days = OUTBOX_RETENTION_DAYS, limit = 10_000): Promise<number> {
  const [{ n }] = await rows<{ n: number }>(
    m,
    `WITH old AS (
       SELECT e.id FROM outbox_event e
        WHERE e.published_at < now() - make_interval(days => $1)
          AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.event_id = e.id AND d.status = 'PENDING')
        ORDER BY e.id LIMIT $2),
     deliveries AS (SELECT d.id FROM webhook_delivery d WHERE d.event_id IN (SELECT id FROM old)),
     -- One statement: the foreign keys (NO ACTION) are checked at its end, when all three are gone.
     a AS (DELETE FROM webhook_attempt WHERE delivery_id IN (SELECT id FROM deliveries)),
     d AS (DELETE FROM webhook_delivery WHERE id IN (SELECT id FROM deliveries)),
     gone AS (DELETE FROM outbox_event WHERE id IN (SELECT id FROM old) RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [days, limit],
  );
  return n;
}
