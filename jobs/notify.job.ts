import { logger } from '../src/platform/logger';
import { JobDefinition } from '../src/platform/queue';
import { attemptDelivery } from '../src/modules/webhook/webhook.delivery';
import type { DeliveryRef } from '../src/modules/webhook/webhook.repository';
import { jobRuntime, jobs } from './runtime';

export interface NotifyPayload {
  deliveryId: string;
  /** The delivery's round (a replay starts a new one) and the attempts made in it: both in the id, so each retry is its own job. */
  generation: number;
  attempts: number;
}

/**
 * One webhook delivery attempt. The delivery row in Postgres is the truth (status, next
 * attempt, lease); this job only carries it, so a lost job (Redis flushed) is re-added by
 * the relay's sweep and a duplicate one finds nothing due and ends.
 */
export const notifyJob: JobDefinition<NotifyPayload> = {
  name: 'notify',
  queue: 'notify',
  jobId: (p) => `notify:${p.deliveryId}:${p.generation ?? 0}:${p.attempts}`,
  attempts: 3,
  backoffMs: 2000,
  forgetWhenDone: true,
  async handle({ deliveryId }) {
    const { db, notify } = jobRuntime();
    const result = await attemptDelivery(db, deliveryId, notify);
    if (result.outcome === 'retry') await queueDelivery({ id: deliveryId, attempts: result.attempts, generation: result.generation }, result.retryInMs);
  },
};

/** Queues an attempt of a delivery, `delayMs` from now. */
export async function queueDelivery(d: DeliveryRef, delayMs = 0): Promise<void> {
  const deliveryId = d.id;
  await jobs()
    .add(notifyJob, { deliveryId, attempts: d.attempts, generation: d.generation }, delayMs)
    .catch((err) => logger.warn({ deliveryId, err: err.message }, 'webhook delivery not queued; the relay sweep will re-add it'));
}
