#!/usr/bin/env node
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from '../platform/config';
import { DEV_TOKEN_DEFAULT_LIFETIME, DEV_TOKEN_MAX_SECONDS, IssuedToken, ROLES, Role, issueToken, signToken } from '../platform/auth/principal';
import { DataDirLockedError, dataDirHolder } from '../platform/data-dir-lock';

/**
 * `npm run hub -- <command>`: operator commands.
 * @example npm run hub -- token --role COUNTY_AUTHORITY --region 130821
 */
const program = new Command('hub').description('Water-saving credit hub: operator commands').showHelpAfterError();

function config() {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
}

program
  .command('token')
  .description('print a development bearer token (HS256; last line of the output); its issuance is on the audit trail')
  .addOption(new Option('--role <role>', 'caller role').choices(ROLES.filter((r) => r !== 'PUBLIC')).makeOptionMandatory())
  .option('--region <code...>', 'jurisdiction region code(s), e.g. 130800 for the whole city, 130821 for one county')
  .option('--credit-code <code>', 'ENTERPRISE: its unified social credit code')
  .option('--agency <name>', 'PARTNER_AGENCY: agency name')
  .option('--subject <id>', 'token subject (an officer or system id; no personal names)')
  .option('--expires-in <span>', `lifetime, e.g. 30m, 8h (at most ${DEV_TOKEN_MAX_SECONDS / 3600}h without --allow-long)`, DEV_TOKEN_DEFAULT_LIFETIME)
  .option('--allow-long', `allow a lifetime beyond ${DEV_TOKEN_MAX_SECONDS / 3600} hours`)
  .action(async (o: { role: Role; region?: string[]; creditCode?: string; agency?: string; subject?: string; expiresIn: string; allowLong?: boolean }) => {
    const c = config();
    if (c.jwtSecretIsDev)
      console.error(
        `warning: HUB_JWT_SECRET is not set; this token is signed with the development secret of this data directory (${c.jwtSecretFile}), valid on a development hub started with the same HUB_DATA_DIR`,
      );
    if (!c.auth.devTokens) console.error('warning: NODE_ENV=production without HUB_ALLOW_DEV_TOKENS=true: hubs of this environment refuse development tokens');
    let issued;
    try {
      issued = issueToken(
        { role: o.role, regions: o.region, creditCode: o.creditCode, agency: o.agency, subject: o.subject, expiresIn: o.expiresIn, allowLong: o.allowLong },
        c.jwtSecret,
      );
    } catch (e) {
      fail((e as Error).message);
    }
    await auditIssuance(o.role, issued);
    console.log(issued.token);
  });

/**
 * Puts a token's issuance on the audit trail (role, subject, jti, expiry; never the token) before the token is printed:
 * with DATABASE_URL always (a token whose issuance cannot be recorded is not issued); embedded, when no hub holds the
 * data directory (a running embedded hub holds it: the token is printed with a warning that it is not on record).
 */
async function auditIssuance(role: Role, issued: IssuedToken): Promise<void> {
  const c = config();
  if (!c.databaseUrl && dataDirHolder(c.dataDir)) {
    console.error(`warning: a hub holds ${c.dataDir}: this token's issuance (jti ${issued.jti}) is not on the audit trail`);
    return;
  }
  const { db } = await openDatabase('token');
  try {
    await db.migrate();
    const { appendAudit } = await import('../modules/audit/audit.repository');
    await appendAudit(
      db.manager,
      { subject: 'cli:hub-token', role: 'SECURITY_ADMIN', regions: [] },
      {
        action: 'issueToken',
        targetType: 'token',
        targetId: issued.jti,
        outcome: 'OK',
        detail: { role, subject: issued.subject, jti: issued.jti, expiresAt: issued.expiresAt.toISOString(), algorithm: 'HS256' },
      },
    );
  } catch (e) {
    fail(`the token's issuance could not be recorded on the audit trail, so no token is issued: ${(e as Error).message}`, 1);
  } finally {
    await db.close();
  }
}

program
  .command('schema')
  .description('write the served GraphQL schema to schema/schema.graphql')
  .option('--out <file>', 'output file', 'schema/schema.graphql')
  .action(async (o: { out: string }) => {
    const { printHubSchema } = await import('../schema');
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, await printHubSchema());
    console.log(`wrote ${o.out}`);
  });

/** Prints `error: …` and exits (2: the command cannot run as asked). */
function fail(message: string, code = 2): never {
  console.error(`error: ${message}`);
  process.exit(code);
}

/**
 * Opens the database, migrated. The embedded database is held by one process at a time
 * (its data directory's lock): while a hub or another command holds it, this refuses.
 */
async function openDatabase(role: string) {
  const c = config();
  const { Database } = await import('../platform/db');
  try {
    const db = await Database.connect({ url: c.databaseUrl, migrationUrl: c.migrationDatabaseUrl, dataDir: c.dataDir, lockRole: role });
    return { c, db };
  } catch (e) {
    if (e instanceof DataDirLockedError) fail(e.message);
    throw e;
  }
}

/**
 * Embedded mode: the URL of the hub that serves this data directory, when one runs; the
 * command then goes through its GraphQL API instead of opening the directory a second time.
 */
function runningHub(): string | undefined {
  const c = config();
  if (c.databaseUrl) return undefined;
  const holder = dataDirHolder(c.dataDir);
  if (!holder) return undefined;
  if (!holder.url) fail(`${new DataDirLockedError(c.dataDir, holder).message} (a hub that is still starting: try again when it is ready)`);
  return holder.url;
}

/** One GraphQL request to a running hub as SYSTEM_ADMIN (the CLI's calls are data-source operations), with a short-lived token signed with this environment's secret. */
async function hubRequest<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const token = signToken({ role: 'SYSTEM_ADMIN', subject: 'cli', expiresIn: '10m' }, config().jwtSecret);
  let res: Response;
  try {
    res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (e) {
    fail(`the hub holding ${config().dataDir} does not answer at ${url} (${(e as { cause?: Error }).cause?.message ?? (e as Error).message})`);
  }
  const body = (await res.json().catch(() => undefined)) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] } | undefined;
  if (body?.errors?.length) {
    if (body.errors.some((x) => x.extensions?.code === 'UNAUTHENTICATED'))
      fail(`the hub at ${url} refused this command's token: run it with the hub's HUB_JWT_SECRET`);
    fail(body.errors.map((x) => x.message).join('; '));
  }
  if (!res.ok || !body?.data) fail(`the hub at ${url} answered HTTP ${res.status}${res.status === 503 ? ' (still starting: try again when it is ready)' : ''}`);
  return body.data;
}

program
  .command('migrate')
  .description('run pending database migrations and exit')
  .action(async () => {
    const { db } = await openDatabase('migrate');
    const applied = await db.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    await db.close();
  });

program
  .command('seed')
  .description('seed the demo data set into an empty database')
  .option('--enterprises <n>', 'number of enterprises', '200')
  .option('--reading-days <n>', 'days of 15-minute readings per online meter', '21')
  .action(async (o: { enterprises: string; readingDays: string }) => {
    const { c, db } = await openDatabase('seed');
    const { loadPolicies } = await import('../modules/policy/credit-policy.loader');
    const { PolicyRegistry } = await import('../modules/policy/policy-registry');
    const { seedDemo } = await import('../modules/demo/demo.seed');
    await db.migrate();
    // The shipped policies and the published ones, as the hub grades by them.
    const policies = new PolicyRegistry(loadPolicies(c.policyDir), db);
    await policies.refresh({ strict: true });
    const summary = await seedDemo(db, policies.current(), { enterprises: Number(o.enterprises), readingDays: Number(o.readingDays) });
    console.log(summary ? JSON.stringify(summary, null, 2) : 'database already holds enterprises; nothing seeded');
    if (summary) {
      // Workflows in flight through the services; their outbox events wait for a running hub's relay.
      const { openJobs } = await import('../workers');
      const { seedDemoWorkflows } = await import('../modules/demo/demo.workflows');
      const jobs = await openJobs({ db, policies, notify: c.notify });
      console.log(JSON.stringify({ workflows: await seedDemoWorkflows(jobs.deps) }, null, 2));
      await jobs.stop();
    }
    await db.close();
  });

/** Connects the database (migrated) and the job queue for the commands below. */
async function connect(role: string) {
  const { c, db } = await openDatabase(role);
  const { loadPolicies } = await import('../modules/policy/credit-policy.loader');
  const { openJobs } = await import('../workers');
  await db.migrate();
  const policies = loadPolicies(c.policyDir);
  const jobs = await openJobs({
    redisUrl: c.redisUrl,
    queuePrefix: c.queuePrefix,
    db,
    policies,
    notify: c.notify,
    queueTiming: c.queueTiming,
    syncPageSize: c.syncPageSize,
  });
  // Published policies too, and those published while this process runs.
  await jobs.deps.policies.start();
  return { c, db, jobs };
}

program
  .command('worker')
  .description('run the queue workers (sync, detect, evaluate, maintenance, notify) and the outbox relay without the API; needs REDIS_URL to share queues')
  .action(async () => {
    const { c, db, jobs } = await connect('worker');
    if (!c.redisUrl) console.error('warning: REDIS_URL is not set; this worker only runs jobs queued in this process');
    await jobs.startWorkers();
    console.log(`workers running on ${jobs.queue.kind} queues; Ctrl-C to stop (active jobs finish or go back to the queue)`);
    const stop = async () => {
      await jobs.stop();
      await db.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });

/** A sync run as both paths (the database, a running hub's API) show it. */
interface RunView {
  id: string;
  status: string;
  pages: number;
  readingsIngested: number;
  readingsDuplicate: number;
  readingsRejected: number;
  finishedAt?: Date | string | null;
  error?: string | null;
  rejectedSample: { index: number; reason: string }[];
}
interface SourceView {
  name: string;
  connector: string;
  enabled: boolean;
  everyMs?: number | null;
  lastRun?: RunView | null;
}
const RUN_FIELDS = 'id status pages readingsIngested readingsDuplicate readingsRejected finishedAt error rejectedSample { index reason }';

program
  .command('sources')
  .description('list data sources with their last run (through the running hub when one holds the embedded data directory)')
  .action(async () => {
    let sources: SourceView[];
    const url = runningHub();
    if (url) {
      sources = (await hubRequest<{ dataSources: SourceView[] }>(url, `{ dataSources { name connector enabled everyMs lastRun { ${RUN_FIELDS} } } }`))
        .dataSources;
    } else {
      const { db, jobs } = await connect('sources');
      const { listSources, lastRuns } = await import('../modules/datasource/datasource.repository');
      const rows = await listSources(db.manager);
      const runs = new Map(
        (
          await lastRuns(
            db.manager,
            rows.map((s) => s.id),
          )
        ).map((r) => [r.sourceId, r]),
      );
      sources = rows.map((s) => {
        const r = runs.get(s.id);
        return { ...s, lastRun: r && { ...r, rejectedSample: r.rejectedSample.map((x) => ({ index: x.position, reason: x.reason })) } };
      });
      await jobs.stop();
      await db.close();
    }
    if (!sources.length) console.log('no data sources (createDataSource in GraphQL)');
    for (const s of sources) {
      const r = s.lastRun;
      const finished = r?.finishedAt ? new Date(r.finishedAt).toISOString() : '';
      console.log(
        [
          s.name.padEnd(24),
          s.connector.padEnd(13),
          (s.enabled ? 'enabled' : 'disabled').padEnd(9),
          s.everyMs ? `every ${s.everyMs / 1000}s`.padEnd(12) : 'manual'.padEnd(12),
          r ? `last ${r.status} ${finished} +${r.readingsIngested} readings, ${r.readingsRejected} rejected` : 'never run',
        ].join(' '),
      );
    }
  });

/** Shows a run's progress until it ends; returns the finished run. */
async function follow(source: string, read: () => Promise<RunView>): Promise<RunView> {
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar(
    { format: 'sync {source} |{bar}| {status} pages {pages} readings +{value} rejected {rejected}', hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(1, 0, { source, status: 'QUEUED', pages: 0, rejected: 0 });
  for (;;) {
    const r = await read();
    bar.setTotal(Math.max(1, r.readingsIngested));
    bar.update(r.readingsIngested, { status: r.status, pages: r.pages, rejected: r.readingsRejected });
    if (r.status === 'SUCCEEDED' || (r.status === 'FAILED' && r.error)) {
      bar.stop();
      console.log(
        `sync ${source}: ${r.status}, +${r.readingsIngested} readings (${r.readingsDuplicate} already stored), ${r.readingsRejected} rejected, ${r.pages} pages`,
      );
      if (r.status === 'FAILED') console.error(`sync failed: ${r.error} (it is retried with backoff; run again to watch)`);
      for (const x of r.rejectedSample.slice(0, 10)) console.error(`  rejected #${x.index}: ${x.reason}`);
      return r;
    }
    await new Promise((res) => setTimeout(res, 250));
  }
}

program
  .command('sync <source>')
  .description(
    'sync a data source now (by name or id) and show its progress; --from/--to backfill a time range (through the running hub when one holds the embedded data directory)',
  )
  .option('--from <time>', 'backfill start (ISO 8601), with --to')
  .option('--to <time>', 'backfill end (ISO 8601)')
  .action(async (source: string, o: { from?: string; to?: string }) => {
    if (Boolean(o.from) !== Boolean(o.to) || [o.from, o.to].some((v) => v && Number.isNaN(Date.parse(v)))) {
      fail('--from and --to go together, as ISO 8601 times (e.g. 2026-11-01T00:00:00+08:00)');
    }
    const url = runningHub();
    if (url) {
      // The running hub stores the run and its workers run it (and detection after it).
      const started = o.from
        ? (
            await hubRequest<{ backfillDataSource: RunView }>(
              url,
              `mutation($s: ID!, $f: DateTime!, $t: DateTime!) { backfillDataSource(sourceId: $s, from: $f, to: $t) { ${RUN_FIELDS} } }`,
              { s: source, f: new Date(o.from).toISOString(), t: new Date(o.to!).toISOString() },
            )
          ).backfillDataSource
        : (await hubRequest<{ triggerSync: RunView }>(url, `mutation($s: ID!) { triggerSync(sourceId: $s) { ${RUN_FIELDS} } }`, { s: source })).triggerSync;
      const r = await follow(
        source,
        async () => (await hubRequest<{ syncRun: RunView }>(url, `query($id: ID!) { syncRun(id: $id) { ${RUN_FIELDS} } }`, { id: started.id })).syncRun,
      );
      if (r.status === 'SUCCEEDED') console.log(`detection runs in the hub at ${url} for the meters that received readings`);
      process.exit(r.status === 'SUCCEEDED' ? 0 : 1);
    }
    const { db, jobs } = await connect('sync');
    const { findRun } = await import('../modules/datasource/datasource.repository');
    const { InProcessJobQueue } = await import('../platform/queue');
    const { dataSourceService } = await import('../modules/datasource/datasource.service');
    const { systemContext } = await import('../modules/context');
    // Without Redis the sync runs in this process; with Redis the shared workers run it.
    if (jobs.queue.kind === 'in-process') await jobs.startWorkers({ scheduler: false });
    let run;
    try {
      run = o.from
        ? await dataSourceService.backfill(systemContext(jobs.deps, 'cli'), source, new Date(o.from), new Date(o.to!))
        : await dataSourceService.trigger(systemContext(jobs.deps, 'cli'), source);
    } catch (e) {
      await jobs.stop();
      await db.close();
      fail((e as Error).message);
    }
    const r = await follow(source, async () => {
      const row = (await findRun(db.manager, run.id))!;
      return { ...row, rejectedSample: row.rejectedSample.map((x) => ({ index: x.position, reason: x.reason })) };
    });
    if (r.status === 'SUCCEEDED' && jobs.queue instanceof InProcessJobQueue) {
      console.log('running detection for the meters that received readings…');
      await jobs.queue.drain(['sync', 'detect']);
    }
    await jobs.stop();
    await db.close();
    process.exit(r.status === 'SUCCEEDED' ? 0 : 1);
  });

program
  .command('watch')
  .description('print rating changes as they happen (the ratingChanged subscription of a running hub), one JSON line each; reconnects without losing any')
  .option('--url <url>', 'the hub (default: the one serving the embedded data directory, else 127.0.0.1:$PORT)')
  .option(
    '--token <jwt>',
    'bearer token (default: a read-only CREDIT_AUTHORITY token of every region, signed with HUB_JWT_SECRET; its reads are on the Art. 23 log)',
  )
  .option('--region <code>', 'only this region (its jurisdiction prefix)')
  .option('--credit-code <code>', 'only this enterprise')
  .option('--since <time>', 'also the changes published since then (ISO 8601, at most 7 days back)')
  .action(async (o: { url?: string; token?: string; region?: string; creditCode?: string; since?: string }) => {
    const url = o.url ?? (config().databaseUrl ? undefined : dataDirHolder(config().dataDir)?.url) ?? `http://127.0.0.1:${process.env.PORT || 4000}`;
    const { createClient } = await import('graphql-ws');
    const { default: WebSocket } = await import('ws');
    const { RecentIds } = await import('../modules/rating-feed/rating-bus');
    const token = o.token ?? signToken({ role: 'CREDIT_AUTHORITY', subject: 'cli:watch', expiresIn: '12h' }, config().jwtSecret);
    const query = `subscription($r: String, $c: String, $s: DateTime) { ratingChanged(regionCode: $r, creditCode: $c, since: $s) {
      eventId sequence changedAt previousGrade grade enterprise { creditCode regionCode } rating { score policyVersion asOf } } }`;
    const seen = new RecentIds();
    let since = o.since ?? null;
    console.error(`watching rating changes on ${url}/graphql (Ctrl-C to stop)`);
    for (;;) {
      const client = createClient({
        url: url.replace(/^http/, 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
      try {
        for await (const r of client.iterate({ query, variables: { r: o.region ?? null, c: o.creditCode ?? null, s: since } })) {
          if (r.errors) {
            console.error(r.errors.map((x) => x.message).join('; '));
            process.exit(1);
          }
          const change = (r.data as { ratingChanged: { eventId: string; changedAt: string } }).ratingChanged;
          since = change.changedAt;
          if (!seen.add(change.eventId)) continue; // a reconnect's catch-up repeats the last minute
          console.log(JSON.stringify(change));
        }
        return;
      } catch (e) {
        const code = (e as { code?: number }).code;
        if (code === 4401 || code === 4403) {
          console.error(`refused: ${(e as { reason?: string }).reason}`);
          process.exit(1);
        }
        console.error(`connection lost (${code ?? (e as Error).message}); reconnecting${since ? ` from ${since}` : ''}…`);
        await new Promise((res) => setTimeout(res, 2000));
      } finally {
        await client.dispose();
      }
    }
  });

const audit = program.command('audit').description('the tamper-evident audit log');

audit
  .command('verify')
  .description('walk the audit hash chain; name the first broken entry (exit 1) or print the count and the head')
  .option('--anchor <seq:hash>', 'a chain head logged earlier (the daily "audit chain head" line): the table must still hold it')
  .option('--batch <n>', 'entries read at a time', '1000')
  .action(async (o: { anchor?: string; batch: string }) => {
    const { parseAnchor, verifyChain } = await import('../modules/audit/audit.chain');
    const anchor = o.anchor === undefined ? undefined : parseAnchor(o.anchor);
    if (o.anchor !== undefined && !anchor) fail('--anchor takes <seq>:<hash>, e.g. 1234:9f2c… (64 hex digits), as the daily log line prints it');
    const { db } = await openDatabase('audit');
    await db.migrate();
    const r = await verifyChain(db.manager, { anchor, batch: Math.max(1, Number(o.batch) || 1000) });
    await db.close();
    if (!r.ok && r.broken) {
      console.error(`audit chain broken at seq ${r.broken.seq ?? '-'} (id ${r.broken.id ?? '-'}): ${r.broken.check}: ${r.broken.message}`);
      console.error(`${r.count} entries verified before it`);
      process.exit(1);
    }
    console.log(`audit chain ok: ${r.count} entries, head ${r.head.seq}:${r.head.hash}${anchor ? `, anchor ${anchor.seq} holds` : ''}`);
  });

program
  .command('db')
  .description('database roles')
  .command('grant-runtime <role>')
  .description(
    "print (or --apply as the owner, HUB_MIGRATION_DATABASE_URL) the GRANTs of the hub's runtime role: business tables read/write, audit_log insert and select only",
  )
  .option('--schema <name>', "schema of the hub tables (default: the owner connection's current schema, else public)")
  .option('--apply', 'run them over the owner connection instead of printing them')
  .action(async (role: string, o: { schema?: string; apply?: boolean }) => {
    const { runtimeGrants } = await import('../platform/db-roles');
    const c = config();
    const ownerUrl = c.migrationDatabaseUrl;
    if (o.apply && !ownerUrl) fail('--apply needs a database server: set HUB_MIGRATION_DATABASE_URL (the owner) or DATABASE_URL');
    let schema = o.schema;
    let client: import('pg').Client | undefined;
    if (o.apply) {
      const { Client } = await import('pg');
      client = new Client({ connectionString: ownerUrl });
      await client.connect();
      schema ??= (await client.query<{ s: string | null }>(`SELECT current_schema() AS s`)).rows[0]?.s ?? 'public';
    }
    let statements: string[];
    try {
      statements = runtimeGrants(role, schema ?? 'public');
    } catch (e) {
      await client?.end();
      fail((e as Error).message);
    }
    if (!client) {
      console.log(statements.map((x) => `${x};`).join('\n'));
      return;
    }
    try {
      for (const sql of statements) await client.query(sql);
      console.log(`granted ${role} the runtime rights on schema ${schema} (${statements.length} statements)`);
    } finally {
      await client.end();
    }
  });

const readings = program.command('readings').description("meter_reading's month partitions: list them, detach old months for archive");

/** The owner's connection (HUB_MIGRATION_DATABASE_URL, else DATABASE_URL), or the embedded database: partitions are DDL. */
async function openOwner(role: string) {
  const c = config();
  const { Database } = await import('../platform/db');
  try {
    const db = await Database.connect({ url: c.migrationDatabaseUrl, dataDir: c.dataDir, lockRole: role, poolSize: 2 });
    await db.migrate();
    return db;
  } catch (e) {
    if (e instanceof DataDirLockedError) fail(e.message);
    throw e;
  }
}

readings
  .command('partitions')
  .description('list the month partitions of meter_reading (and month tables detached for archive)')
  .option('--ensure', `first create this month's partition and the next ${3} ahead, as the scheduler does each hour`)
  .action(async (o: { ensure?: boolean }) => {
    const db = await openOwner('readings');
    const { ensureReadingPartitions, listReadingPartitions } = await import('../modules/meter/reading-partitions');
    try {
      if (o.ensure) console.log(`created ${await ensureReadingPartitions(db.manager)} partition(s)`);
      const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
      for (const p of await listReadingPartitions(db.manager))
        console.log(
          [
            p.name.padEnd(24),
            p.kind.padEnd(8),
            (p.attached ? `before ${p.before ?? '-'}` : 'DETACHED').padEnd(16),
            `~${p.rows} rows`.padStart(16),
            mb(p.bytes).padStart(12),
          ].join(' '),
        );
    } finally {
      await db.close();
    }
  });

readings
  .command('detach')
  .description('detach the month partitions before a month (and the history partition when all it holds is earlier); each stays a plain table to dump and drop')
  .requiredOption('--before <YYYY-MM>', 'China month: partitions of earlier months are detached')
  .option('--force', 'also months the credit rules still read (the last two years), never this month or later')
  .action(async (o: { before: string; force?: boolean }) => {
    const db = await openOwner('readings');
    const { PartitionDetachRefused, detachReadingPartitions } = await import('../modules/meter/reading-partitions');
    try {
      const names = await detachReadingPartitions(db.manager, o.before, { force: o.force });
      console.log(`detached: ${names.join(', ')}`);
      console.log(`archive each with pg_dump -t '<schema>.<name>' and then DROP TABLE it; readings of these months no longer appear in the hub`);
    } catch (e) {
      if (e instanceof PartitionDetachRefused) {
        await db.close();
        fail(e.message);
      }
      throw e;
    } finally {
      await db.close().catch(() => undefined);
    }
  });

const keys = program.command('keys').description('the data keys that encrypt personal data and secrets at rest');

keys
  .command('rotate')
  .description('re-encrypt every encrypted value with the active key (HUB_DATA_KEY_ACTIVE), in batches; resumable; audited')
  .option('--batch-size <n>', 'rows per transaction', '500')
  .action(async (o: { batchSize: string }) => {
    const batchSize = Number(o.batchSize);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) fail('--batch-size: a whole number from 1 to 10000');
    const { c, db } = await openDatabase('keys rotate');
    const { useDataKeys } = await import('../platform/crypto/keyring');
    const { rotateDataKeys } = await import('../modules/keys/key-rotation');
    await db.migrate();
    const cipher = useDataKeys(c.dataKeys);
    console.log(`active key ${cipher.active} (${cipher.cipher}); keys that decrypt: ${cipher.kids.join(', ')}`);
    const summary = await rotateDataKeys(db, { batchSize, onProgress: (p) => console.log(`${p.column}: ${p.done}/${p.total}`) });
    console.log(`re-encrypted ${summary.total} value(s) with key ${summary.active}; ${JSON.stringify(summary.columns)}`);
    await db.close();
  });

keys
  .command('status')
  .description('how many values of each encrypted column are under each key id ("plain": not encrypted yet)')
  .action(async () => {
    const { db } = await openDatabase('keys status');
    const { dataKeyUsage } = await import('../modules/keys/key-rotation');
    await db.migrate();
    console.log(JSON.stringify(await dataKeyUsage(db), null, 2));
    await db.close();
  });

keys
  .command('generate <kid>')
  .description('print a new random data key as kid=base64, for HUB_DATA_KEYS (or HUB_DATA_HASH_KEY)')
  .action(async (kid: string) => {
    const { KID_PATTERN } = await import('../platform/crypto/field-cipher');
    if (!KID_PATTERN.test(kid)) fail('the key id: 1-32 letters, digits, - or _');
    const { randomBytes } = await import('node:crypto');
    console.log(`${kid}=${randomBytes(32).toString('base64')}`);
  });

program.parseAsync().catch(async (e) => {
  const { MissingDatabaseError } = await import('../platform/db');
  if (e instanceof MissingDatabaseError) {
    console.error(e.message); // one line that says how to create it, like a configuration error
    process.exit(2);
  }
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
