import { CONNECTORS } from '../connectors/registry';
import { FeedError } from '../connectors/connector';
import { logger } from '../src/platform/logger';
import { JobDefinition, UnrecoverableJobError } from '../src/platform/queue';
import { addRunCounts, advanceBackfillCursor, advanceCursor, findRun, findSource, markRun } from '../src/modules/datasource/datasource.repository';
import { ingest } from '../src/modules/ingest/ingest.service';
import { jobRuntime, jobs } from './runtime';
import { detectJob } from './detect.job';

export interface SyncPayload {
  runId: string;
}

/** Readings asked of a connector per page. */
export const PAGE_SIZE = 1000;

/**
 * Pulls a data source from its cursor to the end of its feed. Each page is stored and the
 * cursor advanced in one transaction, so a crash (even SIGKILL) loses no reading and a
 * rerun duplicates none. A feed that is down fails the run with its error and is retried
 * with exponential backoff; bad settings fail it for good. Then detection runs for the
 * meters that received readings.
 */
export const syncJob: JobDefinition<SyncPayload> = {
  name: 'sync',
  queue: 'sync',
  jobId: (p) => `sync-run:${p.runId}`,
  attempts: 5,
  backoffMs: 5_000,
  /** Failed for good (incl. a worker that died with it twice): the run says FAILED, so the source can sync again. */
  async onFailed({ runId }, error) {
    await jobRuntime().db.manager.query(
      `UPDATE sync_run SET status = 'FAILED', finished_at = now(), error = coalesce(error, $2) WHERE id = $1 AND status IN ('QUEUED','RUNNING')`,
      [runId, error.message.slice(0, 1000)],
    );
  },
  async handle({ runId }, { signal, progress }) {
    const { db } = jobRuntime();
    const run = await findRun(db.manager, runId);
    if (!run) throw new UnrecoverableJobError(`sync run ${runId} does not exist`);
    if (run.status === 'SUCCEEDED') return;
    const source = await findSource(db.manager, run.sourceId);
    const def = source && CONNECTORS[source.connector];
    if (!source || !def) {
      await markRun(db.manager, runId, { status: 'FAILED', error: `unknown connector ${source?.connector}`, finished: true });
      throw new UnrecoverableJobError(`data source of run ${runId} has no usable connector`);
    }
    await markRun(db.manager, runId, { status: 'RUNNING', started: true });
    const touched = new Set<string>();
    const connector = def.create(def.parseConfig({ ...source.config, ...source.secrets }));
    // A backfill run reads [rangeFrom, rangeTo] from its own cursor; a sync reads on from the source's.
    const backfill = run.rangeTo ? { to: run.rangeTo } : null;
    let cursor = backfill ? (await findRun(db.manager, runId))!.backfillCursor : (await findSource(db.manager, source.id))!.cursor;
    try {
      for (;;) {
        const page = await connector.fetchPage(cursor, { limit: PAGE_SIZE, signal });
        const readings = backfill ? page.readings.filter((r) => r.readAt <= backfill.to) : page.readings;
        const pastRange = backfill !== null && readings.length < page.readings.length;
        await db.transaction(async (m) => {
          const out = await ingest(m, readings);
          const moved = backfill
            ? await advanceBackfillCursor(m, runId, cursor, page.nextCursor)
            : await advanceCursor(m, source.id, cursor, page.nextCursor);
          if (!moved) throw new FeedError(`another sync of ${source.name} moved its cursor; this run stops without storing its page`, false);
          await addRunCounts(m, runId, {
            ingested: out.accepted,
            duplicate: out.duplicates,
            rejected: [...page.rejected, ...out.rejected.map((r) => ({ position: r.index, reason: r.reason }))],
          });
          out.touchedMeterIds.forEach((id) => touched.add(id));
        });
        cursor = page.nextCursor;
        await progress({ cursor, touchedMeters: touched.size });
        if (page.done || pastRange) break;
      }
      await markRun(db.manager, runId, { status: 'SUCCEEDED', finished: true });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await markRun(db.manager, runId, { status: 'FAILED', error: message.slice(0, 1000), finished: true });
      logger.warn({ source: source.name, runId, err: message }, 'sync failed');
      if (e instanceof FeedError && !e.retryable) throw new UnrecoverableJobError(message);
      throw e;
    } finally {
      await connector.close?.();
    }
    if (touched.size) await jobs().add(detectJob, { meterIds: [...touched], reason: `run:${runId}` });
  },
};
