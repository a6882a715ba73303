import { ALL_JOBS, startScheduler } from '../../jobs';
import { setJobRuntime } from '../../jobs/runtime';
import { CreditPolicy } from '../modules/policy/credit-policy';
import { Database } from './db';
import { logger } from './logger';
import { InProcessJobQueue, JobQueue, RedisJobQueue } from './queue';

export interface JobsHandle {
  queue: JobQueue;
  /** Runs every queue's worker here (and, unless told otherwise, the scheduler tick). */
  startWorkers(opts?: { scheduler?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Opens the job queue (BullMQ on `redisUrl`, else in-process) and makes it the process's
 * job runtime. Workers start separately, once the database is migrated.
 */
export async function openJobs(opts: { redisUrl?: string; queuePrefix?: string; db: Database; policies: CreditPolicy[] }): Promise<JobsHandle> {
  const queue: JobQueue = opts.redisUrl ? await RedisJobQueue.connect(opts.redisUrl, opts.queuePrefix) : new InProcessJobQueue();
  setJobRuntime({ queue, db: opts.db, policies: opts.policies });
  let stopScheduler = () => undefined as void;
  return {
    queue,
    async startWorkers({ scheduler = true } = {}) {
      await queue.startWorkers(ALL_JOBS);
      if (scheduler) stopScheduler = startScheduler();
      logger.info({ queue: queue.kind, scheduler }, 'workers started');
    },
    async stop() {
      stopScheduler();
      await queue.close();
      setJobRuntime(undefined);
    },
  };
}
