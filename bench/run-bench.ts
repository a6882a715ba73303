/**
 * Dashboard benchmark: the hub vs PostGraphile v5 over the same `bench` schema (10,000 seeded
 * enterprises), same process, same run, alternating rounds. `npm run bench`.
 *
 * Env: BENCH_DATABASE_URL, BENCH_SECONDS (10), BENCH_ROUNDS (3), BENCH_WARMUP (3 s),
 * BENCH_CONNECTIONS (10), BENCH_WORKERS (1 autocannon worker thread; 0 = fire from the main thread),
 * BENCH_POOL (10 connections per server), BENCH_PRINT_SCHEMA=1 (print PostGraphile's SDL and stop),
 * BENCH_ONLY=hub|postgraphile (time one side only, e.g. under node --cpu-prof).
 * Not a test: exits 0 whatever the ratio.
 *
 * After the dashboard: the ingest benchmark (ingest-bench.ts: our bulk path vs COPY, schema
 * `bench_ingest`), the detection benchmark (detect-bench.ts, schema `bench_detect`) and the
 * subscription benchmark (subscriptions-bench.ts: graphql-ws vs a bare ws server, schema `bench_subs`).
 * Then the embedded demo (embedded-demo.ts: `npm start`'s RSS and event-loop stall against their limits).
 * The history benchmark (history-bench.ts: a day's ingest + detection on an empty meter_reading vs one holding a year,
 * schemas `bench_history_empty` and `bench_history`, the latter kept between runs) runs after detection, then
 * the daily re-grade benchmark (regrade-bench.ts: reevaluateAll vs one set-based SQL statement, schema `bench_regrade`).
 * BENCH_ONLY=dashboard|ingest|detect|history|regrade|subscriptions|embedded runs one part (hub|postgraphile imply the dashboard).
 * Their own settings (BENCH_INGEST_*, BENCH_DETECT_*, BENCH_REGRADE_*) are listed in those files.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { PEER_DASHBOARD_QUERY, Peer, polyfillPromiseWithResolvers, startPostGraphile } from './postgraphile-peer';
import { RoundResult, Target, hammer, summarise } from './load';

const env = process.env;
const DATABASE_URL = env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'bench';
const ENTERPRISES = 10_000;
const num = (v: string | undefined, d: number) => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : d);
const SECONDS = num(env.BENCH_SECONDS, 10);
const ROUNDS = num(env.BENCH_ROUNDS, 3);
const WARMUP = num(env.BENCH_WARMUP, 3);
const CONNECTIONS = num(env.BENCH_CONNECTIONS, 10);
const WORKERS = num(env.BENCH_WORKERS, 1);
const POOL = num(env.BENCH_POOL, 10);
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';

const HUB_QUERY = `{ enterprises(first: 100) { edges { node { name rating { grade score } meters { meterCode lastReadingAt } permits { permitNo } } } } }`;

/** What both answers must agree on, per enterprise, in order. */
interface Row {
  name: string;
  grade: string | null;
  score: number | null;
  meters: number;
  permits: number;
}

class Abort extends Error {}

async function post(url: string, query: string, headers: Record<string, string> = {}): Promise<{ text: string; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Abort(`${url} answered HTTP ${res.status} with a non-JSON body: ${text.slice(0, 300)}`);
  }
  if (res.status !== 200 || json.errors?.length)
    throw new Abort(`${url} answered HTTP ${res.status} with errors: ${JSON.stringify(json.errors ?? json).slice(0, 600)}`);
  return { text, json };
}

/** Reuses `bench` when it already holds the 10,000 enterprises; otherwise drops and recreates it. */
async function prepareSchema(): Promise<boolean> {
  const c = new Client({ connectionString: DATABASE_URL });
  await c.connect();
  try {
    const [{ t }] = (await c.query(`SELECT to_regclass('${SCHEMA}.enterprise') AS t`)).rows;
    if (t) {
      const [{ n }] = (await c.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.enterprise`)).rows;
      if (n === ENTERPRISES) return true;
      console.log(`schema ${SCHEMA} holds ${n} enterprises, not ${ENTERPRISES}: recreating it`);
    }
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await c.query(`CREATE SCHEMA ${SCHEMA}`);
    return false;
  } finally {
    await c.end();
  }
}

const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
const pad = (s: string | number, w: number) => String(s).padStart(w);

async function runDashboard(): Promise<void> {
  // Both servers in production mode (grafast plans far more cheaply outside development),
  // set before any of their modules load; hence the dynamic imports below.
  env.NODE_ENV = 'production';
  env.GRAPHILE_ENV = 'production';
  env.LOG_LEVEL ||= 'warn';
  // Production needs data keys (encryption at rest); fixed ones, so a schema seeded by an earlier run still opens.
  env.HUB_DATA_KEYS ||= `bench=${Buffer.alloc(32, 0x42).toString('base64')}`;
  env.HUB_DATA_HASH_KEY ||= Buffer.alloc(32, 0x43).toString('base64');
  polyfillPromiseWithResolvers();
  const { Database } = await import('../src/platform/db');
  const { createHub } = await import('../src/app');
  const { loadConfig } = await import('../src/platform/config');
  const { signToken } = await import('../src/platform/auth/principal');
  const { loadPolicies } = await import('../src/modules/policy/credit-policy.loader');
  const { seedDemo } = await import('../src/modules/demo/demo.seed');

  console.log(`database ${DATABASE_URL.replace(/\/\/[^@/]*@/, '//…@')}, schema ${SCHEMA}`);
  const reuse = await prepareSchema();
  const db = await Database.connect({ url: DATABASE_URL, schema: SCHEMA, poolSize: POOL });
  let hub: Awaited<ReturnType<typeof createHub>> | undefined;
  let peer: Peer | undefined;
  try {
    const config = loadConfig({
      NODE_ENV: 'production',
      HUB_JWT_SECRET: SECRET,
      // The benchmark signs its own development token (no OpenID provider here).
      HUB_ALLOW_DEV_TOKENS: 'true',
      DATABASE_URL,
      PORT: '0',
      LOG_LEVEL: env.LOG_LEVEL,
      // A benchmark is one caller at full speed: no rate limits; /metrics on a port of its own (production needs one).
      HUB_RATE_LIMIT_OPERATIONS: '0',
      HUB_RATE_LIMIT_MUTATIONS: '0',
      HUB_METRICS_PORT: '0',
      HUB_DATA_KEYS: env.HUB_DATA_KEYS,
      HUB_DATA_HASH_KEY: env.HUB_DATA_HASH_KEY,
      // HUB_GRAPHQL_JIT=0 times the hub on graphql-js (the A/B of the compiled executor).
      HUB_GRAPHQL_JIT: env.HUB_GRAPHQL_JIT,
    });
    // The seed seals personal fields with the same keys the hub reads them with (loaded above: production needs them).
    (await import('../src/platform/crypto/keyring')).useDataKeys(config.dataKeys);
    await db.migrate();
    const policies = loadPolicies();
    if (reuse) console.log(`reusing schema ${SCHEMA}: it already holds ${ENTERPRISES} enterprises`);
    else {
      const t0 = Date.now();
      const summary = await seedDemo(db, policies, { enterprises: ENTERPRISES, readingDays: 0 });
      await db.dataSource.query('ANALYZE');
      console.log(`seeded ${SCHEMA} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(summary)}`);
    }

    hub = await createHub(config, db, policies);
    const hubUrl = `${await hub.listen(0)}/graphql`;
    hub.markReady();
    peer = await startPostGraphile({ connectionString: DATABASE_URL, schema: SCHEMA, poolSize: POOL });
    if (env.BENCH_PRINT_SCHEMA === '1') {
      console.log(await peer.printSchema());
      return;
    }
    const auth = { authorization: `Bearer ${signToken({ role: 'PROVINCE_AUTHORITY', regions: ['130000'] }, SECRET)}` };

    // One checked request each: same 100 enterprises, same order, same nested data.
    let before = db.statementCount;
    const ours = await post(hubUrl, HUB_QUERY, auth);
    const hubSql = db.statementCount - before;
    before = peer.statementCount;
    const theirs = await post(peer.url, PEER_DASHBOARD_QUERY);
    const peerSql = peer.statementCount - before;
    const ourRows: Row[] = (ours.json.data?.enterprises?.edges ?? []).map(({ node: n }: any) => ({
      name: n.name,
      grade: n.rating?.grade ?? null,
      score: n.rating?.score ?? null,
      meters: n.meters.length,
      permits: n.permits.length,
    }));
    const theirRows: Row[] = (theirs.json.data?.allEnterprises?.nodes ?? []).map((n: any) => ({
      name: n.name,
      grade: n.creditRatingByCurrentRatingId?.grade ?? null,
      score: n.creditRatingByCurrentRatingId?.score ?? null,
      meters: n.metersByEnterpriseId.nodes.length,
      permits: n.waterPermitsByEnterpriseId.nodes.length,
    }));
    if (ourRows.length !== 100 || theirRows.length !== 100)
      throw new Abort(`expected 100 enterprises from each server, got hub ${ourRows.length}, postgraphile ${theirRows.length}`);
    const differ = ourRows.findIndex((r, i) => r.name !== theirRows[i].name);
    if (differ >= 0)
      throw new Abort(
        `the two servers list different enterprises: #${differ} is "${ourRows[differ].name}" on the hub but "${theirRows[differ].name}" on postgraphile`,
      );
    const nested = ourRows.findIndex((r, i) => JSON.stringify(r) !== JSON.stringify(theirRows[i]));
    if (nested >= 0)
      throw new Abort(
        `nested data differs for "${ourRows[nested].name}": hub ${JSON.stringify(ourRows[nested])}, postgraphile ${JSON.stringify(theirRows[nested])}`,
      );
    const meters = ourRows.reduce((s, r) => s + r.meters, 0);
    const permits = ourRows.reduce((s, r) => s + r.permits, 0);
    console.log(
      `verified: 100 enterprises in the same order, ${meters} meters, ${permits} permits; response ${ours.text.length} B (hub) / ${theirs.text.length} B (postgraphile)`,
    );
    console.log(`SQL statements per request: hub ${hubSql}, postgraphile ${peerSql}`);

    const allTargets: Target[] = [
      { name: 'hub', url: hubUrl, body: JSON.stringify({ query: HUB_QUERY }), headers: auth, expectBody: ours.text },
      { name: 'postgraphile', url: peer.url, body: JSON.stringify({ query: PEER_DASHBOARD_QUERY }), headers: {}, expectBody: theirs.text },
    ];
    // BENCH_ONLY=hub|postgraphile times one side only (for profiling with --cpu-prof).
    const side = env.BENCH_ONLY === 'hub' || env.BENCH_ONLY === 'postgraphile' ? env.BENCH_ONLY : undefined;
    const targets = allTargets.filter((t) => !side || t.name === side);
    const load = { connections: CONNECTIONS, workers: WORKERS };
    console.log(
      `load: autocannon, ${CONNECTIONS} connections, ${WORKERS ? `${WORKERS} worker thread(s)` : 'main thread'}; ${WARMUP} s warm-up each, ` +
        `then ${ROUNDS} alternating rounds × ${SECONDS} s; pools ${POOL} connections each; ${os.cpus().length} CPUs shared with Postgres and the load generator`,
    );
    if (WARMUP > 0) for (const t of targets) await hammer(t, { ...load, seconds: WARMUP });

    const results: RoundResult[] = [];
    const sqlPerReq: Record<string, number[]> = { hub: [], postgraphile: [] };
    console.log(
      `\n${'round'.padEnd(6)}${'server'.padEnd(14)}${pad('req/s', 9)}${pad('p50', 10)}${pad('p99', 10)}${pad('SQL/req', 9)}${pad('failures', 10)}${pad('busy ms', 10)}`,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      for (const t of targets) {
        const count = () => (t.name === 'hub' ? db.statementCount : peer!.statementCount);
        const s0 = count();
        const elu0 = performance.eventLoopUtilization();
        const r = await hammer(t, { ...load, seconds: SECONDS });
        const perReq = (count() - s0) / Math.max(1, r.requests);
        // Main-thread busy time per request (both servers run on this thread; the load generator runs in its worker).
        const busyMs = performance.eventLoopUtilization(elu0).active / Math.max(1, r.requests);
        sqlPerReq[t.name].push(perReq);
        results.push(r);
        console.log(
          `${String(round).padEnd(6)}${t.name.padEnd(14)}${pad(r.rps.toFixed(1), 9)}${pad(ms(r.p50), 10)}${pad(ms(r.p99), 10)}${pad(perReq.toFixed(2), 9)}${pad(r.failures, 10)}${pad(busyMs.toFixed(2), 10)}`,
        );
      }
    }
    if (ROUNDS < 1 || targets.length < 2) return;
    const h = summarise(results.filter((r) => r.target === 'hub'));
    const p = summarise(results.filter((r) => r.target === 'postgraphile'));
    console.log(
      `\n${'server'.padEnd(14)}${pad('req/s (mean)', 14)}${pad('p99 (median)', 14)}${pad('p99 (worst)', 13)}${pad('requests', 10)}${pad('failures', 10)}`,
    );
    for (const [name, s] of [
      ['hub', h],
      ['postgraphile', p],
    ] as const)
      console.log(`${name.padEnd(14)}${pad(s.rps.toFixed(1), 14)}${pad(ms(s.p99), 14)}${pad(ms(s.p99Worst), 13)}${pad(s.requests, 10)}${pad(s.failures, 10)}`);
    if (h.failures || p.failures) console.log('WARNING: some requests failed or returned a different body; figures are suspect.');
    const ratio = p.rps > 0 ? h.rps / p.rps : NaN;
    console.log(`\ndashboard ratio (hub/postgraphile): ${ratio.toFixed(2)} req/s, p99 hub ${ms(h.p99)} vs postgraphile ${ms(p.p99)} (p99: median of rounds)`);
  } finally {
    await peer?.stop().catch((e) => console.error('postgraphile stop failed:', e));
    await hub?.stop().catch((e) => console.error('hub stop failed:', e));
    await db.close().catch(() => undefined);
  }
}

const PARTS = ['dashboard', 'ingest', 'detect', 'history', 'regrade', 'subscriptions', 'embedded'] as const;

async function main(): Promise<void> {
  const only = env.BENCH_ONLY === 'hub' || env.BENCH_ONLY === 'postgraphile' ? 'dashboard' : env.BENCH_ONLY || undefined;
  if (only && !(PARTS as readonly string[]).includes(only)) throw new Abort(`BENCH_ONLY=${only}: expected one of ${PARTS.join(', ')}, hub, postgraphile`);
  env.LOG_LEVEL ||= 'warn';
  if (!only || only === 'dashboard') await runDashboard();
  if (env.BENCH_PRINT_SCHEMA === '1') return;
  if (!only || only === 'ingest') {
    const { runIngestBench } = await import('./ingest-bench');
    await runIngestBench({
      url: DATABASE_URL,
      rows: num(env.BENCH_INGEST_ROWS, 500_000),
      meters: num(env.BENCH_INGEST_METERS, 1_000),
      batch: num(env.BENCH_INGEST_BATCH, 10_000),
      rounds: num(env.BENCH_INGEST_ROUNDS, 1),
    });
  }
  if (!only || only === 'detect') {
    const { runDetectBench } = await import('./detect-bench');
    const dayEnterprises = num(env.BENCH_DETECT_ENTERPRISES, 2_500);
    if (dayEnterprises > 0) await runDetectBench({ url: DATABASE_URL, enterprises: dayEnterprises });
    // The plan year's readings of level-1 meters too: the days path must not grow with them (BENCH_DETECT_YEAR_ENTERPRISES=0 skips it).
    const yearEnterprises = num(env.BENCH_DETECT_YEAR_ENTERPRISES, 250);
    if (yearEnterprises > 0) await runDetectBench({ url: DATABASE_URL, enterprises: yearEnterprises, history: true });
  }
  if (!only || only === 'history') {
    const { runHistoryBench } = await import('./history-bench');
    await runHistoryBench({
      url: DATABASE_URL,
      readings: num(env.BENCH_HISTORY_READINGS, 50_000_000),
      enterprises: num(env.BENCH_HISTORY_ENTERPRISES, 2_500),
      rounds: num(env.BENCH_HISTORY_ROUNDS, 1),
    });
  }
  if (!only || only === 'regrade') {
    const { runRegradeBench } = await import('./regrade-bench');
    await runRegradeBench({
      url: DATABASE_URL,
      enterprises: num(env.BENCH_REGRADE_ENTERPRISES, 100_000),
      // The hub's own batch size (REGRADE_BATCH) unless set.
      batch: env.BENCH_REGRADE_BATCH ? num(env.BENCH_REGRADE_BATCH, 0) : undefined,
      rounds: num(env.BENCH_REGRADE_ROUNDS, 3),
    });
  }
  if (!only || only === 'subscriptions') {
    const { runSubscriptionsBench } = await import('./subscriptions-bench');
    await runSubscriptionsBench({
      url: DATABASE_URL,
      redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
      clients: num(env.BENCH_SUBS_CLIENTS, 1_000),
      changes: num(env.BENCH_SUBS_CHANGES, 200),
      concurrency: num(env.BENCH_SUBS_CONCURRENCY, 8),
      rounds: num(env.BENCH_SUBS_ROUNDS, 3),
    });
  }
  if (!only || only === 'embedded') {
    const { runEmbeddedBench } = await import('./embedded-demo');
    await runEmbeddedBench({ runs: num(env.BENCH_EMBEDDED_RUNS, 1), settleMs: num(env.BENCH_EMBEDDED_SETTLE_MS, 2000) });
  }
}

main()
  .catch((e) => {
    console.error(e instanceof Abort ? `bench aborted: ${e.message}` : e);
    process.exitCode = 1;
  })
  .finally(() => process.exit(process.exitCode ?? 0));
