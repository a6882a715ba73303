import { JobDefinition } from '../src/platform/queue';
import { rows } from '../src/platform/sql';
import { lockEnterpriseById } from '../src/modules/enterprise/enterprise.repository';
import { ratingService } from '../src/modules/rating/rating.service';
import { jobRuntime, systemContext } from './runtime';

export interface EvaluatePayload {
  /** Enterprises to re-grade; absent: all of them. */
  enterpriseIds?: string[];
  /** Natural id of the trigger, e.g. `day:<n>`. */
  reason: string;
}

/**
 * Re-grades enterprises as of now. Scheduled daily, so grades follow the calendar without
 * any new record: records leave the period, a new policy version comes into force.
 */
export const evaluateJob: JobDefinition<EvaluatePayload> = {
  name: 'evaluate',
  queue: 'evaluate',
  jobId: (p) => `evaluate:${p.reason}`,
  attempts: 3,
  backoffMs: 30_000,
  async handle(p) {
    const { db } = jobRuntime();
    const ctx = systemContext('evaluate');
    const ids = p.enterpriseIds ?? (await rows<{ id: string }>(db.manager, `SELECT id FROM enterprise ORDER BY id`)).map((r) => r.id);
    for (const id of ids)
      await db.transaction(async (m) => {
        const e = await lockEnterpriseById(m, id);
        if (e) await ratingService.reevaluateIn(ctx, m, e);
      });
  },
};
