import { JobDefinition } from '../src/platform/queue';
import { rows } from '../src/platform/sql';
import { detectFor, thresholdsAt } from '../src/modules/detection/detection.service';
import { jobRuntime } from './runtime';

export interface DetectPayload {
  /** Meters that received readings (after a sync); absent: every enterprise (the schedule). */
  meterIds?: string[];
  /** Natural id of the trigger: `run:<syncRunId>` or `slot:<epoch slot>`. */
  reason: string;
}

/**
 * Runs the detection rules for the enterprises owning the touched meters (after a sync),
 * or for all enterprises (on a schedule: silence needs no new data), and raises or
 * refreshes their OPEN candidates.
 */
export const detectJob: JobDefinition<DetectPayload> = {
  name: 'detect',
  queue: 'detect',
  jobId: (p) => `detect:${p.reason}`,
  attempts: 3,
  backoffMs: 10_000,
  async handle(p) {
    const { db, policies } = jobRuntime();
    const asOf = new Date();
    const ids = (
      await rows<{ id: string }>(
        db.manager,
        p.meterIds
          ? `SELECT DISTINCT enterprise_id AS id FROM meter WHERE id = ANY($1::uuid[])`
          : `SELECT id FROM enterprise WHERE $1::uuid[] IS NULL`,
        [p.meterIds ?? null],
      )
    ).map((r) => r.id);
    // Enterprises in batches, each batch one transaction.
    for (let i = 0; i < ids.length; i += 200)
      await db.transaction((m) => detectFor(m, ids.slice(i, i + 200), asOf, thresholdsAt(policies, asOf)));
  },
};
