import type { JobPayloads } from '../src/platform/jobs';
import { systemContext } from '../src/modules/context';
import { scheduleService } from '../src/modules/schedule/schedule.service';
import { HubJob } from './job';

export { DETECT_EVERY_SECONDS, EVALUATE_EVERY_SECONDS, TICK_SECONDS } from '../src/modules/schedule/schedule.service';

export type TickPayload = JobPayloads['tick'];

/** The scheduler's tick (`scheduleService.tick`): due syncs, hourly detection, daily re-grading and outbox pruning. */
export const tickJob: HubJob<'tick'> = {
  name: 'tick',
  queue: 'maintenance',
  jobId: (p) => `tick:${p.slot}`,
  attempts: 1,
  backoffMs: 1000,
  async handle({ slot }, _run, deps) {
    await scheduleService.tick(systemContext(deps, 'scheduler'), slot);
  },
};
