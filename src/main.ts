import 'reflect-metadata';
import { createHub } from './app';
import { ConfigError, loadConfig } from './platform/config';
import { Database, MissingDatabaseError } from './platform/db';
import { DataDirLockedError } from './platform/data-dir-lock';
import { logger, printAfterLogs } from './platform/logger';
import { signToken } from './platform/auth/principal';
import { loadPolicies, warnOfPolicyEnd } from './modules/policy/credit-policy.loader';
import { seedDemo } from './modules/demo/demo.seed';
import { seedDemoWorkflows } from './modules/demo/demo.workflows';
import { openJobs } from './workers';
import { encryptPlainValues } from './modules/keys/key-rotation';
import { ensureReadingPartitions } from './modules/meter/reading-partitions';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** `npm start`: validate config, migrate, seed the demo when asked, serve. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  logger.level = config.logLevel;
  if (config.jwtSecretIsDev)
    logger.warn(
      { file: config.jwtSecretFile },
      'HUB_JWT_SECRET is not set: tokens are signed with the development secret generated for this data directory. Set HUB_JWT_SECRET (32+ chars) before real use.',
    );
  const policies = loadPolicies(config.policyDir);
  let db: Database;
  try {
    db = await Database.connect({ url: config.databaseUrl, migrationUrl: config.migrationDatabaseUrl, dataDir: config.dataDir });
  } catch (e) {
    if (e instanceof MissingDatabaseError) {
      console.error(e.message);
      process.exit(2);
    }
    if (e instanceof DataDirLockedError) {
      console.error(`error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  logger.info({ database: db.embedded ? `embedded PGlite in ${config.dataDir}/pglite` : 'postgres server' }, 'database connected');
  // Listen first so /health answers 503 ("starting") while migrations and the seed run.
  const jobs = await openJobs({
    redisUrl: config.redisUrl,
    queuePrefix: config.queuePrefix,
    db,
    policies,
    notify: config.notify,
    queueTiming: config.queueTiming,
    syncPageSize: config.syncPageSize,
  });
  const hub = await createHub(config, db, policies, jobs);
  const url = await hub.listen(config.port, config.host);
  db.lock?.announce(url); // `npm run hub -- sync …` talks to this hub instead of opening its data directory
  logger.info({ url, host: config.host }, 'listening; /health and /graphql answer 503 until migrations (and the demo seed) are done');
  const applied = await db.migrate();
  if (applied.length) logger.info({ applied }, 'migrations applied');
  // A hub started after a month end has this month's partition at once, not at the next hourly tick.
  const months = await ensureReadingPartitions(db.manager);
  if (months) logger.info({ made: months }, 'meter_reading: month partitions created');
  // Values written before encryption at rest (or by an older hub) are encrypted with the active key, in batches.
  const sealed = await encryptPlainValues(db);
  if (sealed.total) logger.info({ columns: sealed.columns, kid: sealed.active }, 'plain personal data and secrets encrypted at rest');
  if (config.dataKeys.source === 'dev')
    logger.warn(
      { file: config.dataKeys.file },
      'HUB_DATA_KEYS is not set: personal data is encrypted with the development keys generated for this data directory.',
    );
  // The published policies join the shipped ones, and publishes from any process are followed.
  await jobs.deps.policies.start();
  warnOfPolicyEnd(jobs.deps.policies.current());
  if (config.demo) {
    logger.info('seeding the demo data set; /health and /graphql answer 503 meanwhile');
    // The seed runs on this thread next to embedded PGlite: its longest event-loop stall and the memory left
    // afterwards are logged (`npm run bench:embedded` reads them against its limits).
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const summary = await seedDemo(db, jobs.deps.policies.current(), { enterprises: 200, readingDays: 21 });
    if (summary) logger.info(summary, 'demo data seeded');
    // Repairs, objections, reports, tips and filings in flight, through the services (only on a fresh seed).
    if (summary) logger.info({ workflows: await seedDemoWorkflows(jobs.deps) }, 'demo workflows seeded');
    loop.disable();
    const mem = process.memoryUsage();
    logger.info(
      {
        eventLoopMaxDelayMs: Math.round(loop.max / 1e6),
        eventLoopP99DelayMs: Math.round(loop.percentile(99) / 1e6),
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        externalBytes: mem.external,
        arrayBuffersBytes: mem.arrayBuffers,
      },
      'demo seed resources',
    );
  }
  // API and workers together unless HUB_RUN_WORKERS=false (API-only nodes);
  // `npm run hub -- worker` runs workers alone on other machines.
  if (config.runWorkers) await jobs.startWorkers();
  else if (!config.redisUrl) logger.warn('HUB_RUN_WORKERS=false without REDIS_URL: nothing will run queued work or relay rating changes');
  hub.markReady();
  logger.info({ url: `${url}/graphql` }, 'hub ready');
  if (config.demo && config.nodeEnv !== 'production') {
    // Separated duties: a business token (the province over the demo's Chengde data) and an operations one.
    const token = signToken({ role: 'PROVINCE_AUTHORITY', regions: ['130000'], subject: 'province:demo', expiresIn: '24h' }, config.jwtSecret);
    const ops = signToken({ role: 'SYSTEM_ADMIN', subject: 'sysadmin:demo', expiresIn: '24h' }, config.jwtSecret);
    // Through the logger's stream: pino writes asynchronously, and the tokens must come after its lines.
    printAfterLogs(
      `\nWater credit hub ready: ${url}/graphql  (health ${url}/health, metrics ${url}/metrics)\n` +
        `节水信用数据枢纽已就绪：浏览器打开 ${url}/graphql 即为 GraphQL 调试台；${url}/ 列出各入口。\n` +
        `Demo provincial authority token (省级水行政主管部门 130000, business; 24 hours; send as "Authorization: Bearer <token>"):\n${token}\n` +
        `Demo system administrator token (系统管理员: data sources, calendar, policies, /admin/queues; no business data):\n${ops}\n`,
    );
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1); // a second signal: stop now
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000).unref();
    try {
      await hub.stop();
      await jobs.stop();
      await db.close();
    } catch (err) {
      logger.error({ err }, 'error while shutting down');
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  logger.fatal({ err: e }, 'hub failed to start');
  process.exit(1);
});
