import { hubJobs, startScheduler } from '../jobs';
import type { HubDeps } from './modules/context';
import { CreditPolicy } from './modules/policy/credit-policy';
import type { PolicyRegistry } from './modules/policy/policy-registry';
import { ratingChannel } from './modules/rating-feed/rating-bus';
import { EventPublisher, LocalEventPublisher, OutboxRelay, RedisEventPublisher } from './modules/outbox/relay';
import { outboundPolicy } from './platform/net/address-policy';
import { queueDelivery } from './modules/webhook/webhook.delivery';
import { NotifyConfig, QueueTiming } from './platform/config';
import { Database } from './platform/db';
import { logger } from './platform/logger';
import { InProcessJobQueue, JobQueue, RedisJobQueue } from './platform/queue';

export interface JobsHandle {
  queue: JobQueue;
  /** What every context of this process is made from (`createContext(deps, …)`): the database, `jobs` on this queue, policies, webhook settings. */
  deps: HubDeps;
  /** Runs every queue's worker and the outbox relay here (and, unless told otherwise, the scheduler tick). */
  startWorkers(opts?: { scheduler?: boolean; relay?: boolean }): Promise<void>;
  /** The outbox relay, once workers run (tests drive it directly). */
  relay?: OutboxRelay;
  stop(): Promise<void>;
}

export const DEFAULT_NOTIFY: NotifyConfig = { allowPrivate: [], retryScale: 1, outboxPollMs: 1000 };

/**
 * Startup wiring of the queue, its workers, the outbox relay and the scheduler (API process
 * and `hub worker`). Opens the job queue (BullMQ on `redisUrl`, else in-process) and the
 * dependencies every context is made from; workers and the relay start separately, once
 * the database is migrated.
 */
export async function openJobs(opts: {
  redisUrl?: string;
  queuePrefix?: string;
  db: Database;
  /** The shipped policies (a registry over `db` is made of them), or the process's registry. */
  policies: readonly CreditPolicy[] | PolicyRegistry;
  notify?: NotifyConfig;
  queueTiming?: QueueTiming;
  /** Readings per sync page (`HubConfig.syncPageSize`); absent: the sync's default. */
  syncPageSize?: number;
}): Promise<JobsHandle> {
  const notify = opts.notify ?? DEFAULT_NOTIFY;
  const prefix = opts.queuePrefix ?? 'hub';
  const queue: JobQueue = opts.redisUrl ? await RedisJobQueue.connect(opts.redisUrl, prefix, opts.queueTiming) : new InProcessJobQueue();
  const { deps, definitions } = hubJobs(queue, {
    database: opts.db,
    policies: opts.policies,
    webhooks: { policy: outboundPolicy(notify), retryScale: notify.retryScale, creditPlatform: notify.creditPlatform },
    syncPageSize: opts.syncPageSize,
  });
  let stopScheduler = () => undefined as void;
  const handle: JobsHandle = {
    queue,
    deps,
    async startWorkers({ scheduler = true, relay = true } = {}) {
      await queue.startWorkers(definitions);
      if (scheduler) stopScheduler = startScheduler(deps.jobs);
      if (!relay) return;
      const publisher: EventPublisher = opts.redisUrl ? new RedisEventPublisher(opts.redisUrl, ratingChannel(prefix)) : new LocalEventPublisher();
      handle.relay = new OutboxRelay(
        opts.db,
        publisher,
        async (deliveries) => {
          for (const d of deliveries) await queueDelivery(deps.jobs, d);
        },
        { pollMs: notify.outboxPollMs },
      );
      await handle.relay.start();
      logger.info({ queue: queue.kind, scheduler }, 'workers and outbox relay started');
    },
    async stop() {
      stopScheduler();
      await deps.policies.stop();
      await handle.relay?.stop();
      await queue.close();
    },
  };
  return handle;
}
