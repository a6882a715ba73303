import type { JobPayloads } from '../src/platform/jobs';
import { systemContext } from '../src/modules/context';
import { detectionService } from '../src/modules/detection/detection.service';
import { HubJob } from './job';

export type DetectPayload = JobPayloads['detect'];

/**
 * Runs the detection rules for the enterprises owning the touched meters (after a sync),
 * or for all enterprises (on a schedule: silence needs no new data), and raises or
 * refreshes their OPEN candidates.
 */
export const detectJob: HubJob<'detect'> = {
  name: 'detect',
  queue: 'detect',
  jobId: (p) => `detect:${p.reason}`,
  attempts: 3,
  backoffMs: 10_000,
  async handle(p, _run, deps) {
    await detectionService.detectQueued(systemContext(deps, 'detect'), p.meterIds);
  },
};
