import IORedis from 'ioredis';
import { Client } from 'pg';
import { createHub, Hub } from '../../src/app';
import { HubConfig, loadConfig } from '../../src/platform/config';
import { Database } from '../../src/platform/db';
import { Role, signToken } from '../../src/platform/auth/principal';
import { CreditPolicy } from '../../src/modules/policy/credit-policy';
import { JobsHandle, openJobs } from '../../src/workers';
import { testPolicies } from './policy-time';

export const TEST_DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123';
/** The data keys of test hubs (encryption at rest): fixed, so a test can open what a hub wrote. */
export const TEST_DATA_KEYS_ENV = {
  HUB_DATA_KEYS: `t1=${Buffer.alloc(32, 0x11).toString('base64')}`,
  HUB_DATA_HASH_KEY: Buffer.alloc(32, 0x22).toString('base64'),
};

/** A fresh Postgres schema on the real local server, migrated; `drop()` removes it. */
export async function testDatabase(label: string): Promise<{ db: Database; schema: string; drop: () => Promise<void> }> {
  const schema = `t_${label}_${process.pid}_${Date.now().toString(36)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const db = await Database.connect({ url: TEST_DATABASE_URL, schema, poolSize: 5 });
  await db.migrate();
  return {
    db,
    schema,
    drop: async () => {
      await db.close();
      const c = new Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** Runs `probe` on a fresh test schema (`testDatabase(label)`), dropped afterwards: the Postgres side of a probe run on both databases. */
export async function probeOnPostgres<T>(label: string, probe: (db: Database) => Promise<T>): Promise<T> {
  const { db, drop } = await testDatabase(label);
  try {
    return await probe(db);
  } finally {
    await drop();
  }
}

export interface TokenOptions {
  regions?: string[];
  creditCode?: string;
  agency?: string;
  subject?: string;
}

export interface TestHub {
  url: string;
  hub: Hub;
  db: Database;
  config: HubConfig;
  jobs: JobsHandle;
  token(role: Role, opts?: TokenOptions): string;
  /** POSTs a GraphQL operation; returns the parsed body and HTTP status. */
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; data?: T; errors?: any[] }>;
  stop(): Promise<void>;
}

/** The whole HTTP server on a free port, over its own schema of the local Postgres. */
export async function startTestHub(
  label: string,
  /** `policies`: the credit policies to run with; default {@link testPolicies} (one is in force today). */
  opts: { redisUrl?: string; env?: Record<string, string>; relay?: boolean; policies?: CreditPolicy[] } = {},
): Promise<TestHub> {
  const { db, drop } = await testDatabase(label);
  // A queue (and pub/sub channel) prefix of its own: test files (and a hub running on this machine) never share jobs.
  const queuePrefix = `hubtest-${label}-${process.pid}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    HUB_JWT_SECRET: TEST_SECRET,
    DATABASE_URL: TEST_DATABASE_URL,
    PORT: '0',
    HUB_QUEUE_PREFIX: queuePrefix,
    REDIS_URL: opts.redisUrl ?? '',
    // Webhook receivers in tests listen on loopback.
    HUB_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1,::1',
    HUB_OUTBOX_POLL_MS: '100',
    ...(opts.env?.HUB_DATA_KEY_FILE ? {} : TEST_DATA_KEYS_ENV),
    ...opts.env,
  });
  const policies = opts.policies ?? testPolicies();
  const jobs = await openJobs({ redisUrl: opts.redisUrl, queuePrefix, db, policies, notify: config.notify });
  // Publishes reach it by NOTIFY; no periodic check, whose statements would land in the counts some tests take.
  await jobs.deps.policies.start({ pollMs: 24 * 3600_000 });
  await jobs.startWorkers({ scheduler: false, relay: opts.relay });
  const hub = await createHub(config, db, policies, jobs);
  const url = await hub.listen(0);
  hub.markReady();
  return {
    url,
    hub,
    db,
    jobs,
    config,
    token: (role, o = {}) => signToken({ role, ...o }, TEST_SECRET),
    async gql(query, variables, token, headers = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: any; errors?: any[] };
      return { status: res.status, ...body };
    },
    async stop() {
      await hub.stop().catch(() => undefined); // already stopped by the test
      await jobs.stop();
      if (opts.redisUrl) {
        const redis = new IORedis(opts.redisUrl);
        const keys = await redis.keys(`${queuePrefix}:*`);
        if (keys.length) await redis.del(...keys);
        redis.disconnect();
      }
      await drop();
    },
  };
}

/** The first error's code, for assertions. */
export const codeOf = (r: { errors?: any[] }) => r.errors?.[0]?.extensions?.code;
