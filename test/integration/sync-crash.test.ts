import { createServer, IncomingMessage, request, ServerResponse } from 'node:http';
import { closeServer, listenLoopback } from '../../connectors/loopback';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { FakeVendor, startFakeVendor } from '../../connectors/http-json/fake-vendor.server';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { testPolicies } from '../support/policy-time';
import { Database } from '../../src/platform/db';
import { JobsHandle, openJobs } from '../../src/workers';
import { TEST_DATABASE_URL, testDatabase } from '../support/hub';
import { eventually } from '../support/eventually';
import { HubProcess, spawnHub, stopHub, within } from '../support/processes';
import { PAGE_SIZE } from '../../src/modules/datasource/sync.service';

/**
 * Issue 3, item 7: killing a worker mid-sync (SIGKILL) and starting another loses and
 * duplicates no reading.
 *
 * Real processes: the sync job is queued on BullMQ (local Redis) from this process, and
 * `node dist/src/cli/hub.js worker` runs it (worker A). A is SIGKILLed after it has stored
 * five pages, at one of two points made deterministic here:
 *  - between pages: while it waits for the vendor's sixth page (the proxy below holds it);
 *  - mid-transaction: after it has inserted the sixth page but before the cursor moved
 *    (this test holds a row lock on the data source, so A's `advanceCursor` waits on it).
 * Worker B is then started; BullMQ hands it the stalled job once A's lock has expired and a
 * stalled check has seen it twice (30-90 s with the defaults, lock and stalled check 30 s;
 * the workers here run with HUB_QUEUE_LOCK_MS / HUB_QUEUE_STALLED_MS of a few seconds, see
 * WORKER_TIMING), and B goes on from the cursor committed in Postgres. Every reading
 * of the feed must then be stored exactly once. Both kill points run at the same time, each
 * over its own schema, vendor and Redis database, so the wait for the handover is paid once.
 *
 * BullMQ queues are named the same in every suite (prefix `hub`), so a worker of another
 * suite, or of another run of this one, sharing the Redis database would take this job (and
 * fail it: the run is not in its schema), and a flush here would drop theirs. Each scenario
 * therefore claims a Redis database of its own (1-15 of REDIS_URL's server) with an owner key,
 * and only ever flushes `hub:*` there.
 */
const REDIS_BASE = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const OWNER_KEY = 'sync-crash:owner';
/**
 * Short BullMQ lock and stalled-check intervals for the spawned workers, so B gets A's job
 * seconds after the kill. The lock stays well above any event-loop pause of a loaded
 * machine, so A's job never looks stalled while A is alive.
 */
const WORKER_TIMING = { HUB_QUEUE_LOCK_MS: '4000', HUB_QUEUE_STALLED_MS: '1000', HUB_SYNC_PAGE_SIZE: String(PAGE_SIZE) };

const redisDb = (db: number) => {
  const u = new URL(REDIS_BASE);
  u.pathname = `/${db}`;
  return u.toString();
};

/** Claims a free Redis database; returns its URL and the function that gives it back. */
async function claimRedisDb(owner: string): Promise<{ url: string; release(): Promise<void> }> {
  for (let db = 15; db >= 1; db--) {
    const url = redisDb(db);
    const r = new IORedis(url);
    try {
      if ((await r.set(OWNER_KEY, owner, 'PX', 15 * 60_000, 'NX')) !== 'OK') continue;
    } finally {
      r.disconnect();
    }
    return {
      url,
      async release() {
        const c = new IORedis(url);
        try {
          if ((await c.get(OWNER_KEY)) === owner) await c.del(OWNER_KEY);
        } finally {
          c.disconnect();
        }
      },
    };
  }
  throw new Error('no free Redis database (1-15) for the crash test: too many runs at once?');
}

async function flushHubKeys(url: string): Promise<void> {
  const r = new IORedis(url);
  try {
    const keys = await r.keys('hub:*');
    if (keys.length) await r.del(...keys);
  } finally {
    r.disconnect();
  }
}

const E = withCheckChar('91130821MF0000001');
const METER = 'K-1';
/** 20 full pages of the sync job's PAGE_SIZE (the workers are given it, whatever the environment says); the sixth page is where A dies. */
const N = 20 * PAGE_SIZE;
const KILL_ON_REQUEST = 6;
/** Whole minutes from 30 days ago: the N readings end about 16 days before now, whatever the date. */
const BASE = Math.floor((Date.now() - 30 * 86_400_000) / 60_000) * 60_000;
const readingAt = (i: number) => ({ meterCode: METER, readAt: new Date(BASE + i * 60_000).toISOString(), cumulativeVolume: 1000 + i * 0.25, flowRate: 15 });
/** The fake vendor's cursor of the i-th reading (1-based): `c` + 12 digits. */
const vendorCursor = (i: number) => `c${String(i).padStart(12, '0')}`;

/** Polls `f` until `ok` holds for its value (through `eventually`), naming what it waited for. */
function until<T>(
  what: string,
  f: () => Promise<T>,
  ok: (v: T) => boolean,
  o: { ms: number; every?: number; context?: () => string; signal?: AbortSignal },
): Promise<T> {
  return eventually(
    async () => {
      const v = await f();
      if (!ok(v)) throw new Error(`waiting for ${what}; last value ${JSON.stringify(v)}${o.context?.() ?? ''}`);
      return v;
    },
    { timeoutMs: o.ms, intervalMs: o.every ?? 200, signal: o.signal },
  );
}

/**
 * A pass-through proxy in front of the fake vendor that holds the n-th request (1-based)
 * until `release()`: the test knows exactly which page the worker is waiting for.
 */
interface HoldingProxy {
  url: string;
  /** Paths and queries seen, in order. */
  readonly log: string[];
  /** Resolves when the held request has arrived. */
  readonly held: Promise<void>;
  /** Forwards the held request to the vendor (or drops it, when its client is gone). */
  release(): void;
  close(): Promise<void>;
}

async function startHoldingProxy(vendorUrl: string, holdRequest: number): Promise<HoldingProxy> {
  const target = new URL(vendorUrl);
  const log: string[] = [];
  let markHeld!: () => void;
  const held = new Promise<void>((r) => (markHeld = r));
  let releaseHeld: (() => void) | undefined;
  let released = false;

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    res.on('error', () => undefined);
    if (res.destroyed || req.socket.destroyed) return; // the worker that asked is dead
    const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    up.end();
  };

  const server = createServer((req, res) => {
    log.push(req.url ?? '/');
    if (log.length === holdRequest && !released) {
      releaseHeld = () => forward(req, res);
      markHeld();
      return;
    }
    forward(req, res);
  });
  const port = await listenLoopback(server);
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    log,
    held,
    release() {
      released = true;
      releaseHeld?.();
      releaseHeld = undefined;
    },
    close: () => closeServer(server),
  };
}

interface RunRow {
  status: string;
  pages: number;
  ingested: number;
  duplicate: number;
  rejected: number;
  attempts: number;
  error: string | null;
}

/** What a scenario saw on its way; the tests below assert on it. */
interface Observed {
  storedPages: number;
  /** At the moment A was killed and again once its connections were gone. */
  atKill: { run: RunRow; stored: number; cursor: string | null };
  afterKill: { run: RunRow; stored: number; cursor: string | null };
  aExit: { code: number | null; signal: NodeJS.Signals | null };
  /** mid-transaction: A's backend, blocked in its cursor UPDATE with the page's inserts in its transaction. */
  blocked?: { pid: number; xid: string | null; query: string };
  /** Vendor requests made by B, in order. */
  bRequests: string[];
  final: RunRow;
  handoverMs: number;
}

type KillPoint = 'between-pages' | 'mid-transaction';

/** One crash: its own schema, fake vendor, proxy, Redis database and workers. */
class CrashScenario {
  db!: Database;
  private drop?: () => Promise<void>;
  private schema!: string;
  private vendor?: FakeVendor;
  private proxy!: HoldingProxy;
  private jobs?: JobsHandle;
  private redis?: { url: string; release(): Promise<void> };
  private sourceId!: string;
  runId!: string;
  private lockClient?: Client;
  private readonly workers: HubProcess[] = [];
  private readonly cleaning = new AbortController();
  result!: Promise<Observed>;

  constructor(readonly killPoint: KillPoint) {}

  run = async (): Promise<RunRow> =>
    (
      await this.db.manager.query(
        `SELECT status, pages, readings_ingested AS ingested, readings_duplicate AS duplicate, readings_rejected AS rejected, attempts, error
           FROM sync_run WHERE id = $1`,
        [this.runId],
      )
    )[0];
  stored = async (): Promise<number> => (await this.db.manager.query(`SELECT count(*)::int AS n FROM meter_reading`))[0].n;
  cursor = async (): Promise<string | null> => (await this.db.manager.query(`SELECT cursor FROM data_source WHERE id = $1`, [this.sourceId]))[0].cursor;
  private snapshot = async () => ({ run: await this.run(), stored: await this.stored(), cursor: await this.cursor() });
  private outputs = () => this.workers.map((w) => w.output()).join('');
  get redisUrl(): string {
    return this.redis!.url;
  }

  /** Schema with an enterprise and meter K-1, the vendor's N readings behind the proxy, a source, a run, its job queued. */
  async setup(): Promise<void> {
    this.redis = await claimRedisDb(`${process.pid}-${this.killPoint}-${Date.now()}`);
    await flushHubKeys(this.redis.url);
    const t = await testDatabase(`crash_${this.killPoint.replace('-', '_')}`);
    ({ db: this.db, drop: this.drop, schema: this.schema } = t);
    const [{ id: enterpriseId }] = await this.db.manager.query(
      `INSERT INTO enterprise (credit_code, name, region_code) VALUES ($1, '承德节水试点企业', '130821') RETURNING id`,
      [E],
    );
    await this.db.manager.query(`INSERT INTO meter (meter_code, enterprise_id, online, level) VALUES ($1, $2, true, 1)`, [METER, enterpriseId]);
    this.vendor = await startFakeVendor({ readings: Array.from({ length: N }, (_, i) => readingAt(i)) });
    this.proxy = await startHoldingProxy(this.vendor.url, KILL_ON_REQUEST);
    [{ id: this.sourceId }] = await this.db.manager.query(
      `INSERT INTO data_source (name, connector, config, secrets) VALUES ('crash-vendor', 'http-json', $1::jsonb, $2::jsonb) RETURNING id`,
      [JSON.stringify({ baseUrl: this.proxy.url, retryBaseMs: 50 }), JSON.stringify({ token: 'Bearer crash-test' })],
    );
    [{ id: this.runId }] = await this.db.manager.query(`INSERT INTO sync_run (source_id, requested_by) VALUES ($1, 'test') RETURNING id`, [this.sourceId]);
    // This process only queues: the workers are the spawned `hub worker` processes.
    this.jobs = await openJobs({ redisUrl: this.redis.url, db: this.db, policies: testPolicies() });
    await this.jobs.deps.jobs.add('sync', { runId: this.runId });
  }

  private spawn(name: string): HubProcess {
    const w = spawnHub('worker', name, this.schema, this.redis!.url, WORKER_TIMING);
    this.workers.push(w);
    return w;
  }

  /** Worker A stores five pages and is SIGKILLed at the kill point; worker B takes over and finishes. */
  async crashAndRecover(): Promise<Observed> {
    const signal = this.cleaning.signal;
    const a = this.spawn('A');
    const aGone = a.exited.then(({ code, signal: sig }) => Promise.reject(new Error(`worker A exited on its own (code ${code}, signal ${sig})${a.output()}`)));
    aGone.catch(() => undefined);
    // Pages 1-5 are stored; A asks for page 6, which the proxy holds.
    await within(Promise.race([this.proxy.held, aGone]), 60_000, () => new Error(`worker A never asked for page ${KILL_ON_REQUEST}${this.outputs()}`));
    const storedPages = KILL_ON_REQUEST - 1;

    let blocked: Observed['blocked'];
    if (this.killPoint === 'mid-transaction') {
      // Lock the source's row and let page 6 through: A inserts its PAGE_SIZE readings, then its
      // cursor UPDATE (same transaction) waits on the lock. That is where it dies.
      this.lockClient = new Client({ connectionString: TEST_DATABASE_URL });
      await this.lockClient.connect();
      await this.lockClient.query(`SET search_path TO ${this.schema}, public`);
      await this.lockClient.query('BEGIN');
      await this.lockClient.query(`SELECT id FROM data_source WHERE id = $1 FOR UPDATE`, [this.sourceId]);
      const [{ pid: lockPid }] = (await this.lockClient.query(`SELECT pg_backend_pid() AS pid`)).rows;
      this.proxy.release();
      blocked = await until(
        "worker A's cursor update to wait on the test's lock",
        async () =>
          (
            await this.db.manager.query(`SELECT pid, backend_xid::text AS xid, query FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [lockPid])
          )[0] as Observed['blocked'],
        (v) => Boolean(v),
        { ms: 30_000, every: 100, context: this.outputs, signal },
      );
    }
    const atKill = await this.snapshot();
    a.child.kill('SIGKILL');
    const aExit = await a.exited;

    if (this.killPoint === 'mid-transaction') {
      // Let the orphaned backend go: its UPDATE completes, it finds its client gone and rolls back.
      await this.lockClient!.query('ROLLBACK');
      await this.lockClient!.end();
      this.lockClient = undefined;
      await until(
        "worker A's orphaned Postgres backend to roll back and exit",
        async () => (await this.db.manager.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1`, [blocked!.pid]))[0].n,
        (n) => n === 0,
        { ms: 30_000, signal },
      );
    } else {
      this.proxy.release(); // its client is dead: dropped
    }
    const afterKill = await this.snapshot();
    const requestsBeforeB = this.proxy.log.length;

    // Worker B: gets the stalled job once A's BullMQ lock has expired, and finishes it.
    const b = this.spawn('B');
    const bGone = b.exited.then(({ code, signal: sig }) => Promise.reject(new Error(`worker B exited on its own (code ${code}, signal ${sig})${b.output()}`)));
    bGone.catch(() => undefined);
    const started = Date.now();
    const final = await Promise.race([
      until('the run to finish on worker B', this.run, (r) => r.status === 'SUCCEEDED' || (r.status === 'FAILED' && r.attempts > 1), {
        ms: 90_000,
        every: 200,
        context: this.outputs,
        signal,
      }),
      bGone,
    ]);
    return { storedPages, atKill, afterKill, aExit, blocked, bRequests: this.proxy.log.slice(requestsBeforeB), final, handoverMs: Date.now() - started };
  }

  async cleanup(): Promise<void> {
    this.cleaning.abort();
    for (const w of this.workers) await stopHub(w).catch(() => undefined);
    await this.result?.catch(() => undefined);
    await this.lockClient?.end().catch(() => undefined);
    await this.proxy?.close();
    await this.vendor?.close();
    await this.jobs?.stop();
    await this.drop?.();
    if (this.redis) {
      await flushHubKeys(this.redis.url);
      await this.redis.release();
    }
  }
}

describe('a worker SIGKILLed mid-sync, then another started (issue 3, item 7)', () => {
  const scenarios: Record<KillPoint, CrashScenario> = {
    'between-pages': new CrashScenario('between-pages'),
    'mid-transaction': new CrashScenario('mid-transaction'),
  };
  const all = Object.values(scenarios);

  beforeAll(async () => {
    await Promise.all(all.map((s) => s.setup()));
    // Both crashes run at once; each test below waits for its own.
    for (const s of all) {
      s.result = s.crashAndRecover();
      s.result.catch(() => undefined);
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(all.map((s) => s.cleanup()));
  }, 60_000);

  it.each<[KillPoint, string]>([
    ['between-pages', 'while it waits for the next page'],
    ['mid-transaction', 'with a page inserted but its cursor not yet moved (open transaction)'],
  ])(
    '%s: killed %s; the next worker resumes from the committed cursor and stores every reading exactly once',
    async (killPoint) => {
      const s = scenarios[killPoint];
      const o = await s.result;
      const stored = o.storedPages * PAGE_SIZE;

      // A died with five pages committed, by SIGKILL.
      expect(o.aExit).toEqual({ code: null, signal: 'SIGKILL' });
      expect(o.atKill).toEqual({
        run: expect.objectContaining({ status: 'RUNNING', pages: o.storedPages, ingested: stored, attempts: 1 }),
        stored,
        cursor: vendorCursor(stored),
      });
      if (killPoint === 'mid-transaction') {
        expect(o.blocked!.query).toMatch(/UPDATE data_source SET cursor/);
        expect(o.blocked!.xid).not.toBeNull(); // its transaction had written: the page's inserts were in it
      }
      // Nothing of the interrupted page became visible; the run still says where it stood.
      expect(o.afterKill).toEqual(o.atKill);

      // B finished the same run (a second attempt), from the committed cursor, not from the start of the feed.
      expect(o.final).toEqual({ status: 'SUCCEEDED', pages: N / PAGE_SIZE + 1, ingested: N, duplicate: 0, rejected: 0, attempts: 2, error: null });
      expect(o.bRequests[0]).toBe(`/api/readings?after=${vendorCursor(stored)}&limit=${PAGE_SIZE}`);
      expect(o.bRequests).toHaveLength(N / PAGE_SIZE - o.storedPages + 1); // pages 6-20 and the empty one that ends the feed

      // Every reading exactly once, with the vendor's values.
      const [counts] = await s.db.manager.query(
        `SELECT count(*)::int AS n, count(DISTINCT (meter_id, read_at))::int AS distinct_n, sum(cumulative_volume) AS total FROM meter_reading`,
      );
      const expected = Array.from({ length: N }, (_, i) => readingAt(i));
      expect(counts).toEqual({ n: N, distinct_n: N, total: expected.reduce((sum, x) => sum + x.cumulativeVolume, 0) });
      const rows: { readAt: Date; v: number; code: string }[] = await s.db.manager.query(
        `SELECT r.read_at AS "readAt", r.cumulative_volume AS v, t.meter_code AS code FROM meter_reading r JOIN meter t ON t.id = r.meter_id ORDER BY r.read_at`,
      );
      expect(rows.map((r) => [r.code, r.readAt.toISOString(), r.v])).toEqual(expected.map((x) => [x.meterCode, x.readAt, x.cumulativeVolume]));
      expect(await s.cursor()).toBe(vendorCursor(N));
      const [{ last }] = await s.db.manager.query(`SELECT last_reading_at AS last FROM meter WHERE meter_code = $1`, [METER]);
      expect(last.toISOString()).toBe(expected[N - 1].readAt);

      // BullMQ saw one stall (A) and completed the job on B.
      const connection = new IORedis(s.redisUrl, { maxRetriesPerRequest: null });
      const q = new Queue('sync', { connection, prefix: 'hub' });
      try {
        const job = await q.getJob(`sync-run.${s.runId}`);
        expect(job).toBeDefined();
        expect(await job!.getState()).toBe('completed');
        expect(job!.stalledCounter).toBe(1);
      } finally {
        await q.close();
        connection.disconnect();
      }
      console.log(
        `[sync-crash ${killPoint}] A killed after ${o.storedPages} committed pages${o.blocked ? ` (its open transaction, xid ${o.blocked.xid}, rolled back)` : ''}; ` +
          `B finished the run ${Math.round(o.handoverMs / 1000)} s after it started`,
      );
    },
    120_000,
  );
});
