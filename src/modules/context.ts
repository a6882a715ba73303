import type { Principal } from '../platform/auth/principal';
import { systemPrincipal } from '../platform/auth/roles';
import type { Lang } from '../platform/lang';
import { Context, buildContext } from '../platform/context';
import type { Database } from '../platform/db';
import type { Jobs } from '../platform/jobs';
import { Loaders, createLoaders } from './loaders';
import type { CreditPolicy } from './policy/credit-policy';
import type { PolicyRegistry } from './policy/policy-registry';
import type { DeliveryOptions } from './webhook/webhook.delivery';
import { ResultAccess } from './enterprise/result-access';

/** What a process gives every context it makes (built once at boot: main.ts, src/workers.ts, tests). */
export interface HubDeps {
  database: Database;
  jobs: Jobs;
  /** The credit policies, shipped and published: each context takes the set current when it is made. */
  policies: PolicyRegistry;
  /** Webhook delivery settings: address policy and retry time scale. */
  webhooks: DeliveryOptions;
  /** Readings per sync page (`HUB_SYNC_PAGE_SIZE`); absent: the sync's default `PAGE_SIZE`. */
  syncPageSize?: number;
}

/**
 * The hub's request context: the platform's, with the hub's loaders, policies and webhook settings.
 * `policies` is the registry's set when the context was made (oldest first): one request or job
 * grades by one set; `policyRegistry` is the process's registry (publishing refreshes it).
 */
export type HubContext = Context<
  Loaders,
  {
    policies: CreditPolicy[];
    policyRegistry: PolicyRegistry;
    webhooks: DeliveryOptions;
    /** Art. 23 for this request: the grants it relies on, the purpose stated (`X-Purpose`), the result reads to log. */
    resultAccess: ResultAccess;
  }
>;

/**
 * The one way to make a context: HTTP requests (src/app.ts), WebSocket operations
 * (src/platform/graphql/subscriptions.ts, through the factory app.ts hands it), jobs
 * (`systemContext`) and tests.
 */
export function createContext(
  deps: HubDeps,
  request: { principal: Principal; requestId: string; lang?: Lang; clientAddress?: string; purpose?: string | null },
): HubContext {
  return buildContext(
    {
      database: deps.database,
      jobs: deps.jobs,
      loaders: createLoaders,
      extra: {
        policies: deps.policies.current(),
        policyRegistry: deps.policies,
        webhooks: deps.webhooks,
        resultAccess: new ResultAccess(request.purpose ?? null),
      },
    },
    request,
  );
}

/** The context a job's (or the CLI's) service calls run with: the SYSTEM principal (all regions, held by no token). */
export function systemContext(deps: HubDeps, name: string): HubContext {
  return createContext(deps, { principal: systemPrincipal(name), requestId: `job:${name}` });
}
