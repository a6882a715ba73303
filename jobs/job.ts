import type { JobName, JobPayloads } from '../src/platform/jobs';
import type { JobDefinition } from '../src/platform/queue';
import type { HubDeps } from '../src/modules/context';

/** What the queue lends a running job. */
export type JobRun = Parameters<JobDefinition<unknown>['handle']>[1];

/**
 * A job of the hub: its queue, natural id and options (the `JobDefinition` without its
 * handler), and a thin handler: parse the payload, build a system context from `deps`,
 * call one service. `deps` is what the process was started with (src/workers.ts); no job
 * reads a global.
 */
export interface HubJob<N extends JobName> extends Omit<JobDefinition<JobPayloads[N]>, 'name' | 'handle' | 'onFailed'> {
  name: N;
  handle(payload: JobPayloads[N], run: JobRun, deps: HubDeps): Promise<void>;
  onFailed?(payload: JobPayloads[N], error: Error, deps: HubDeps): Promise<void>;
}

/** The queue's definition of a hub job, its handler given `deps()` (read when a job runs). */
export function bindJob<N extends JobName>(job: HubJob<N>, deps: () => HubDeps): JobDefinition<JobPayloads[N]> {
  return {
    ...job,
    handle: (payload, run) => job.handle(payload, run, deps()),
    onFailed: job.onFailed && ((payload, error) => job.onFailed!(payload, error, deps())),
  };
}
