import { JobDefinition } from '../src/platform/queue';
import { detectJob } from './detect.job';
import { evaluateJob } from './evaluate.job';
import { notifyJob } from './notify.job';
import { syncJob } from './sync.job';
import { TICK_SECONDS, tickJob } from './tick.job';
import { jobs } from './runtime';

/** Every job the workers handle; the registry refuses a name without (or with two) handlers at boot. */
export const ALL_JOBS: JobDefinition<any>[] = [syncJob, detectJob, evaluateJob, tickJob, notifyJob];

/** Adds the scheduler tick every TICK_SECONDS from this process; returns a stop function. */
export function startScheduler(): () => void {
  const tick = () => {
    const slot = Math.floor(Date.now() / 1000 / TICK_SECONDS);
    jobs().add(tickJob, { slot }).catch(() => undefined);
  };
  const timer = setInterval(tick, TICK_SECONDS * 1000);
  timer.unref();
  tick();
  return () => clearInterval(timer);
}
