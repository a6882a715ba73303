import { logger } from '../../platform/logger';
import type { HubContext } from '../context';
import { dataSourceService } from '../datasource/datasource.service';
import { dueSources } from '../datasource/datasource.repository';
import { OUTBOX_RETENTION_DAYS } from '../outbox/outbox';
import { pruneOutbox } from '../outbox/outbox.repository';
import { pruneKeys } from '../idempotency/idempotency.repository';
import { IDEMPOTENCY_RETENTION_HOURS } from '../idempotency/idempotency.rules';
import { platformPushService } from '../filing/platform-push.service';
import { logChainHead } from '../audit/audit.chain';
import { PARTITION_MONTHS_AHEAD, ensureReadingPartitions } from '../meter/reading-partitions';
// Registers filing's determination hook and deadline recomputer in every process that runs the scheduler (workers too).
import '../filing/filing.service';

/** Seconds between scheduler ticks; every process adds the tick with the same id per slot, so one runs. */
export const TICK_SECONDS = 10;
/** Scheduled detection over every enterprise, for meters that fell silent. */
export const DETECT_EVERY_SECONDS = 3600;
/** Scheduled re-grading of every enterprise (the calendar moves records out of the period). */
export const EVALUATE_EVERY_SECONDS = 86_400;

/** The scheduler's work, one tick at a time. */
export const scheduleService = {
  /**
   * Re-queues sync runs whose job was lost (`requeueSilent`), syncs sources whose `everyMs` has passed since their last run, queues detection for
   * everyone once per hour (and makes meter_reading's month partitions ahead), re-grading once per day and then prunes the outbox (published
   * events older than OUTBOX_RETENTION_DAYS) and Idempotency-Keys past their retention, and logs the audit chain's head. `slot`: the tick's number (epoch seconds / TICK_SECONDS).
   */
  async tick(ctx: HubContext, slot: number): Promise<void> {
    await dataSourceService.requeueSilent(ctx).catch((err: unknown) => logger.warn({ err }, 'silent sync runs not looked after'));
    for (const s of await dueSources(ctx.db))
      await dataSourceService.trigger(ctx, s.id).catch((err: unknown) => logger.warn({ source: s.name, err }, 'scheduled sync not queued'));
    // Pushes to the city credit platform that are due (new ones and retries); a failure waits for the next tick.
    await platformPushService.deliverDue(ctx).catch((err: unknown) => logger.warn({ err }, 'credit platform pushes not sent'));
    const detectSlot = Math.floor((slot * TICK_SECONDS) / DETECT_EVERY_SECONDS);
    const second = slot * TICK_SECONDS;
    if (second % DETECT_EVERY_SECONDS < TICK_SECONDS) {
      await ctx.jobs.add('detect', { reason: `slot:${detectSlot}` });
      // meter_reading's month partitions, three ahead (a hub down over a month end catches up here; the default partition holds the rows meanwhile).
      await ensureReadingPartitions(ctx.db)
        .then((made) => made && logger.info({ made, ahead: PARTITION_MONTHS_AHEAD }, 'meter_reading: month partitions created'))
        .catch((err: unknown) => logger.warn({ err }, 'meter_reading month partitions not created; retried next hour'));
    }
    if (second % EVALUATE_EVERY_SECONDS < TICK_SECONDS) {
      await ctx.jobs.add('evaluate', { reason: `day:${Math.floor(second / EVALUATE_EVERY_SECONDS)}` });
      let pruned = 0;
      for (let n = -1; n !== 0; pruned += n) n = await pruneOutbox(ctx.db);
      if (pruned) logger.info({ events: pruned, olderThanDays: OUTBOX_RETENTION_DAYS }, 'outbox: old published events and their deliveries removed');
      let keys = 0;
      for (let n = -1; n !== 0; keys += n) n = await pruneKeys(ctx.db);
      if (keys) logger.info({ keys, olderThanHours: IDEMPOTENCY_RETENTION_HOURS }, 'idempotency keys past their retention removed');
      // The audit chain's head, outside the database: a rewrite of the whole table no longer matches it (`hub audit verify --anchor`).
      await logChainHead(ctx.db).catch((err: unknown) => logger.error({ err }, 'audit chain head not read'));
    }
  },
};
