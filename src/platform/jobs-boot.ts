import { ALL_JOBS, startScheduler } from '../../jobs';
import { queueDelivery } from '../../jobs/notify.job';
import { setJobRuntime } from '../../jobs/runtime';
import { CreditPolicy } from '../modules/policy/credit-policy';
import { ratingChannel } from '../modules/rating-feed/rating-bus';
import { EventPublisher, LocalEventPublisher, OutboxRelay, RedisEventPublisher } from '../modules/outbox/relay';
import { AddressPolicy } from '../modules/webhook/url-guard';
import { NotifyConfig, QueueTiming } from './config';
import { Database } from './db';
import { logger } from './logger';
import { InProcessJobQueue, JobQueue, RedisJobQueue } from './queue';

export interface JobsHandle {
  queue: JobQueue;
  /** Runs every queue's worker and the outbox relay here (and, unless told otherwise, the scheduler tick). */
  startWorkers(opts?: { scheduler?: boolean; relay?: boolean }): Promise<void>;
  /** The outbox relay, once workers run (tests drive it directly). */
  relay?: OutboxRelay;
  stop(): Promise<void>;
}

export const DEFAULT_NOTIFY: NotifyConfig = { allowPrivate: [], retryScale: 1, outboxPollMs: 1000 };

/**
 * Opens the job queue (BullMQ on `redisUrl`, else in-process) and makes it the process's
 * job runtime. Workers and the relay start separately, once the database is migrated.
 */
export async function openJobs(opts: { redisUrl?: string; queuePrefix?: string; db: Database; policies: CreditPolicy[]; notify?: NotifyConfig; queueTiming?: QueueTiming }): Promise<JobsHandle> {
  const notify = opts.notify ?? DEFAULT_NOTIFY;
  const prefix = opts.queuePrefix ?? 'hub';
  const queue: JobQueue = opts.redisUrl ? await RedisJobQueue.connect(opts.redisUrl, prefix, opts.queueTiming) : new InProcessJobQueue();
  setJobRuntime({ queue, db: opts.db, policies: opts.policies, notify: { policy: new AddressPolicy(notify.allowPrivate), retryScale: notify.retryScale } });
  let stopScheduler = () => undefined as void;
  const handle: JobsHandle = {
    queue,
    async startWorkers({ scheduler = true, relay = true } = {}) {
      await queue.startWorkers(ALL_JOBS);
      if (scheduler) stopScheduler = startScheduler();
      if (!relay) return;
      const publisher: EventPublisher = opts.redisUrl ? new RedisEventPublisher(opts.redisUrl, ratingChannel(prefix)) : new LocalEventPublisher();
      handle.relay = new OutboxRelay(
        opts.db,
        publisher,
        async (deliveries) => {
          for (const d of deliveries) await queueDelivery(d);
        },
        { pollMs: notify.outboxPollMs },
      );
      await handle.relay.start();
      logger.info({ queue: queue.kind, scheduler }, 'workers and outbox relay started');
    },
    async stop() {
      stopScheduler();
      await handle.relay?.stop();
      await queue.close();
      setJobRuntime(undefined);
    },
  };
  return handle;
}
