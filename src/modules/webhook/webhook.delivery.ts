import type { Jobs } from '../../platform/jobs';
import { withTransaction } from '../../platform/context';
import type { HubContext } from '../context';
import { logger } from '../../platform/logger';
import { systemPrincipal } from '../../platform/auth/roles';
import { webhookDeliveries } from '../../platform/metrics';
import { RatingChangedEvent } from '../outbox/outbox';
import { decide } from './retry.rules';
import { webhookHeaders } from './standard-webhooks';
import { AddressPolicy } from './url-guard';
import { appendAudit } from '../audit/audit.repository';
import { logWebhookRead } from '../enterprise/result-delivery-log';
import { DeliveryRef, cancelDelivery, cancelPending, claimDelivery, holdOthers, lockWebhook, recordAttempt, setWebhookActive } from './webhook.repository';
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
  /** The city credit platform pushes go to (CREDIT_PLATFORM_URL/SECRET; src/modules/filing/platform-push.service.ts), with the same policy and retries. */
  creditPlatform?: { url: string; secret: string };
}

/** What became of an attempt; `retryInMs` tells the caller when to queue the next one. */
export type AttemptResult =
  | { outcome: 'skipped' }
  | { outcome: 'delivered' | 'gone' | 'dead' | 'cancelled'; attempts: number }
  | { outcome: 'retry'; attempts: number; generation: number; retryInMs: number };

/** Answers that mean "this endpoint is overloaded", not just "this message failed" (Standard Webhooks). */
const THROTTLING = [429, 502, 503, 504];

const SYSTEM = systemPrincipal('webhooks');

/**
 * One delivery attempt: claims the delivery (nothing happens when it is not due, done, or
 * another worker holds it), POSTs it signed, and records the outcome with the next step.
 */
export async function attemptDelivery(ctx: HubContext, deliveryId: string): Promise<AttemptResult> {
  const opts = ctx.webhooks;
  const d = await claimDelivery(ctx.db, deliveryId, DELIVERY_TIMEOUT_MS / 1000 + 45);
  if (!d) return { outcome: 'skipped' };
  const attempt = d.attempts + 1;
  if (!d.active) {
    await cancelDelivery(ctx.db, d.id, d.generation);
    return { outcome: 'cancelled', attempts: d.attempts };
  }
  const body = webhookBody(d.payload);
  const secrets = [d.secret, ...(d.previousSecret && d.previousSecretUntil && d.previousSecretUntil > new Date() ? [d.previousSecret] : [])];
  const res = await send(d.url, webhookHeaders(secrets, messageId(d.id), body), body, opts.policy);
  const decision = decide(attempt, res, opts.retryScale);
  webhookDeliveries.inc({ outcome: decision.kind });
  const status = decision.kind === 'delivered' ? 'DELIVERED' : decision.kind === 'retry' ? 'PENDING' : decision.kind === 'dead' ? 'DEAD' : 'CANCELLED';
  const error = res.error ?? (decision.kind === 'delivered' ? null : `HTTP ${res.status}`);
  const retryInMs = decision.kind === 'retry' ? decision.delayMs : null;
  // The endpoint says it is overloaded: its other pending deliveries wait as long as this one.
  const throttle = decision.kind === 'retry' && THROTTLING.includes(res.status ?? 0);
  const moved = await withTransaction(ctx, async (ctx) => {
    // Webhook before deliveries, as everywhere: a 410 and a deactivation cannot deadlock.
    if (decision.kind === 'gone' || throttle) await lockWebhook(ctx.db, d.webhookId);
    const moved = await recordAttempt(ctx.db, {
      deliveryId: d.id,
      generation: d.generation,
      attempt,
      statusCode: res.status,
      error,
      durationMs: res.durationMs,
      status,
      retryInMs,
    });
    if (throttle && moved) await holdOthers(ctx.db, d.webhookId, d.id, retryInMs!);
    // A partner's webhook that received the change has read the enterprise's result (Art. 23).
    if (decision.kind === 'delivered' && moved) await logWebhookRead(ctx.db, d.webhookId, d.payload.enterpriseId, d.id);
    if (decision.kind === 'gone') {
      await setWebhookActive(ctx.db, d.webhookId, false, 'the receiver answered 410 Gone');
      await cancelPending(ctx.db, d.webhookId);
      await appendAudit(ctx.db, SYSTEM, {
        action: 'webhook.deactivated',
        targetType: 'webhook',
        targetId: d.webhookId,
        outcome: 'OK',
        detail: { reason: '410 Gone', deliveryId: d.id },
      });
    }
    if (decision.kind === 'dead' && moved)
      await appendAudit(ctx.db, SYSTEM, {
        action: 'webhook.deadLettered',
        targetType: 'webhook_delivery',
        targetId: d.id,
        outcome: 'OK',
        detail: { webhookId: d.webhookId, attempts: attempt, lastStatus: res.status },
      });
    return moved;
  });
  if (decision.kind === 'gone') logger.warn({ webhookId: d.webhookId }, 'webhook deactivated: the receiver answered 410 Gone');
  if (decision.kind === 'dead' && moved)
    logger.warn({ webhookId: d.webhookId, deliveryId: d.id, attempts: attempt }, 'webhook delivery dead-lettered after its last retry');
  // A replay or cancellation made during the attempt has taken over: nothing more to queue here.
  if (!moved) return { outcome: 'skipped' };
  if (decision.kind === 'retry') return { outcome: 'retry', attempts: attempt, generation: d.generation, retryInMs: decision.delayMs };
  return { outcome: decision.kind, attempts: attempt };
}

/** Queues an attempt of a delivery, `delayMs` from now; a lost one is re-added by the relay's sweep. */
export async function queueDelivery(jobs: Jobs, d: DeliveryRef, delayMs = 0): Promise<void> {
  const deliveryId = d.id;
  await jobs
    .add('notify', { deliveryId, attempts: d.attempts, generation: d.generation }, delayMs)
    .catch((err: unknown) => logger.warn({ deliveryId, err }, 'webhook delivery not queued; the relay sweep will re-add it'));
}
