import { ALL_JOBS, startScheduler } from '../../jobs';
import { setJobRuntime } from '../../jobs/runtime';
import { CreditPolicy } from '../modules/policy/credit-policy';
import { Database } from './db';
import { logger } from './logger';
import { InProcessJobQueue, JobQueue, RedisJobQueue } from './queue';

export interface JobsHandle {
  queue: JobQueue;
  stop(): Promise<void>;
}

/**
 * Opens the job queue (BullMQ on `redisUrl`, else in-process) and makes it the process's
 * job runtime; with `workers`, also runs every queue's worker and the scheduler tick.
 */
export async function startJobs(opts: {
  redisUrl?: string;
  db: Database;
  policies: CreditPolicy[];
  workers: boolean;
  /** Default: with the workers. */
  scheduler?: boolean;
}): Promise<JobsHandle> {
  const queue: JobQueue = opts.redisUrl ? await RedisJobQueue.connect(opts.redisUrl) : new InProcessJobQueue();
  setJobRuntime({ queue, db: opts.db, policies: opts.policies });
  let stopScheduler = () => undefined as void;
  if (opts.workers) {
    await queue.startWorkers(ALL_JOBS);
  }
  if (opts.scheduler ?? opts.workers) stopScheduler = startScheduler();
  logger.info({ queue: queue.kind, workers: opts.workers }, 'jobs started');
  return {
    queue,
    async stop() {
      stopScheduler();
      await queue.close();
      setJobRuntime(undefined);
    },
  };
}
