import { EntityManager } from 'typeorm';
import { Principal } from './auth/principal';
import type { Database } from './db';
import { Loaders, createLoaders } from './loaders';
import type { CreditPolicy } from '../modules/policy/credit-policy';

/**
 * Everything a service method needs about the request or job it serves. Every service
 * method takes it first; repositories get their `EntityManager` from it (or from the
 * transaction the service opened).
 */
export interface HubContext {
  principal: Principal;
  db: Database;
  /** Reads outside a transaction. */
  manager: EntityManager;
  loaders: Loaders;
  policies: CreditPolicy[];
  requestId: string;
  /** Enterprise ids whose personal data this request returned unmasked (audited once per request). */
  personalDataRead: Set<string>;
}

/**
 * Runs a change in one transaction, then gives the request fresh DataLoaders so anything
 * it reads afterwards (the mutation's own result fields, a second mutation) sees the change.
 */
export async function inTransaction<T>(ctx: HubContext, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  const result = await ctx.db.transaction(fn);
  ctx.loaders = createLoaders(ctx.manager);
  return result;
}
