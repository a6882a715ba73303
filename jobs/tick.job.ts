import { logger } from '../src/platform/logger';
import { JobDefinition } from '../src/platform/queue';
import { rows } from '../src/platform/sql';
import { dataSourceService } from '../src/modules/datasource/datasource.service';
import { OUTBOX_RETENTION_DAYS, pruneOutbox } from '../src/modules/outbox/outbox';
import { detectJob } from './detect.job';
import { evaluateJob } from './evaluate.job';
import { jobs, systemContext } from './runtime';

/** Seconds between scheduler ticks; every process adds the tick with the same id per slot, so one runs. */
export const TICK_SECONDS = 10;
/** Scheduled detection over every enterprise, for meters that fell silent. */
export const DETECT_EVERY_SECONDS = 3600;
/** Scheduled re-grading of every enterprise (the calendar moves records out of the period). */
export const EVALUATE_EVERY_SECONDS = 86_400;

export interface TickPayload {
  slot: number;
}

/**
 * The scheduler: syncs sources whose `everyMs` has passed since their last run, runs
 * detection for everyone once per hour, re-grades everyone once per day and then prunes
 * the outbox (published events older than OUTBOX_RETENTION_DAYS).
 */
export const tickJob: JobDefinition<TickPayload> = {
  name: 'tick',
  queue: 'maintenance',
  jobId: (p) => `tick:${p.slot}`,
  attempts: 1,
  backoffMs: 1000,
  async handle({ slot }) {
    const ctx = systemContext('scheduler');
    const due = await rows<{ id: string; name: string }>(
      ctx.manager,
      `SELECT s.id, s.name FROM data_source s
        WHERE s.enabled AND s.every_ms IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM sync_run r WHERE r.source_id = s.id
                           AND (r.status IN ('QUEUED','RUNNING') OR r.queued_at > now() - make_interval(secs => s.every_ms / 1000.0)))`,
    );
    for (const s of due) await dataSourceService.trigger(ctx, s.id).catch((err) => logger.warn({ source: s.name, err: err.message }, 'scheduled sync not queued'));
    const detectSlot = Math.floor((slot * TICK_SECONDS) / DETECT_EVERY_SECONDS);
    const second = slot * TICK_SECONDS;
    if (second % DETECT_EVERY_SECONDS < TICK_SECONDS) await jobs().add(detectJob, { reason: `slot:${detectSlot}` });
    if (second % EVALUATE_EVERY_SECONDS < TICK_SECONDS) {
      await jobs().add(evaluateJob, { reason: `day:${Math.floor(second / EVALUATE_EVERY_SECONDS)}` });
      let pruned = 0;
      for (let n = -1; n !== 0; pruned += n) n = await pruneOutbox(ctx.manager);
      if (pruned) logger.info({ events: pruned, olderThanDays: OUTBOX_RETENTION_DAYS }, 'outbox: old published events and their deliveries removed');
    }
  },
};
