import type { JobPayloads } from '../src/platform/jobs';
import { systemContext } from '../src/modules/context';
import { attemptDelivery, queueDelivery } from '../src/modules/webhook/webhook.delivery';
import { HubJob } from './job';

export type NotifyPayload = JobPayloads['notify'];

/**
 * One webhook delivery attempt. The delivery row in Postgres is the truth (status, next
 * attempt, lease); this job only carries it, so a lost job (Redis flushed) is re-added by
 * the relay's sweep and a duplicate one finds nothing due and ends.
 */
export const notifyJob: HubJob<'notify'> = {
  name: 'notify',
  queue: 'notify',
  jobId: (p) => `notify:${p.deliveryId}:${p.generation ?? 0}:${p.attempts}`,
  attempts: 3,
  backoffMs: 2000,
  forgetWhenDone: true,
  async handle({ deliveryId }, _run, deps) {
    const result = await attemptDelivery(systemContext(deps, 'notify'), deliveryId);
    if (result.outcome === 'retry')
      await queueDelivery(deps.jobs, { id: deliveryId, attempts: result.attempts, generation: result.generation }, result.retryInMs);
  },
};
