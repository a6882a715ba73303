import { logger } from '../src/platform/logger';
import { JobDefinition } from '../src/platform/queue';
import { attemptDelivery } from '../src/modules/notify/webhook.delivery';
import { jobRuntime, jobs } from './runtime';

export interface NotifyPayload {
  deliveryId: string;
  /** Attempts made before this one: part of the id, so each retry is its own job. */
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
  jobId: (p) => `notify:${p.deliveryId}:${p.attempts}`,
  attempts: 3,
  backoffMs: 2000,
  forgetWhenDone: true,
  async handle({ deliveryId }) {
    const { db, notify } = jobRuntime();
    const result = await attemptDelivery(db, deliveryId, notify);
    if (result.outcome === 'retry') await queueDelivery(deliveryId, result.attempts, result.retryInMs);
  },
};

/** Queues an attempt of a delivery, `delayMs` from now. */
export async function queueDelivery(deliveryId: string, attempts: number, delayMs = 0): Promise<void> {
  await jobs()
    .add(notifyJob, { deliveryId, attempts }, delayMs)
    .catch((err) => logger.warn({ deliveryId, err: err.message }, 'webhook delivery not queued; the relay sweep will re-add it'));
}
