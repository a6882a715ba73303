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
  /**
   * Runs inside every transaction opened through this context, just before it commits, with
   * the transaction's handle and the value the transaction produced. The audit module sets it
   * around each mutation field, so the mutation's entry commits (or rolls back) with its change;
   * platform code knows nothing more about it. Absent in jobs and subscriptions.
   */
  beforeCommit?: BeforeCommit;
}

export type BeforeCommit = (m: EntityManager, ctx: HubContext, result: unknown) => Promise<void>;

/**
 * Runs a change in one transaction (the context's `beforeCommit` hook last, inside it), then gives the request fresh DataLoaders so anything
 * it reads afterwards (the mutation's own result fields, a second mutation) sees the change.
 */
export async function inTransaction<T>(ctx: HubContext, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  const result = await ctx.db.transaction(async (m) => {
    const value = await fn(m);
    await ctx.beforeCommit?.(m, ctx, value);
    return value;
  });
  ctx.loaders = createLoaders(ctx.manager);
  return result;
}
