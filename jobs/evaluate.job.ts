import type { JobPayloads } from '../src/platform/jobs';
import { systemContext } from '../src/modules/context';
import { ratingService } from '../src/modules/rating/rating.service';
import { HubJob } from './job';
import { logger } from '../src/platform/logger';

export type EvaluatePayload = JobPayloads['evaluate'];

/**
 * Re-grades enterprises as of now. Scheduled daily, so grades follow the calendar without
 * any new record: records leave the period, a new policy version comes into force.
 * When no policy is in force it logs a warning and does nothing (no retry, no failure).
 * Unchanged results are confirmed, not stored again (see `ratingService.reevaluateAll`).
 */
export const evaluateJob: HubJob<'evaluate'> = {
  name: 'evaluate',
  queue: 'evaluate',
  jobId: (p) => `evaluate:${p.reason}`,
  attempts: 3,
  backoffMs: 30_000,
  async handle(p, _run, deps) {
    const done = await ratingService.reevaluateAll(systemContext(deps, 'evaluate'), p.enterpriseIds);
    // Counts only: how many results changed (stored) and how many were confirmed unchanged.
    logger.info({ reason: p.reason, ...done }, 're-grade done');
  },
};
