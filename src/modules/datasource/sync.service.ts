import { CONNECTORS } from '../../../connectors/registry';
import { FeedError } from '../../../connectors/connector';
import { withTransaction } from '../../platform/context';
import { logger } from '../../platform/logger';
import type { HubContext } from '../context';
import { MAX_BATCH, ingest } from '../ingest/ingest.service';
import { addRunCounts, advanceBackfillCursor, advanceCursor, failRunIfOpen, findRun, findSource, markRun } from './datasource.repository';

/**
 * Readings asked of a connector per page unless the deployment says otherwise (`HUB_SYNC_PAGE_SIZE`, up to
 * {@link MAX_BATCH}). A page is one transaction that locks, summarises and moves `lastReadingAt` once for each of
 * its meters, so a feed whose pages each carry many readings per meter ingests several times faster per reading
 * (README, "Benchmarks": ingest by batch size); a smaller page re-fetches less after a failure.
 */
export const PAGE_SIZE = 1000;

/** No retry can help: the run, its source or its connector is unusable (the job fails for good). */
export class PermanentSyncError extends Error {
  override readonly name = 'PermanentSyncError';
}

/** What the caller (the sync job, a test) lends a run: cancellation and a progress report. */
export interface SyncControl {
  signal?: AbortSignal;
  /** Readings per page (1 to {@link MAX_BATCH}; default {@link PAGE_SIZE}). */
  pageSize?: number;
  progress?(p: { cursor: string | null; touchedMeters: number }): Promise<void>;
}

/** Pulling a data source's feed into readings: the work behind the sync job. */
export const syncService = {
  /**
   * Pulls a run's data source from its cursor to the end of its feed. Each page is stored
   * and the cursor advanced in one transaction, so a crash (even SIGKILL) loses no reading
   * and a rerun duplicates none. A feed that is down fails the run with its error (thrown,
   * so the job retries with backoff); bad settings fail it for good (`PermanentSyncError`).
   * Then detection is queued for the meters that received readings.
   */
  async run(ctx: HubContext, runId: string, control: SyncControl = {}): Promise<void> {
    const limit = control.pageSize ?? PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BATCH)
      throw new RangeError(`sync page size must be a whole number from 1 to ${MAX_BATCH}, got ${limit}`);
    const run = await findRun(ctx.db, runId);
    if (!run) throw new PermanentSyncError(`sync run ${runId} does not exist`);
    if (run.status === 'SUCCEEDED') return;
    const source = await findSource(ctx.db, run.sourceId);
    const def = source && CONNECTORS[source.connector];
    if (!source || !def) {
      await markRun(ctx.db, runId, { status: 'FAILED', error: `unknown connector ${source?.connector}`, finished: true });
      throw new PermanentSyncError(`data source of run ${runId} has no usable connector`);
    }
    await markRun(ctx.db, runId, { status: 'RUNNING', started: true });
    const touched = new Set<string>();
    // The outbound address policy goes with it: every connection is checked again after DNS (rebinding).
    const connector = def.create(def.parseConfig({ ...source.config, ...source.secrets }), { policy: ctx.webhooks.policy });
    // A backfill run reads [rangeFrom, rangeTo] from its own cursor; a sync reads on from the source's.
    const backfill = run.rangeTo ? { to: run.rangeTo } : null;
    let cursor = backfill ? (await findRun(ctx.db, runId))!.backfillCursor : (await findSource(ctx.db, source.id))!.cursor;
    try {
      for (;;) {
        const page = await connector.fetchPage(cursor, { limit, signal: control.signal });
        const readings = backfill ? page.readings.filter((r) => r.readAt <= backfill.to) : page.readings;
        const pastRange = backfill !== null && readings.length < page.readings.length;
        await withTransaction(ctx, async (ctx) => {
          const out = await ingest(ctx, readings);
          const moved = backfill
            ? await advanceBackfillCursor(ctx.db, runId, cursor, page.nextCursor)
            : await advanceCursor(ctx.db, source.id, cursor, page.nextCursor);
          if (!moved) throw new FeedError(`another sync of ${source.name} moved its cursor; this run stops without storing its page`, false);
          await addRunCounts(ctx.db, runId, {
            ingested: out.accepted,
            duplicate: out.duplicates,
            rejected: [...page.rejected, ...out.rejected.map((r) => ({ position: r.index, reason: r.reason }))],
          });
          out.touchedMeterIds.forEach((id) => touched.add(id));
        });
        cursor = page.nextCursor;
        await control.progress?.({ cursor, touchedMeters: touched.size });
        if (page.done || pastRange) break;
      }
      await markRun(ctx.db, runId, { status: 'SUCCEEDED', finished: true });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await markRun(ctx.db, runId, { status: 'FAILED', error: message.slice(0, 1000), finished: true });
      logger.warn({ source: source.name, runId, err: message }, 'sync failed');
      if (e instanceof FeedError && !e.retryable) throw new PermanentSyncError(message);
      throw e;
    } finally {
      await connector.close?.();
    }
    if (touched.size) await ctx.jobs.add('detect', { meterIds: [...touched], reason: `run:${runId}` });
  },

  /** The run failed for good (retries used up, or its worker died with it twice): it says FAILED, so the source can sync again. */
  async failed(ctx: HubContext, runId: string, error: string): Promise<void> {
    await failRunIfOpen(ctx.db, runId, error.slice(0, 1000));
  },
};
