import type { PoolClient } from 'pg';
import { EntityManager } from 'typeorm';
import type { Lang } from './lang';
import type { Principal } from './auth/principal';
import type { Database } from './db';
import type { Jobs } from './jobs';
import type { Queryable } from './sql';

/**
 * A context's database handle: outside a transaction it reads through the pool; the child
 * context of `withTransaction` holds one whose statements run in that transaction.
 */
export interface Db extends Queryable {
  /** True for the handle of a transaction. */
  readonly inTransaction: boolean;
}

/**
 * Everything a service method needs about the request or job it serves: who asks, the
 * database handle, the request's DataLoaders, the job queue. Every service method takes it
 * first and nothing beside it for the database; repositories take `ctx.db`.
 * `L` is the loaders' type, `X` what the application adds (policies, settings): the
 * platform knows neither (see src/modules/context.ts for the hub's).
 */
export type Context<L = unknown, X = unknown> = {
  principal: Principal;
  db: Db;
  /** Fresh after each transaction, so what is read afterwards sees the change. */
  loaders: L;
  jobs: Jobs;
  requestId: string;
  /** The caller's network address (HTTP: express's `req.ip`), for per-client rate limits; absent in jobs and tests. Never logged. */
  clientAddress?: string;
  /** The caller's language for texts (Accept-Language; Chinese unless English is preferred). */
  lang: Lang;
  /** Enterprise ids whose personal data this request returned unmasked (audited once per request). */
  personalDataRead: Set<string>;
  /**
   * Runs inside the outermost transaction opened through this context, last, just before it
   * commits, with the transaction's context and the value `fn` produced: a mutation's audit
   * entry commits (or rolls back) with its change. Set by the audit module around each
   * mutation field; the platform knows nothing more about it. Absent in jobs and subscriptions.
   */
  beforeCommit?: BeforeCommit;
} & X;

export type BeforeCommit = (txCtx: Context, result: unknown) => Promise<void>;

/** Thrown by a query through a context whose child transaction is running. */
export class OuterHandleError extends Error {
  constructor() {
    super(
      'A query went through the outer context while its withTransaction(ctx, (txCtx) => …) is running: inside the callback use txCtx ' +
        '(txCtx.db, txCtx.loaders, and pass txCtx to services), never the ctx it was made from. (On Postgres that query would run outside ' +
        'the transaction; on the embedded database it would wait for it forever.)',
    );
    this.name = 'OuterHandleError';
  }
}

class Handle implements Db {
  /** Child transactions running now; while any is, this handle refuses every statement. */
  private children = 0;
  private ended = false;
  constructor(
    private readonly target: Queryable,
    readonly inTransaction: boolean,
  ) {}
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's rows are untyped; callers type them through rows<T>() / one<T>()
  query(sql: string, params?: unknown[]): Promise<any> {
    const refused = this.refusal();
    return refused ? Promise.reject(refused) : this.target.query(sql, params);
  }
  /** A read outside a transaction on the server database, as a prepared statement ({@link Database.prepared}); else undefined. */
  prepared(sql: string, params: unknown[]): Promise<unknown[]> | undefined {
    if (this.inTransaction || this.refusal()) return undefined;
    return internals.get(this)?.database.prepared(sql, params);
  }
  /**
   * The `pg` connection this transaction's statements run on, for what `query` cannot carry
   * (`COPY … FROM STDIN`). Undefined outside a transaction and on the embedded database.
   */
  async connection(): Promise<PoolClient | undefined> {
    const refused = this.refusal();
    if (refused) throw refused;
    if (!this.inTransaction || internals.get(this)?.database.embedded !== false) return undefined;
    const runner = this.target instanceof EntityManager ? this.target.queryRunner : undefined;
    if (!runner?.isTransactionActive) return undefined;
    return (await runner.connect()) as PoolClient;
  }
  /** Why this handle refuses statements now, if it does. */
  refusal(): Error | undefined {
    if (this.children) return new OuterHandleError();
    if (this.ended) return new Error('This transaction has ended; a query through its context came too late (a promise left running?).');
    return undefined;
  }
  enter(): void {
    this.children++;
  }
  leave(): void {
    this.children--;
  }
  end(): void {
    this.ended = true;
  }
}

interface Internals {
  database: Database;
  loaders: (db: Db) => unknown;
}

/**
 * What opens transactions and builds loaders, per handle: out of the context's reach, so no
 * service can take the pool's handle. Keyed by the handle, not the context: GraphQL servers
 * may hand resolvers a shallow copy of the context object.
 */
const internals = new WeakMap<Handle, Internals>();

export interface ContextDeps<L, X> {
  database: Database;
  jobs: Jobs;
  /** Builds the per-request DataLoaders over a handle (injected: the platform knows no domain). */
  loaders: (db: Db) => L;
  extra: X;
}

/** Builds a context for one request, socket operation, job or test (the application wraps it: src/modules/context.ts). */
export function buildContext<L, X extends object>(
  deps: ContextDeps<L, X>,
  request: { principal: Principal; requestId: string; lang?: Lang; clientAddress?: string },
): Context<L, X> {
  const db = new Handle(deps.database.manager, false);
  const ctx = Object.assign(Object.create(lazyLoaders) as object, {
    ...deps.extra,
    principal: request.principal,
    db,
    jobs: deps.jobs,
    requestId: request.requestId,
    clientAddress: request.clientAddress,
    lang: request.lang ?? 'ZH',
    personalDataRead: new Set<string>(),
    [LOADERS]: { make: () => deps.loaders(db) },
  }) as unknown as Context<L, X>;
  internals.set(db, { database: deps.database, loaders: deps.loaders });
  return ctx;
}

/**
 * A context's loaders, built on first use: a subscription's context (a thousand on one process) may never load
 * anything (about 20 KB each), nor may a request whose page brought every child with it. The getter sits on the
 * context's prototype and the slot is an own property, so a copy of the context made as Apollo makes one
 * (`Object.assign(Object.create(proto), ctx)`) shares the slot without building the loaders to copy them.
 */
const LOADERS = Symbol('loaders');
interface LoaderSlot {
  make: () => unknown;
  value?: unknown;
}
const lazyLoaders = {
  get loaders(): unknown {
    const slot = (this as unknown as { [LOADERS]: LoaderSlot })[LOADERS];
    return (slot.value ??= slot.make());
  },
  set loaders(l: unknown) {
    (this as unknown as { [LOADERS]: LoaderSlot })[LOADERS].value = l;
  },
};

/**
 * Runs `fn` in one transaction, all or nothing, and hands it a child context whose `db`
 * is the transaction (and whose loaders read through it). While `fn` runs, the parent's
 * handle refuses every statement with an `OuterHandleError`, on every database. The context's
 * `beforeCommit` hook runs last inside it. Called on a child context, it reuses that
 * transaction (and the hook runs once, at the outermost). Afterwards the parent gets fresh DataLoaders,
 * so what the request reads next (the mutation's result fields) sees the change.
 *
 * @example
 * return withTransaction(ctx, async (ctx) => {
 *   const e = await requireEnterprise(ctx, code, 'write', true);
 *   return insertCreditRecord(ctx.db, { enterpriseId: e.id, … });
 * });
 */
export async function withTransaction<C extends Context, T>(ctx: C, fn: (txCtx: C) => Promise<T>): Promise<T> {
  if (ctx.db.inTransaction) return fn(ctx);
  const own = ctx.db instanceof Handle ? internals.get(ctx.db) : undefined;
  if (!own || !(ctx.db instanceof Handle)) throw new Error('withTransaction needs a context made by createContext');
  const outer = ctx.db;
  outer.enter();
  try {
    return await own.database.transaction(async (m) => {
      const db = new Handle(m, true);
      const txCtx = { ...ctx, db, loaders: own.loaders(db) } as C;
      internals.set(db, own);
      try {
        const result = await fn(txCtx);
        await txCtx.beforeCommit?.(txCtx, result);
        return result;
      } finally {
        db.end();
      }
    });
  } finally {
    outer.leave();
    ctx.loaders = own.loaders(outer);
  }
}

/**
 * The `pg` connection of the transaction `db` is the handle of (server database only), so a
 * bulk path can stream `COPY … FROM STDIN` inside that very transaction. Undefined on the
 * embedded database, outside a transaction, or for a handle not made by createContext: the
 * caller keeps its statement path then.
 */
export function transactionConnection(db: Queryable): Promise<PoolClient | undefined> {
  return db instanceof Handle ? db.connection() : Promise.resolve(undefined);
}

/**
 * Runs `fn` in a transaction of `db`'s: `db` itself when it is a transaction's handle, else a short one of its own
 * (through the database, so the embedded one's turn-taking holds). For statements that must run together however the
 * caller reached them (the audit chain's append). A bare `EntityManager` (scripts, tests) outside a transaction opens one;
 * another `Queryable` is taken to be a transaction already.
 */
export async function inTransaction<T>(db: Queryable, fn: (q: Queryable) => Promise<T>): Promise<T> {
  if (db instanceof EntityManager) return db.queryRunner?.isTransactionActive ? fn(db) : db.transaction((m) => fn(m));
  if (!(db instanceof Handle) || db.inTransaction) return fn(db);
  const own = internals.get(db);
  if (!own) throw new Error('inTransaction needs a handle made by createContext');
  // As a statement through this handle would be: refused while a child transaction runs.
  const refused = db.refusal();
  if (refused) throw refused;
  return own.database.transaction((m) => fn(m));
}
