import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { TEST_DATABASE_URL, TEST_SECRET } from './hub';
import { realClockEnv, testPolicyDir } from './policy-time';

// From test/support under ts-jest, or dist/test/support when a compiled benchmark imports this.
const ROOT = path.resolve(__dirname, '../..');
const DIST = path.basename(ROOT) === 'dist' ? path.join(ROOT, 'src') : path.join(ROOT, 'dist/src');
export const HUB_CLI = path.join(DIST, 'cli/hub.js');
export const HUB_MAIN = path.join(DIST, 'main.js');

/** A hub process of the compiled build (`npm test` builds first), its output kept for failure messages. */
export interface HubProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** API processes: the base URL, once the hub logged "hub ready". */
  ready: Promise<string>;
}

/** The test database URL with the schema as search_path, for processes that take only a URL. */
export function schemaUrl(schema: string, base: string = TEST_DATABASE_URL): string {
  const db = new URL(base);
  db.searchParams.set('options', `-c search_path=${schema},public`);
  return db.toString();
}

/**
 * Starts `hub worker` (kind worker) or `npm start`'s entry point without the demo (kind
 * api) over a test schema and a Redis URL.
 */
export function spawnHub(
  kind: 'api' | 'worker',
  name: string,
  schema: string,
  redisUrl: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): HubProcess {
  const entry = kind === 'api' ? HUB_MAIN : HUB_CLI;
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does it in pretest)`);
  const child = spawn(process.execPath, [...nodeArgs, ...(kind === 'api' ? [entry] : [entry, 'worker'])], {
    env: {
      ...process.env,
      DATABASE_URL: schemaUrl(schema),
      REDIS_URL: redisUrl,
      // The prefix this process queues under, whatever the caller's environment says.
      HUB_QUEUE_PREFIX: 'hub',
      HUB_JWT_SECRET: TEST_SECRET,
      HUB_DEMO: 'false',
      PORT: '0',
      LOG_LEVEL: kind === 'api' ? 'info' : 'warn',
      NODE_ENV: 'test',
      // The suite's policies: the shipped ones, continued when they have run out (see testPolicies).
      HUB_POLICY_DIR: testPolicyDir(),
      // The suite's feeds and webhook receivers listen on loopback (as startTestHub allows).
      HUB_OUTBOUND_ALLOW_PRIVATE: '127.0.0.1,::1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let onReady!: (url: string) => void;
  const ready = new Promise<string>((r) => (onReady = r));
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
    const m = /"url":"(http:\/\/[^"]+)\/graphql","msg":"hub ready"/.exec(out);
    if (m) onReady(m[1]);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { name, child, exited, ready, output: () => `\n--- ${name} output (tail) ---\n${out.slice(-4000)}` };
}

export async function within<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGTERM, then SIGKILL after 10 s. */
export async function stopHub(p: HubProcess | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const done = await within(
    p.exited.then(() => true),
    10_000,
    () => new Error('still running'),
  ).catch(() => false);
  if (!done) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
}

/** A free TCP port on loopback (for a server the test starts, stops and starts again on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A Redis server of the test's own (`redis-server` from PATH, nothing on disk), so a test
 * can FLUSHALL it and restart it without touching anyone else's data.
 */
export class PrivateRedis {
  private child?: ChildProcess;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.up();
    return r;
  }

  async up(): Promise<void> {
    // Like the database server, Redis keeps the real clock: under libfaketime redis-server hangs at start.
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: realClockEnv(),
    });
    this.child = child;
    await within(
      new Promise<void>((resolve, reject) => {
        child.once('error', (e) => reject(new Error(`cannot start redis-server (${e.message}); this test needs redis-server on PATH`)));
        child.stdout.on('data', (d: Buffer) => {
          if (/Ready to accept connections/.test(d.toString())) resolve();
        });
      }),
      10_000,
      () => new Error('redis-server did not become ready within 10 s'),
    );
  }

  async down(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}
