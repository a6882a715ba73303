import { hubJobs } from '../../jobs';
import { HubContext, HubDeps, createContext } from '../../src/modules/context';
import { CreditPolicy } from '../../src/modules/policy/credit-policy';
import { loadPolicies } from '../../src/modules/policy/credit-policy.loader';
import { PolicyRegistry } from '../../src/modules/policy/policy-registry';
import { AddressPolicy } from '../../src/modules/webhook/url-guard';
import { Principal } from '../../src/platform/auth/principal';
import { Database } from '../../src/platform/db';
import { InProcessJobQueue } from '../../src/platform/queue';

/**
 * Dependencies for contexts over `db` whose jobs are queued in-process and never run (unless `deps.jobs` is replaced).
 * `policies` may be a list (the shipped files by default): it becomes a registry over `db`, not started (publishing refreshes it).
 */
export function testDeps(db: Database, over: Partial<Omit<HubDeps, 'policies'>> & { policies?: readonly CreditPolicy[] | PolicyRegistry } = {}): HubDeps {
  const { policies = loadPolicies(), ...rest } = over;
  const base = { database: db, policies, webhooks: { policy: new AddressPolicy(['127.0.0.1', '::1']), retryScale: 1 } };
  return { ...hubJobs(new InProcessJobQueue(), base).deps, ...rest };
}

/** A context made the way the hub makes one (`createContext`), for calling services directly. */
export function testContext(deps: HubDeps, principal: Principal = { subject: 'test', role: 'PROVINCE_AUTHORITY', regions: ['130000'] }): HubContext {
  return createContext(deps, { principal, requestId: 'test' });
}
