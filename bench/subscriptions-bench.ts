/**
 * Subscription benchmark (issue 4, item 6): 1,000 graphql-ws subscribers of `ratingChanged`
 * on a hub API process, then 1,000 plain WebSocket clients of a bare `ws` server
 * (bare-ws-peer.ts) that forwards the same Redis channel untouched; 200 real grade changes
 * each time (records made and revoked through the hub's HTTP API, committed with their
 * outbox events, published by a hub worker's relay).
 *
 * Both servers run as their own processes and stay subscribed to the channel throughout
 * (the changes are written through a second hub API process);
 * only the clients differ between the rounds. Per round: delivered messages per second
 * (all messages / from the first publish to the last delivery) and, per change, the time
 * from the relay's publish (`publishedAt`, stamped just before PUBLISH) to its delivery to
 * the last of the subscribers: p50 and p99 over the changes. Then hub/bare ratios. The
 * changes of a round are counted (outbox events the flips committed, each seen on the
 * channel), not assumed from the number of flips; only their deliveries count. The hub
 * API's peak RSS during its round is printed as a share of the issue's 300 MB bound.
 *
 * Env: BENCH_SUBS_CLIENTS (1,000), BENCH_SUBS_CHANGES (200), BENCH_SUBS_CONCURRENCY (8
 * mutations in flight), BENCH_SUBS_ROUNDS (3 pairs of rounds, alternating; medians of the ratios), REDIS_URL (redis://127.0.0.1:6379), BENCH_SUBS_PROFILE=<dir> (CPU
 * profile of the subscribers' API process).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { fmt } from './format';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import IORedis from 'ioredis';
import WebSocket from 'ws';
import { Client } from 'pg';
import { signToken } from '../src/platform/auth/principal';
import { withCheckChar } from '../src/modules/enterprise/credit-code.rules';
import { ratingChannel } from '../src/modules/rating-feed/rating-bus';
import { RATING_CHANGED } from '../src/modules/outbox/outbox';
import { Database } from '../src/platform/db';
import { TEST_SECRET } from '../test/support/hub';
import { inPeriod } from '../test/support/policy-time';
import { HubProcess, schemaUrl, spawnHub, stopHub, within } from '../test/support/processes';
import { openSubscriptions } from '../test/support/ws';

const SCHEMA = 'bench_subs';
const QUERY = `subscription { ratingChanged { eventId sequence previousGrade grade changedAt enterprise { creditCode regionCode } rating { grade score policyVersion } } }`;

export interface SubscriptionBenchOptions {
  url: string;
  redisUrl: string;
  clients: number;
  changes: number;
  concurrency: number;
  /** Pairs of rounds (hub, then bare), alternating. */
  rounds: number;
}

interface RoundResult {
  side: string;
  /** Grade changes published in the round (counted, not assumed: a flip may change nothing). */
  changes: number;
  messages: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Peak resident set of the subscribers' API process during the round (bytes; on the bare round it idles). */
  rss: number;
  /** The hub API's V8 heap in use at the end of the round (bytes; its /metrics), to tell live objects from heap V8 has yet to collect. */
  heap: number;
}

/** The issue's bound on the subscribers' API process with 1,000 subscribers. */
const RSS_LIMIT = 300 * 1024 * 1024;

/** A process's resident set (bytes) from /proc; 0 where there is none. */
function rssOf(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** Opens `n` sockets in batches; each calls `onEvent(eventId)` per delivered change. Resolves once all are subscribed. */
async function openClients(n: number, open: () => WebSocket, subscribedWhen: (ws: WebSocket) => Promise<void>): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i += 100) {
    const batch = Array.from({ length: Math.min(100, n - i) }, () => open());
    await Promise.all(batch.map(subscribedWhen));
    sockets.push(...batch);
  }
  return sockets;
}

async function round(
  side: 'hub' | 'bare',
  o: SubscriptionBenchOptions,
  ctx: {
    hubWs: string;
    bareWs: string;
    token: string;
    flip: () => Promise<void>;
    published: Map<string, number>;
    /** Outbox events committed so far (the grade changes the relay has to publish). */
    committed: () => Promise<number>;
    /** The subscribers' API process's resident set now, in bytes. */
    rss: () => number;
    /** The hub API's V8 heap in use now, in bytes. */
    heap: () => Promise<number>;
    /** Resolves once the hub's API process listens for `n` subscriptions (its hub_graphql_ws_subscriptions gauge). */
    listening: (n: number) => Promise<void>;
  },
): Promise<RoundResult> {
  const problems: string[] = [];
  // Per event: deliveries and the time of the last one. Only the changes of this round count.
  const delivered = new Map<string, { n: number; last: number }>();
  const record = (eventId: string) => {
    const d = delivered.get(eventId);
    if (d) {
      d.n++;
      d.last = Date.now();
    } else delivered.set(eventId, { n: 1, last: Date.now() });
  };
  const sockets =
    side === 'hub'
      ? await openClients(
          o.clients,
          () => new WebSocket(ctx.hubWs, 'graphql-transport-ws'),
          (ws) =>
            new Promise((resolve, reject) => {
              ws.once('error', reject);
              ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ctx.token}` } })));
              ws.on('message', (raw) => {
                const m = JSON.parse(text(raw));
                if (m.type === 'connection_ack') {
                  ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY } }));
                  resolve();
                } else if (m.type === 'next') record(m.payload.data.ratingChanged.eventId);
                else if (m.type === 'error') {
                  problems.push(`error: ${JSON.stringify(m.payload)}`);
                  reject(new Error(JSON.stringify(m.payload)));
                }
              });
            }),
        )
      : await openClients(
          o.clients,
          () => new WebSocket(ctx.bareWs),
          (ws) =>
            new Promise((resolve, reject) => {
              ws.once('error', reject);
              ws.on('open', () => resolve());
              ws.on('message', (raw) => record(JSON.parse(text(raw)).eventId));
            }),
        );
  for (const ws of sockets) ws.on('close', (code, reason) => problems.push(`closed ${code} ${String(reason)}`));
  // The hub listens for every subscription (its gauge says so); the bare server for every socket once open.
  if (side === 'hub') await ctx.listening(o.clients);
  const committedBefore = await ctx.committed();
  ctx.published.clear();
  let rss = ctx.rss();
  let next = 0;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < o.changes) {
        next++;
        await ctx.flip();
      }
    }),
  );
  // The grade changes of this round: the outbox events the flips committed (a flip that left
  // the grade as it was commits none), each seen on the channel by the watcher.
  const changes = (await ctx.committed()) - committedBefore;
  const deadline = Date.now() + 180_000;
  const count = () => {
    let n = 0;
    for (const id of ctx.published.keys()) n += delivered.get(id)?.n ?? 0;
    return n;
  };
  while ((ctx.published.size < changes || count() < o.clients * changes) && Date.now() < deadline) {
    rss = Math.max(rss, ctx.rss());
    await new Promise((r) => setTimeout(r, 50));
  }
  rss = Math.max(rss, ctx.rss());
  const heap = side === 'hub' ? await ctx.heap() : 0;
  for (const ws of sockets) {
    ws.removeAllListeners('close');
    ws.terminate();
  }
  const messages = count();
  const expected = o.clients * changes;
  if (ctx.published.size < changes) throw new Error(`${side}: ${ctx.published.size} of ${changes} grade changes seen on the channel within 180 s`);
  if (messages < expected)
    throw new Error(
      `${side}: ${messages} of ${expected} messages delivered within 180 s; ${problems.length} sockets failed: ${problems.slice(0, 3).join('; ')}`,
    );
  const latencies = [...ctx.published.entries()].map(([id, at]) => delivered.get(id)!.last - at);
  const firstPublish = Math.min(...ctx.published.values());
  const lastDelivery = Math.max(...[...ctx.published.keys()].map((id) => delivered.get(id)!.last));
  return {
    side,
    changes,
    messages,
    perSecond: messages / ((lastDelivery - firstPublish) / 1000),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    rss,
    heap,
  };
}

export async function runSubscriptionsBench(o: SubscriptionBenchOptions): Promise<void> {
  console.log(
    `\n== Subscriptions: ${fmt(o.clients)} subscribers, ${o.changes} grade changes; hub (graphql-ws) vs a bare ws server on the same Redis messages ==`,
  );
  const admin = new Client({ connectionString: o.url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
  await admin.end();
  const db = await Database.connect({ url: o.url, schema: SCHEMA, poolSize: 2 });
  await db.migrate();
  await db.close();

  const prefix = `benchsubs${process.pid}`;
  const channel = ratingChannel(prefix);
  const procs: HubProcess[] = [];
  let peer: ChildProcess | undefined;
  const watcher = new IORedis(o.redisUrl);
  const closers: Array<() => Promise<unknown>> = [];
  try {
    // Subscribers on one API process, writes through another (as deployed: the fan-out does
    // not slow the writes, so both rounds see the same stream of changes).
    const profile = process.env.BENCH_SUBS_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SUBS_PROFILE}`] : [];
    // On the benchmark's database (BENCH_DATABASE_URL), where the schema was made, not the test suite's.
    const database = { DATABASE_URL: schemaUrl(SCHEMA, o.url) };
    const api = spawnHub('api', 'hub-api', SCHEMA, o.redisUrl, { ...database, HUB_QUEUE_PREFIX: prefix, HUB_RUN_WORKERS: 'false', LOG_LEVEL: 'info' }, profile);
    const writer = spawnHub('api', 'hub-writer', SCHEMA, o.redisUrl, { ...database, HUB_QUEUE_PREFIX: prefix, HUB_RUN_WORKERS: 'false', LOG_LEVEL: 'info' });
    const worker = spawnHub('worker', 'hub-worker', SCHEMA, o.redisUrl, { ...database, HUB_QUEUE_PREFIX: prefix, HUB_OUTBOX_POLL_MS: '200' });
    procs.push(api, writer, worker);
    const [base, writeBase] = await within(
      Promise.all([api.ready, writer.ready]),
      60_000,
      () => new Error(`hub API not ready${api.output()}${writer.output()}`),
    );
    peer = spawn(process.execPath, [path.join(__dirname, 'bare-ws-peer.js')], {
      env: { ...process.env, REDIS_URL: o.redisUrl, CHANNEL: channel },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const barePort = await within(
      new Promise<number>((resolve) =>
        peer!.stdout!.on('data', (d: Buffer) => /listening (\d+)/.test(d.toString()) && resolve(Number(/listening (\d+)/.exec(d.toString())![1]))),
      ),
      20_000,
      () => new Error('bare ws peer did not start'),
    );

    // The relay's publish times, read off the channel itself.
    const published = new Map<string, number>();
    watcher.on('message', (_c: string, m: string) => {
      const e = JSON.parse(m);
      published.set(e.eventId, Date.parse(e.publishedAt));
    });
    await watcher.subscribe(channel);

    const adminToken = signToken({ role: 'PROVINCE_AUTHORITY', regions: ['130000'], subject: 'province:bench' }, TEST_SECRET);
    const gql = async (query: string, variables: Record<string, unknown>) => {
      const res = await fetch(`${writeBase}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    // 100 enterprises, each flipped B → D → B … by a severe record and its revocation.
    const codes = Array.from({ length: 100 }, (_, i) => withCheckChar(`91130821MB${String(i + 1).padStart(7, '0')}`));
    const open = new Map<string, string | null>();
    for (const c of codes) {
      await gql(`mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: "130821" }) { id } }`, { c });
      await gql(`mutation($c: String!) { evaluateEnterprise(creditCode: $c) { grade } }`, { c });
    }
    let turn = 0;
    const busy = new Set<string>();
    const flip = async () => {
      let c = codes[turn++ % codes.length];
      while (busy.has(c)) c = codes[turn++ % codes.length];
      busy.add(c);
      try {
        const rec = open.get(c);
        if (rec) {
          await gql(`mutation($id: ID!) { setCreditRecordStatus(id: $id, status: REVOKED, reason: "bench") { id } }`, { id: rec });
          open.set(c, null);
        } else {
          const d = await gql(`mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { id } }`, {
            i: { creditCode: c, indicator: '1.1', level: 'SEVERE', occurredAt: inPeriod(30), basis: '第十一条' },
          });
          open.set(c, d.recordDishonesty.id);
        }
      } finally {
        busy.delete(c);
      }
    };
    const token = signToken({ role: 'PARTNER_AGENCY', agency: 'bench', subject: 'agency:bench' }, TEST_SECRET);
    const counter = new Client({ connectionString: o.url });
    await counter.connect();
    closers.push(() => counter.end());
    const committed = async () =>
      (await counter.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.outbox_event WHERE topic = '${RATING_CHANGED}'`)).rows[0].n as number;
    const ctx = {
      hubWs: base.replace(/^http/, 'ws') + '/graphql',
      bareWs: `ws://127.0.0.1:${barePort}`,
      token,
      flip,
      published,
      committed,
      rss: () => rssOf(api.child.pid),
      heap: async () => Number(/^hub_nodejs_heap_size_used_bytes (\d+)/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1] ?? 0),
      listening: async (n: number) => {
        const deadline = Date.now() + 60_000;
        for (;;) {
          const open = await openSubscriptions(base);
          if (open >= n) return;
          if (Date.now() > deadline) throw new Error(`the hub listens for ${open} of ${n} subscriptions after 60 s`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
    };
    await new Promise((r) => setTimeout(r, 1000)); // the initial grades' events are out
    // Alternating rounds (the write rate and the machine's other load drift): ratios per pair, then their medians.
    const pairs: Array<{ hub: RoundResult; bare: RoundResult }> = [];
    for (let i = 0; i < o.rounds; i++) {
      const hub = await round('hub', o, ctx);
      const bare = await round('bare', o, ctx);
      pairs.push({ hub, bare });
      for (const r of [hub, bare])
        console.log(
          `${r.side.padEnd(5)} ${r.changes} grade changes, ${fmt(r.messages)} messages, ${fmt(r.perSecond)} messages/s; publish → last subscriber: p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms`,
        );
      console.log(
        `round ${i + 1} ratio hub/bare: messages/s ${(hub.perSecond / bare.perSecond).toFixed(2)}, p99 latency ${(hub.p99 / bare.p99).toFixed(2)}× the bare server's; hub API RSS ${(hub.rss / RSS_LIMIT).toFixed(2)} of 300 MB (V8 heap in use ${(hub.heap / RSS_LIMIT).toFixed(2)})`,
      );
    }
    const median = (xs: number[]) => quantile(xs, 0.5);
    console.log(
      `ratio hub/bare (median of ${pairs.length}): messages/s ${median(pairs.map((p) => p.hub.perSecond / p.bare.perSecond)).toFixed(2)}, p99 latency ${median(pairs.map((p) => p.hub.p99 / p.bare.p99)).toFixed(2)}× the bare server's`,
    );
    const rss = Math.max(...pairs.map((p) => p.hub.rss));
    console.log(
      `hub API RSS with ${fmt(o.clients)} subscribers (peak during its rounds): ${(rss / RSS_LIMIT).toFixed(2)} of the 300 MB limit${rss > RSS_LIMIT ? ' (over)' : ''}`,
    );
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    watcher.disconnect();
    peer?.kill('SIGTERM');
    await Promise.all(procs.map((p) => stopHub(p)));
    const c = new Client({ connectionString: o.url });
    await c.connect();
    if (process.env.BENCH_KEEP_SCHEMAS !== '1') await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await c.end();
  }
}

/** A message's text: ws hands over a Buffer, or fragments / an ArrayBuffer under other binary types. */
function text(raw: WebSocket.RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return Buffer.isBuffer(raw) ? raw.toString('utf8') : Buffer.from(raw).toString('utf8');
}
