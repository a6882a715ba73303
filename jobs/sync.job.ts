import type { JobPayloads } from '../src/platform/jobs';
import { UnrecoverableJobError } from '../src/platform/queue';
import { systemContext } from '../src/modules/context';
import { PermanentSyncError, syncService } from '../src/modules/datasource/sync.service';
import { HubJob } from './job';

export type SyncPayload = JobPayloads['sync'];

/**
 * Pulls a data source from its cursor to the end of its feed (`syncService.run`). A feed
 * that is down is retried with exponential backoff; bad settings fail the run for good.
 */
export const syncJob: HubJob<'sync'> = {
  name: 'sync',
  queue: 'sync',
  jobId: (p) => `sync-run:${p.runId}`,
  attempts: 5,
  backoffMs: 5_000,
  /** Failed for good (incl. a worker that died with it twice): the run says FAILED, so the source can sync again. */
  async onFailed({ runId }, error, deps) {
    await syncService.failed(systemContext(deps, 'sync'), runId, error.message);
  },
  async handle({ runId }, run, deps) {
    try {
      await syncService.run(systemContext(deps, 'sync'), runId, { signal: run.signal, progress: (p) => run.progress(p), pageSize: deps.syncPageSize });
    } catch (e) {
      if (e instanceof PermanentSyncError) throw new UnrecoverableJobError(e.message);
      throw e;
    }
  },
};
