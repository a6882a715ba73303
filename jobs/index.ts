import { JobName, Jobs, jobsOn } from '../src/platform/jobs';
import { JobDefinition, JobQueue } from '../src/platform/queue';
import type { HubDeps } from '../src/modules/context';
import type { CreditPolicy } from '../src/modules/policy/credit-policy';
import { PolicyRegistry } from '../src/modules/policy/policy-registry';
import { detectJob } from './detect.job';
import { evaluateJob } from './evaluate.job';
import { HubJob, bindJob } from './job';
import { notifyJob } from './notify.job';
import { syncJob } from './sync.job';
import { TICK_SECONDS, tickJob } from './tick.job';

/** Every job the workers handle; the registry refuses a name without (or with two) handlers at boot. */
export const ALL_JOBS: HubJob<JobName>[] = [syncJob, detectJob, evaluateJob, tickJob, notifyJob];

/**
 * The process's dependencies with `jobs` enqueueing on `queue`, and the job definitions
 * the workers run, whose handlers get those dependencies. Policies given as a list become
 * the process's registry over `base.database` (shipped files; published ones once it is started).
 */
export function hubJobs(
  queue: JobQueue,
  base: Omit<HubDeps, 'jobs' | 'policies'> & { policies: readonly CreditPolicy[] | PolicyRegistry },
): { deps: HubDeps; definitions: JobDefinition<unknown>[] } {
  const definitions = ALL_JOBS.map((j) => bindJob(j, () => deps));
  const deps: HubDeps = { ...base, policies: PolicyRegistry.of(base.policies, base.database), jobs: jobsOn(queue, definitions) };
  return { deps, definitions };
}

/** Adds the scheduler tick every TICK_SECONDS from this process; returns a stop function. */
export function startScheduler(jobs: Jobs): () => void {
  const tick = () => {
    const slot = Math.floor(Date.now() / 1000 / TICK_SECONDS);
    jobs.add('tick', { slot }).catch(() => undefined);
  };
  const timer = setInterval(tick, TICK_SECONDS * 1000);
  timer.unref();
  tick();
  return () => clearInterval(timer);
}
