import { Database } from '../src/platform/db';
import { HubContext } from '../src/platform/context';
import { createLoaders } from '../src/platform/loaders';
import { JobQueue } from '../src/platform/queue';
import { CreditPolicy } from '../src/modules/policy/credit-policy';
import type { DeliveryOptions } from '../src/modules/webhook/webhook.delivery';

/** What job handlers run against: set once per process at boot (API or worker). */
export interface JobRuntime {
  queue: JobQueue;
  db: Database;
  policies: CreditPolicy[];
  /** Webhook delivery settings: address policy and retry time scale. */
  notify: DeliveryOptions;
}

let runtime: JobRuntime | undefined;

export function setJobRuntime(r: JobRuntime | undefined): void {
  runtime = r;
}

export function jobRuntime(): JobRuntime {
  if (!runtime) throw new Error('job runtime not started (call setJobRuntime at boot)');
  return runtime;
}

export const jobs = (): JobQueue => jobRuntime().queue;

/** The context a job's service calls run with: the system, all regions, no personal data read. */
export function systemContext(job: string): HubContext {
  const { db, policies } = jobRuntime();
  return {
    principal: { subject: `system:${job}`, role: 'ADMIN', regions: [] },
    db,
    manager: db.manager,
    loaders: createLoaders(db.manager),
    policies,
    requestId: `job:${job}`,
    personalDataRead: new Set(),
  };
}
