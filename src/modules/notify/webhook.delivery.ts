import { Database } from '../../platform/db';
import { logger } from '../../platform/logger';
import { webhookDeliveries } from '../../platform/metrics';
import { RatingChangedEvent } from './outbox';
import { decide } from './retry.rules';
import { webhookHeaders } from './standard-webhooks';
import { AddressPolicy } from './url-guard';
import { cancelPending, claimDelivery, recordAttempt, setWebhookActive } from './webhook.repository';
import { DELIVERY_TIMEOUT_MS, send } from './webhook.sender';

/** The `webhook-id` of a delivery: the same on every retry and replay. */
export const messageId = (deliveryId: string) => `msg_${deliveryId.replace(/-/g, '')}`;

/** The thin body partners receive (Standard Webhooks' type/timestamp/data envelope). */
export function webhookBody(e: RatingChangedEvent): string {
  return JSON.stringify({
    type: e.type,
    timestamp: e.changedAt,
    data: {
      eventId: e.eventId,
      sequence: e.sequence,
      creditCode: e.creditCode,
      regionCode: e.regionCode,
      previousGrade: e.previousGrade,
      grade: e.grade,
      score: e.score,
      policyVersion: e.policyVersion,
      asOf: e.asOf,
      ratingId: e.ratingId,
    },
  });
}

export interface DeliveryOptions {
  policy: AddressPolicy;
  /** Multiplies retry delays (HUB_WEBHOOK_RETRY_SCALE). */
  retryScale: number;
}

/** What became of an attempt; `retryInMs` tells the caller when to queue the next one. */
export type AttemptResult = { outcome: 'skipped' } | { outcome: 'delivered' | 'gone' | 'dead' | 'cancelled'; attempts: number } | { outcome: 'retry'; attempts: number; retryInMs: number };

/**
 * One delivery attempt: claims the delivery (nothing happens when it is not due, done, or
 * another worker holds it), POSTs it signed, and records the outcome with the next step.
 */
export async function attemptDelivery(db: Database, deliveryId: string, opts: DeliveryOptions): Promise<AttemptResult> {
  const d = await claimDelivery(db.manager, deliveryId, DELIVERY_TIMEOUT_MS / 1000 + 45);
  if (!d) return { outcome: 'skipped' };
  const attempt = d.attempts + 1;
  if (!d.active) {
    await db.manager.query(`UPDATE webhook_delivery SET status = 'CANCELLED', locked_until = NULL WHERE id = $1`, [d.id]);
    return { outcome: 'cancelled', attempts: d.attempts };
  }
  const body = webhookBody(d.payload);
  const secrets = [d.secret, ...(d.previousSecret && d.previousSecretUntil && d.previousSecretUntil > new Date() ? [d.previousSecret] : [])];
  const res = await send(d.url, webhookHeaders(secrets, messageId(d.id), body), body, opts.policy);
  const decision = decide(attempt, res, opts.retryScale);
  webhookDeliveries.inc({ outcome: decision.kind });
  const nextAttemptAt = decision.kind === 'retry' ? new Date(Date.now() + decision.delayMs) : null;
  const status = decision.kind === 'delivered' ? 'DELIVERED' : decision.kind === 'retry' ? 'PENDING' : decision.kind === 'dead' ? 'DEAD' : 'CANCELLED';
  const error = res.error ?? (decision.kind === 'delivered' ? null : `HTTP ${res.status}`);
  await db.transaction(async (m) => {
    await recordAttempt(m, { deliveryId: d.id, attempt, statusCode: res.status, error, durationMs: res.durationMs, status, nextAttemptAt });
    if (decision.kind === 'gone') {
      await setWebhookActive(m, d.webhookId, false, 'the receiver answered 410 Gone');
      await cancelPending(m, d.webhookId);
    }
  });
  if (decision.kind === 'gone') logger.warn({ webhookId: d.webhookId }, 'webhook deactivated: the receiver answered 410 Gone');
  if (decision.kind === 'dead') logger.warn({ webhookId: d.webhookId, deliveryId: d.id, attempts: attempt }, 'webhook delivery dead-lettered after its last retry');
  if (decision.kind === 'retry') return { outcome: 'retry', attempts: attempt, retryInMs: decision.delayMs };
  return { outcome: decision.kind, attempts: attempt };
}
