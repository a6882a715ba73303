import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { DataSource, EntityManager, QueryFailedError, Logger as TypeOrmLogger } from 'typeorm';
import { createHash } from 'node:crypto';
import { Client, Pool } from 'pg';
import { PGliteDriver, getPGliteInstance } from 'typeorm-pglite';
import { embeddedOptions, initialiseDataDir, yieldBetweenStatements } from './pglite-embedded';
import { Initial1732190000000 } from '../migrations/1732190000000-initial';
import { RatingDecisiveRecords1732280000000 } from '../migrations/1732280000000-rating-decisive-records';
import { CandidateOpenKey1732370000000 } from '../migrations/1732370000000-candidate-open-key';
import { DataSources1732460000000 } from '../migrations/1732460000000-data-sources';
import { ReadingFkToLock1732550000000 } from '../migrations/1732550000000-reading-fk-to-lock';
import { OutboxAndWebhooks1732640000000 } from '../migrations/1732640000000-outbox-and-webhooks';
import { CalendarYear1732738000000 } from '../migrations/1732738000000-calendar-year';
import { RatingBilingualOfficial1732800000000 } from '../migrations/1732800000000-rating-bilingual-official';
import { RecordProvenance1732810000000 } from '../migrations/1732810000000-record-provenance';
import { EnforcementCases1732820000000 } from '../migrations/1732820000000-enforcement-cases';
import { CreditPolicyVersion1732840000000 } from '../migrations/1732840000000-credit-policy-version';
import { CreditRepair1732850000000 } from '../migrations/1732850000000-credit-repair';
import { Objection1732860000000 } from '../migrations/1732860000000-objection';
import { FalseInfoReport1732870000000 } from '../migrations/1732870000000-false-info-report';
import { Filing1732880000000 } from '../migrations/1732880000000-filing';
import { RepairReturnForward1732890000000 } from '../migrations/1732890000000-repair-return-forward';
import { Tip1732900000000 } from '../migrations/1732900000000-tip';
import { ResultAccess1732910000000 } from '../migrations/1732910000000-result-access';
import { StatusChangePush1732920000000 } from '../migrations/1732920000000-status-change-push';
import { ReportEnteredBy1732930000000 } from '../migrations/1732930000000-report-entered-by';
import { ObjectionCorrection1732940000000 } from '../migrations/1732940000000-objection-correction';
import { TokenRevocation1732950000000 } from '../migrations/1732950000000-token-revocation';
import { AuditChain1732960000000 } from '../migrations/1732960000000-audit-chain';
import { EncryptedAtRest1732970000000 } from '../migrations/1732970000000-encrypted-at-rest';
import { SyncHeartbeat1732980000000 } from '../migrations/1732980000000-sync-heartbeat';
import { RetireAdminWebhooks1732990000000 } from '../migrations/1732990000000-retire-admin-webhooks';
import { IdempotencyKey1733000000000 } from '../migrations/1733000000000-idempotency-key';
import { MeterFillfactor1733020000000 } from '../migrations/1733020000000-meter-fillfactor';
import { MeterDay1733030000000 } from '../migrations/1733030000000-meter-day';
import { MeterReadingPartitions1733040000000 } from '../migrations/1733040000000-meter-reading-partitions';
import { RatingConfirmation1733050000000 } from '../migrations/1733050000000-rating-confirmation';
import { MeterDayFillfactor1733070000000 } from '../migrations/1733070000000-meter-day-fillfactor';
import { MeterPlanYear1733080000000 } from '../migrations/1733080000000-meter-plan-year';
import { RegradeInputs1733090000000 } from '../migrations/1733090000000-regrade-inputs';
import { RegradeRun1733091000000 } from '../migrations/1733091000000-regrade-run';
import { RegradeCheck1733130000000 } from '../migrations/1733130000000-regrade-check';
import { ResultReadCheck1733140000000 } from '../migrations/1733140000000-result-read-check';
import { MeterDayEpochEarlyExit1733150000000 } from '../migrations/1733150000000-meter-day-epoch-early-exit';
import { DataDirLock } from './data-dir-lock';
import { roleOf, runtimeGrants } from './db-roles';
import { logger } from './logger';

/** A statement's text with any literal values replaced by `?` (statements are parameterised; this guards the exceptions). */
export const statementShape = (sql: string) =>
  sql
    .replace(/'(?:[^']|'')*'/g, "'?'")
    .replace(/\s+/g, ' ')
    .slice(0, 200);
import { sqlStatements } from './metrics';

/** Every migration, in order. `npm start` runs the pending ones; never `synchronize`. */
export const MIGRATIONS = [
  Initial1732190000000,
  RatingDecisiveRecords1732280000000,
  CandidateOpenKey1732370000000,
  DataSources1732460000000,
  ReadingFkToLock1732550000000,
  OutboxAndWebhooks1732640000000,
  CalendarYear1732738000000,
  RatingBilingualOfficial1732800000000,
  RecordProvenance1732810000000,
  EnforcementCases1732820000000,
  CreditPolicyVersion1732840000000,
  CreditRepair1732850000000,
  Objection1732860000000,
  FalseInfoReport1732870000000,
  Filing1732880000000,
  RepairReturnForward1732890000000,
  Tip1732900000000,
  ResultAccess1732910000000,
  StatusChangePush1732920000000,
  ReportEnteredBy1732930000000,
  ObjectionCorrection1732940000000,
  TokenRevocation1732950000000,
  AuditChain1732960000000,
  EncryptedAtRest1732970000000,
  SyncHeartbeat1732980000000,
  RetireAdminWebhooks1732990000000,
  IdempotencyKey1733000000000,
  MeterFillfactor1733020000000,
  MeterDay1733030000000,
  MeterReadingPartitions1733040000000,
  RatingConfirmation1733050000000,
  MeterDayFillfactor1733070000000,
  MeterPlanYear1733080000000,
  RegradeInputs1733090000000,
  RegradeRun1733091000000,
  RegradeCheck1733130000000,
  ResultReadCheck1733140000000,
  MeterDayEpochEarlyExit1733150000000,
];

/**
 * `DATABASE_URL` names a database the server does not have. Its message is one line that
 * says how to create it; entry points print it and exit 2, like a configuration error.
 */
export class MissingDatabaseError extends Error {
  constructor(
    readonly database: string,
    url: URL,
  ) {
    const host = url.hostname || '127.0.0.1';
    const args = [`-h ${host}`, url.port ? `-p ${url.port}` : '', url.username ? `-U ${decodeURIComponent(url.username)}` : ''].filter(Boolean).join(' ');
    super(
      `DATABASE_URL: database "${database}" does not exist on ${host}:${url.port || 5432}; create it with \`createdb ${args} ${database}\` (or in psql: CREATE DATABASE "${database}";) and start again`,
    );
  }
}

/** Turns Postgres' "database … does not exist" (SQLSTATE 3D000) into a MissingDatabaseError. */
function missingDatabase(err: unknown, connectionString: string): MissingDatabaseError | undefined {
  if ((err as { code?: string }).code !== '3D000') return undefined;
  const url = new URL(connectionString);
  return new MissingDatabaseError(decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || 'postgres', url);
}

/**
 * Counts every SQL statement TypeORM sends, for `/metrics` and for the tests that prove
 * a query's statement count does not grow with page size.
 */
class CountingLogger implements TypeOrmLogger {
  count = 0;
  logQuery(): void {
    this.count++;
    sqlStatements.inc();
  }
  // Never the parameters (TypeORM's third argument): they hold the row's values, personal data included.
  logQueryError(error: string | Error, query: string): void {
    logger.debug({ err: typeof error === 'string' ? undefined : error, query: statementShape(query) }, 'sql error');
  }
  logQuerySlow(time: number, query: string): void {
    logger.warn({ ms: time, query: statementShape(query) }, 'slow sql');
  }
  logSchemaBuild(): void {}
  logMigration(message: string): void {
    logger.info({ migration: message }, 'migration');
  }
  log(): void {}
}

/** Statements slower than this are logged (TypeORM's `maxQueryExecutionTime`). */
const SLOW_MS = 2000;
/** The most statement texts {@link Database.prepared} keeps prepared. */
const PREPARED_MAX = 100;

/** Advisory lock key held while migrating ("hubm" in ASCII). */
const MIGRATION_LOCK = 0x6875626d;

/** A small FIFO mutex: PGlite has one connection, so embedded transactions take turns. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export interface DatabaseOptions {
  /** A postgres:// URL; absent means embedded PGlite in `dataDir`. */
  url?: string;
  dataDir?: string;
  /** Postgres schema to use (tests isolate each file in its own). */
  schema?: string;
  /**
   * Server only: the owner role's URL (`HUB_MIGRATION_DATABASE_URL`) when `url` connects as a restricted runtime role.
   * `migrate()` then runs the migrations over it and gives the runtime role its rights on the tables (db-roles.ts).
   */
  migrationUrl?: string;
  poolSize?: number;
  /**
   * Embedded only: who opens the data directory (`hub`, or the CLI command), written into
   * its lock file. One process at a time: a second one gets DataDirLockedError.
   */
  lockRole?: string;
}

/**
 * The hub's database: TypeORM over `pg`, or over PGlite when no server is configured.
 * Services run SQL through the `EntityManager` of the request or job context.
 */
export class Database {
  private readonly mutex = new Mutex();
  private constructor(
    readonly dataSource: DataSource,
    readonly embedded: boolean,
    private readonly counter: CountingLogger,
    /** Embedded: the data directory's lock, held until close(). */
    readonly lock?: DataDirLock,
    private readonly options: DatabaseOptions = {},
  ) {
    if (embedded) {
      // PGlite is one session: a read sent while another request's transaction is open would
      // run inside it. Plain statements therefore wait for the transaction to finish, too.
      const manager = dataSource.manager;
      const query = manager.query.bind(manager);
      manager.query = ((sql: string, params?: unknown[]) => this.mutex.run(() => query(sql, params))) as typeof manager.query;
    }
  }

  static async connect(opts: DatabaseOptions): Promise<Database> {
    const counter = new CountingLogger();
    const common = {
      type: 'postgres' as const,
      migrations: MIGRATIONS,
      migrationsTableName: 'hub_migrations',
      synchronize: false,
      logging: ['query', 'error', 'migration'] as ('query' | 'error' | 'migration')[],
      logger: counter,
      maxQueryExecutionTime: SLOW_MS,
    };
    let ds: DataSource;
    let lock: DataDirLock | undefined;
    if (opts.url) {
      ds = new DataSource({
        ...common,
        url: opts.url,
        schema: opts.schema,
        extra: {
          // migrate() holds its advisory lock on one connection and migrates on another: never fewer than two.
          max: Math.max(2, opts.poolSize ?? 20),
          options: opts.schema ? `-c search_path=${opts.schema},public` : undefined,
        },
      });
    } else {
      const dataDir = opts.dataDir ?? './.data';
      lock = DataDirLock.acquire(dataDir, opts.lockRole ?? 'hub');
      const dir = path.resolve(dataDir, 'pglite');
      fs.mkdirSync(dir, { recursive: true });
      try {
        await initialiseDataDir(dir);
      } catch (e) {
        lock.release();
        throw e;
      }
      ds = new DataSource({ ...common, driver: new PGliteDriver(embeddedOptions(dir)).driver });
    }
    try {
      await ds.initialize();
      if (!opts.url) yieldBetweenStatements(await getPGliteInstance());
    } catch (e) {
      lock?.release();
      throw (opts.url && missingDatabase(e, opts.url)) || e;
    }
    return new Database(ds, !opts.url, counter, lock, opts);
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Number of SQL statements sent since start (tests diff it around a request). */
  get statementCount(): number {
    return this.counter.count;
  }

  /**
   * Runs pending migrations. On a server, under an advisory lock: API and worker processes
   * starting together take turns, and the later ones find nothing left to do.
   */
  async migrate(): Promise<string[]> {
    const { url, migrationUrl, schema } = this.options;
    if (url && migrationUrl && migrationUrl !== url) return this.migrateAsOwner(url, migrationUrl, schema);
    const run = async () => (await this.dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
    // PGlite is one session: a statement sent meanwhile (the revocation list's timer, a request) would run inside a
    // migration's transaction, and one that fails there (its table not created yet) aborts the migration.
    if (this.embedded) return this.mutex.run(run);
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      await lock.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
      return await run();
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`).catch(() => undefined);
      await lock.release();
    }
  }

  /** Migrates over the owner's connection, then grants the runtime role (this connection's user) its rights. */
  private async migrateAsOwner(url: string, migrationUrl: string, schema: string | undefined): Promise<string[]> {
    const owner = await Database.connect({ url: migrationUrl, schema, poolSize: 2 });
    try {
      const applied = await owner.migrate();
      const runtime = roleOf(url);
      if (runtime && runtime !== roleOf(migrationUrl)) {
        const [{ s }] = await owner.manager.query<{ s: string }[]>(`SELECT current_schema() AS s`);
        for (const sql of runtimeGrants(runtime, s)) await owner.manager.query(sql);
      }
      return applied;
    } finally {
      await owner.close();
    }
  }

  /**
   * Runs `fn` in one transaction; all or nothing. Inside `fn`, use only the manager it is
   * given: on the embedded database the request's own manager waits for this transaction.
   */
  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const run = () => this.dataSource.transaction(fn);
    return this.embedded ? this.mutex.run(run) : run();
  }

  /**
   * LISTENs on a Postgres channel over a connection of its own (server only; the embedded
   * database has no other sessions to hear from). Reconnects after a lost connection and
   * calls `fn` then too, since notifications sent meanwhile are gone. Returns the stop function.
   */
  async listen(channel: string, fn: () => void): Promise<() => Promise<void>> {
    const url = (this.dataSource.options as { url?: string }).url;
    if (this.embedded || !url) return () => Promise.resolve();
    let client: Client | undefined;
    let stopped = false;
    const connect = async (): Promise<void> => {
      if (stopped) return;
      const c = new Client({ connectionString: url });
      c.on('notification', () => fn());
      c.on('error', () => undefined);
      c.on('end', () => {
        if (!stopped) setTimeout(() => void connect().then(fn, () => undefined), 1000).unref();
      });
      try {
        await c.connect();
        await c.query(`LISTEN ${channel}`);
        client = c;
      } catch {
        c.end().catch(() => undefined);
      }
    };
    await connect();
    return async () => {
      stopped = true;
      await client?.end().catch(() => undefined);
    };
  }

  /**
   * Runs a read outside any transaction as a named prepared statement on the pool (parsed and planned once per
   * connection, as PostGraphile runs its statements), counted and logged like every statement; undefined on the
   * embedded database, and once {@link PREPARED_MAX} statement texts are prepared (each stays prepared on every
   * connection that ran it): the caller runs it as a plain statement then.
   */
  prepared(sql: string, params: unknown[]): Promise<unknown[]> | undefined {
    if (this.embedded) return undefined;
    let name = this.preparedNames.get(sql);
    if (!name) {
      if (this.preparedNames.size >= PREPARED_MAX) return undefined;
      this.preparedNames.set(sql, (name = `hub_${createHash('sha1').update(sql).digest('base64url')}`));
    }
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    this.counter.logQuery();
    const started = Date.now();
    return pool.query<Record<string, unknown>>({ name, text: sql, values: params }).then(
      (r) => {
        const ms = Date.now() - started;
        if (ms > SLOW_MS) this.counter.logQuerySlow(ms, sql);
        return r.rows;
      },
      (err: Error) => {
        this.counter.logQueryError(err, sql);
        throw new QueryFailedError(sql, params, err);
      },
    );
  }
  private readonly preparedNames = new Map<string, string>();

  async ping(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    try {
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
    } finally {
      this.lock?.release();
    }
  }
}
