import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';
import type { RatingChangedEvent } from '../outbox/outbox';
import type { WebhookDeliveryStatus } from '../graphql-enums';
import { seal, unseal } from '../../platform/crypto/keyring';
import { CTX } from '../keys/encrypted-columns';

export type DeliveryStatus = WebhookDeliveryStatus;

export interface WebhookRow {
  id: string;
  ownerSubject: string;
  ownerRole: string;
  agency: string | null;
  scopePrefixes: string[];
  scopeCreditCode: string | null;
  filterRegionCode: string | null;
  filterCreditCode: string | null;
  url: string;
  events: string[];
  active: boolean;
  deactivatedAt: Date | null;
  deactivatedReason: string | null;
  createdAt: Date;
  previousSecretUntil: Date | null;
  /** Set only on the answer to register/rotate: the one time the secret is shown. */
  secret?: string | null;
}

const WEBHOOK_COLUMNS = `w.id, w.owner_subject AS "ownerSubject", w.owner_role AS "ownerRole", w.agency, w.scope_prefixes AS "scopePrefixes",
  w.scope_credit_code AS "scopeCreditCode", w.filter_region_code AS "filterRegionCode", w.filter_credit_code AS "filterCreditCode",
  w.url, w.events, w.active, w.deactivated_at AS "deactivatedAt", w.deactivated_reason AS "deactivatedReason", w.created_at AS "createdAt",
  w.previous_secret_until AS "previousSecretUntil"`;

/** Whether event `e` is for webhook `w`: its type, the owner's jurisdiction and the webhook's own filters. */
const MATCHES = `e.topic = ANY (w.events)
  AND (w.scope_credit_code IS NULL OR w.scope_credit_code = e.payload->>'creditCode')
  AND (cardinality(w.scope_prefixes) = 0 OR EXISTS (SELECT 1 FROM unnest(w.scope_prefixes) p WHERE e.payload->>'regionCode' LIKE p || '%'))
  AND (w.filter_region_prefix IS NULL OR e.payload->>'regionCode' LIKE w.filter_region_prefix || '%')
  AND (w.filter_credit_code IS NULL OR w.filter_credit_code = e.payload->>'creditCode')`;

export type NewWebhook = Pick<
  WebhookRow,
  'ownerSubject' | 'ownerRole' | 'agency' | 'scopePrefixes' | 'scopeCreditCode' | 'filterRegionCode' | 'filterCreditCode' | 'url' | 'events'
> & { filterRegionPrefix: string | null; secret: string };

export function insertWebhook(m: Queryable, w: NewWebhook): Promise<WebhookRow | undefined> {
  return one<WebhookRow>(
    m,
    `INSERT INTO webhook AS w (owner_subject, owner_role, agency, scope_prefixes, scope_credit_code, filter_region_code, filter_region_prefix, filter_credit_code, url, events, secret)
     VALUES ($1,$2,$3,$4::text[],$5,$6,$7,$8,$9,$10::text[],$11) RETURNING ${WEBHOOK_COLUMNS}`,
    [
      w.ownerSubject,
      w.ownerRole,
      w.agency,
      w.scopePrefixes,
      w.scopeCreditCode,
      w.filterRegionCode,
      w.filterRegionPrefix,
      w.filterCreditCode,
      w.url,
      w.events,
      seal(CTX.webhookSecret, w.secret),
    ],
  );
}

/** The owner's webhooks (every webhook when `owner` is null), newest first. */
export function listWebhooks(m: Queryable, owner: string | null): Promise<WebhookRow[]> {
  return rows<WebhookRow>(m, `SELECT ${WEBHOOK_COLUMNS} FROM webhook w WHERE $1::text IS NULL OR w.owner_subject = $1 ORDER BY w.created_at DESC`, [owner]);
}

export function webhookById(m: Queryable, id: string, lock = false): Promise<WebhookRow | undefined> {
  return one<WebhookRow>(m, `SELECT ${WEBHOOK_COLUMNS} FROM webhook w WHERE w.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

export function webhooksByIds(m: Queryable, ids: readonly string[]): Promise<WebhookRow[]> {
  return rows<WebhookRow>(m, `SELECT ${WEBHOOK_COLUMNS} FROM webhook w WHERE w.id = ANY($1::uuid[])`, [ids]);
}

export function setWebhookActive(m: Queryable, id: string, active: boolean, reason: string | null): Promise<WebhookRow | undefined> {
  return one<WebhookRow>(
    m,
    `UPDATE webhook w SET active = $2, deactivated_at = CASE WHEN $2 THEN NULL ELSE now() END, deactivated_reason = CASE WHEN $2 THEN NULL ELSE $3 END
      WHERE w.id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
    [id, active, reason],
  );
}

/** Pending deliveries of a webhook that stopped: they are not sent (a replay can send them later). */
/** Cancels one pending delivery of a round (its webhook was deactivated meanwhile). */
export function cancelDelivery(m: Queryable, id: string, generation: number): Promise<unknown> {
  return m.query(`UPDATE webhook_delivery SET status = 'CANCELLED', locked_until = NULL WHERE id = $1 AND generation = $2 AND status = 'PENDING'`, [
    id,
    generation,
  ]);
}

export function cancelPending(m: Queryable, webhookId: string): Promise<unknown> {
  return m.query(`UPDATE webhook_delivery SET status = 'CANCELLED', locked_until = NULL WHERE webhook_id = $1 AND status = 'PENDING'`, [webhookId]);
}

/** A new secret; the old one keeps signing beside it until `graceUntil`. */
export async function rotateSecret(m: Queryable, id: string, secret: string, graceUntil: Date): Promise<WebhookRow | undefined> {
  // Encrypted values are bound to their column: the old secret is re-encrypted for previous_secret, not copied.
  const current = await one<{ secret: string }>(m, `SELECT secret FROM webhook WHERE id = $1 FOR UPDATE`, [id]);
  if (!current) return undefined;
  return one<WebhookRow>(m, `UPDATE webhook w SET previous_secret = $4, previous_secret_until = $3, secret = $2 WHERE w.id = $1 RETURNING ${WEBHOOK_COLUMNS}`, [
    id,
    seal(CTX.webhookSecret, secret),
    graceUntil,
    seal(CTX.webhookPreviousSecret, unseal(CTX.webhookSecret, current.secret)),
  ]);
}

/** Creates the deliveries of newly published events for every active webhook they match; returns their ids. */
export async function createDeliveries(m: Queryable, eventIds: string[]): Promise<string[]> {
  const created = await rows<{ id: string }>(
    m,
    `INSERT INTO webhook_delivery (webhook_id, event_id)
     SELECT w.id, e.id FROM outbox_event e JOIN webhook w ON w.active WHERE e.id = ANY ($1::bigint[]) AND ${MATCHES}
     ON CONFLICT (webhook_id, event_id) DO NOTHING RETURNING id`,
    [eventIds],
  );
  return created.map((r) => r.id);
}

/** Everything one attempt needs, once the delivery is claimed. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  attempts: number;
  generation: number;
  url: string;
  active: boolean;
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
  payload: RatingChangedEvent;
}

/**
 * Takes a due delivery for one attempt: a lease of `leaseS` seconds keeps other workers
 * off it, and lapses by itself if this one dies. Undefined: not due, done, or leased.
 */
export async function claimDelivery(m: Queryable, id: string, leaseS: number): Promise<ClaimedDelivery | undefined> {
  const claimed = await one<ClaimedDelivery>(
    m,
    `WITH c AS (
       UPDATE webhook_delivery d SET locked_until = now() + make_interval(secs => $2)
        WHERE d.id = $1 AND d.status = 'PENDING' AND d.next_attempt_at <= now() + interval '1 second'
          AND (d.locked_until IS NULL OR d.locked_until < now())
        RETURNING d.id, d.webhook_id, d.event_id, d.attempts, d.generation)
     SELECT c.id, c.webhook_id AS "webhookId", c.attempts, c.generation, w.url, w.active, w.secret, w.previous_secret AS "previousSecret",
            w.previous_secret_until AS "previousSecretUntil", e.payload
       FROM c JOIN webhook w ON w.id = c.webhook_id JOIN outbox_event e ON e.id = c.event_id`,
    [id, leaseS],
  );
  if (claimed) {
    claimed.secret = unseal(CTX.webhookSecret, claimed.secret)!;
    claimed.previousSecret = unseal(CTX.webhookPreviousSecret, claimed.previousSecret);
  }
  return claimed;
}

export interface AttemptRecord {
  deliveryId: string;
  /** The round the attempt belongs to (from the claim). */
  generation: number;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  status: DeliveryStatus;
  /** When status stays PENDING: the next attempt, this far from the database's now. */
  retryInMs: number | null;
}

/**
 * Logs an attempt and moves the delivery on, in one transaction of the caller's. The
 * delivery moves only if it is still the round this attempt was claimed in and still
 * pending: a replay or a cancellation made meanwhile wins. Returns whether it moved.
 */
export async function recordAttempt(m: Queryable, a: AttemptRecord): Promise<boolean> {
  await m.query(`INSERT INTO webhook_attempt (delivery_id, attempt, status_code, error, duration_ms) VALUES ($1,$2,$3,$4,$5)`, [
    a.deliveryId,
    a.attempt,
    a.statusCode,
    a.error,
    a.durationMs,
  ]);
  const moved = await rows<{ id: string }>(
    m,
    `UPDATE webhook_delivery SET attempts = $2, status = $3,
            next_attempt_at = CASE WHEN $4::float8 IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $4::float8 / 1000) END,
            locked_until = NULL, last_status_code = $5, last_error = $6, last_attempt_at = now(),
            delivered_at = CASE WHEN $3 = 'DELIVERED' THEN now() END
      WHERE id = $1 AND generation = $7 AND status = 'PENDING' RETURNING id`,
    [a.deliveryId, a.attempt, a.status, a.retryInMs, a.statusCode, a.error, a.generation],
  );
  return moved.length === 1;
}

/**
 * Throttling: the webhook's other pending deliveries are not tried before `delayMs` from
 * now either. Their queued jobs find them not due and end; the relay's sweep re-queues them.
 */
export function holdOthers(m: Queryable, webhookId: string, exceptId: string, delayMs: number): Promise<unknown> {
  return m.query(
    `UPDATE webhook_delivery SET next_attempt_at = GREATEST(next_attempt_at, now() + make_interval(secs => $3::float8 / 1000))
      WHERE webhook_id = $1 AND status = 'PENDING' AND id <> $2`,
    [webhookId, exceptId, delayMs],
  );
}

/** Locks a webhook row first, so every transaction touching a webhook and its deliveries takes them in one order. */
export function lockWebhook(m: Queryable, id: string): Promise<unknown> {
  return m.query(`SELECT 1 FROM webhook WHERE id = $1 FOR UPDATE`, [id]);
}

/** Pending deliveries past due by `graceS` and not leased: their queue job was lost (Redis flushed or restarted). */
export function overdueDeliveries(m: Queryable, graceS: number, limit = 1000): Promise<DeliveryRef[]> {
  return rows(
    m,
    `SELECT id, attempts, generation FROM webhook_delivery WHERE status = 'PENDING' AND next_attempt_at < now() - make_interval(secs => $1)
        AND (locked_until IS NULL OR locked_until < now()) ORDER BY next_attempt_at LIMIT $2`,
    [graceS, limit],
  );
}

/** What names one attempt's queue job. */
export interface DeliveryRef {
  id: string;
  attempts: number;
  generation: number;
}

export interface DeliveryRow {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  sequence: number;
  creditCode: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

const DELIVERY_COLUMNS = `d.id, d.webhook_id AS "webhookId", e.event_id AS "eventId", e.topic AS "eventType", e.sequence, e.payload->>'creditCode' AS "creditCode",
  d.status, d.attempts, d.next_attempt_at AS "nextAttemptAt", d.last_status_code AS "lastStatusCode", d.last_error AS "lastError",
  d.last_attempt_at AS "lastAttemptAt", d.delivered_at AS "deliveredAt", d.created_at AS "createdAt"`;

export interface DeliveryPage {
  status: DeliveryStatus | null;
  first: number;
  /** The (createdAt, id) of the last delivery of the previous page. */
  after: { createdAt: Date; id: string } | null;
}

/** The delivery log of each webhook, newest first (a page of `first` each), in one statement. */
export function deliveriesOf(m: Queryable, webhookIds: readonly string[], p: DeliveryPage): Promise<DeliveryRow[]> {
  return rows<DeliveryRow>(
    m,
    `SELECT page.* FROM unnest($1::uuid[]) AS w(id) CROSS JOIN LATERAL (
       SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id
        WHERE d.webhook_id = w.id AND ($2::text IS NULL OR d.status = $2)
          AND ($4::timestamptz IS NULL OR (d.created_at, d.id) < ($4, $5::uuid))
        ORDER BY d.created_at DESC, d.id DESC LIMIT $3) page
      ORDER BY page."createdAt" DESC, page.id DESC`,
    [webhookIds, p.status, p.first, p.after?.createdAt ?? null, p.after?.id ?? null],
  );
}

export function deliveryById(m: Queryable, id: string): Promise<DeliveryRow | undefined> {
  return one<DeliveryRow>(m, `SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id WHERE d.id = $1`, [id]);
}

/** Whether a delivery was created within the last `days` days, by the database's clock (the one its created_at and the outbox pruning use). */
export async function createdWithin(m: Queryable, deliveryId: string, days: number): Promise<boolean> {
  const r = await one<{ ok: boolean }>(m, `SELECT d.created_at >= now() - make_interval(days => $2) AS ok FROM webhook_delivery d WHERE d.id = $1`, [
    deliveryId,
    days,
  ]);
  return r?.ok ?? false;
}

export interface AttemptRow {
  deliveryId: string;
  attempt: number;
  attemptedAt: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export function attemptsOf(m: Queryable, deliveryIds: readonly string[]): Promise<AttemptRow[]> {
  return rows<AttemptRow>(
    m,
    `SELECT delivery_id AS "deliveryId", attempt, attempted_at AS "attemptedAt", status_code AS "statusCode", error, duration_ms AS "durationMs"
       FROM webhook_attempt WHERE delivery_id = ANY ($1::uuid[]) ORDER BY id`,
    [deliveryIds],
  );
}

/** A new round for a delivery: a fresh retry budget, the same `webhook-id`; an attempt of the old round still in flight no longer counts. */
const NEW_ROUND = `status = 'PENDING', attempts = 0, generation = webhook_delivery.generation + 1, next_attempt_at = now(), locked_until = NULL`;

export function resetDelivery(m: Queryable, id: string): Promise<DeliveryRef | undefined> {
  return one(m, `UPDATE webhook_delivery SET ${NEW_ROUND} WHERE id = $1 RETURNING id, attempts, generation`, [id]);
}

/**
 * Replays every event of `[from, to)` that matches the webhook: deliveries already made
 * are sent again (same `webhook-id`), missing ones (the webhook was off) are created.
 */
export function replayRange(m: Queryable, webhookId: string, from: Date, to: Date, limit: number): Promise<DeliveryRef[]> {
  // Unpublished events are left to the relay, which creates their deliveries anyway.
  return rows(
    m,
    `INSERT INTO webhook_delivery (webhook_id, event_id)
     SELECT w.id, e.id FROM webhook w JOIN outbox_event e ON e.created_at >= $2 AND e.created_at < $3 AND e.published_at IS NOT NULL
      WHERE w.id = $1 AND ${MATCHES} ORDER BY e.id LIMIT $4
     ON CONFLICT (webhook_id, event_id) DO UPDATE SET ${NEW_ROUND}
     RETURNING id, attempts, generation`,
    [webhookId, from, to, limit],
  );
}
