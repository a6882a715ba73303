import type { JobDefinition, JobQueue } from './queue';

/**
 * The work the hub can queue, by name, with its payload (ids only, never personal data).
 * Services enqueue through `ctx.jobs.add('sync', { runId })`; the handlers live in `jobs/`,
 * so a module never imports a job.
 */
export interface JobPayloads {
  sync: { runId: string };
  /** `meterIds`: meters that received readings (after a sync); absent: every enterprise (the schedule). `reason`: `run:<syncRunId>` or `slot:<epoch slot>`. */
  detect: { meterIds?: string[]; reason: string };
  /** `enterpriseIds` absent: all of them. `reason`: the trigger's natural id, e.g. `day:<n>`. */
  evaluate: { enterpriseIds?: string[]; reason: string };
  tick: { slot: number };
  /** The delivery's round (a replay starts a new one) and the attempts made in it: both in the id, so each retry is its own job. */
  notify: { deliveryId: string; generation: number; attempts: number };
}

export type JobName = keyof JobPayloads;

/** Every job name, for the registry's check that each has one handler. */
export const JOB_NAMES: readonly JobName[] = ['sync', 'detect', 'evaluate', 'tick', 'notify'];

/** What the context's `jobs` does: queue work by name (a repeat of the same natural id is a no-op). */
export interface Jobs {
  add<N extends JobName>(name: N, payload: JobPayloads[N], delayMs?: number): Promise<void>;
  /** Queues the work again unless its job is waiting or running (false then): for work whose job may have been lost (Redis flushed). */
  requeue<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<boolean>;
}

/** `Jobs` over a queue and the job definitions (their ids and options); refuses a name without a definition. */
export function jobsOn(queue: JobQueue, defs: readonly JobDefinition<unknown>[]): Jobs {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const missing = JOB_NAMES.filter((n) => !byName.has(n));
  if (missing.length) throw new Error(`no job definition for ${missing.join(', ')}`);
  return {
    add(name, payload, delayMs) {
      return queue.add(byName.get(name)!, payload, delayMs);
    },
    requeue(name, payload) {
      return queue.requeue(byName.get(name)!, payload);
    },
  };
}
