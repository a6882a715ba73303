import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { subscribe } from '../support/ws';
import { clockEnv, testPolicyDir } from '../support/policy-time';

/**
 * The first quick-start command: `npm start` with nothing configured runs on embedded
 * PGlite, migrates, seeds the demo and prints the URL and an admin token.
 */
const main = path.resolve(__dirname, '../../dist/src/main.js');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-embedded-'));
// Info logs on: the token must still be the last line, after every startup log line. Nothing configured, but the
// suite's clock (faketime) and credit policies (continued once the shipped ones end).
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  HUB_DATA_DIR: dataDir,
  PORT: '0',
  LOG_LEVEL: 'info',
  ...clockEnv(),
  HUB_POLICY_DIR: testPolicyDir(),
} as NodeJS.ProcessEnv;

interface Started {
  child: ChildProcess;
  url: string;
  token: string;
  out: () => string;
  stdout: () => string;
  /** Answers of /health and /graphql received while the demo seed ran (between its two log lines). */
  duringSeed: { health: number[]; graphql: number[] };
}

/** Asks /health and /graphql one after the other, as long as `until()` is false; returns the statuses received while `counts()` held. */
async function pollWhile(url: string, until: () => boolean, counts: () => boolean) {
  const seen = { health: [] as number[], graphql: [] as number[] };
  while (!until()) {
    const health = await fetch(`${url}/health`).then(
      (r) => r.status,
      () => 0,
    );
    if (counts()) seen.health.push(health);
    const graphql = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ creditPolicies { version } }"}',
    }).then(
      (r) => r.status,
      () => 0,
    );
    if (counts()) seen.graphql.push(graphql);
  }
  return seen;
}

function start(): Promise<Started> {
  const child = spawn('node', [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  child.stdout.on('data', (d) => {
    out += d;
    stdout += d;
  });
  child.stderr.on('data', (d) => (out += d));
  const banner = () => /ready: (http:\/\/\S+)\/graphql[\s\S]*?Bearer <token>"\):\n(\S+)\n/.exec(stdout);
  const seeding = () => stdout.includes('seeding the demo data set') && !stdout.includes('demo data seeded');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start in time:\n${out}`)), 170_000);
    child.on('exit', (code) => reject(new Error(`hub exited with ${code}:\n${out}`)));
    let polling: Promise<Started['duringSeed']> | undefined;
    const poll = setInterval(() => {
      const listening = /"url":"(http:\/\/[^"]+)","host"/.exec(stdout);
      if (listening && !polling) polling = pollWhile(listening[1], () => Boolean(banner()), seeding);
      const m = banner();
      if (m && polling) {
        clearInterval(poll);
        clearTimeout(timer);
        void polling.then((duringSeed) => resolve({ child, url: m[1], token: m[2], out: () => out, stdout: () => stdout, duringSeed }));
      }
    }, 100);
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  child.removeAllListeners('exit');
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

async function gql(url: string, token: string, query: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { data: any; errors?: unknown[] };
}

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

it('starts embedded, seeds a demo with every grade, and restarts without seeding again', async () => {
  const first = await start();
  try {
    // The seed yields: /health and /graphql answered 503 while it ran (a blocked event loop answers nothing until it is done).
    expect(first.duringSeed.health.filter((s) => s === 503).length).toBeGreaterThanOrEqual(2);
    expect(first.duringSeed.graphql.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    // The token is the last line of the startup output: every startup log line came before it.
    const lines = first.stdout().split('\n');
    const tokenAt = lines.indexOf(first.token);
    expect(tokenAt).toBeGreaterThan(0);
    for (const msg of ['listening;', 'migrations applied', 'demo data seeded', 'workers and outbox relay started', 'hub ready']) {
      const at = lines.findIndex((l) => l.includes(msg));
      expect({ msg, logged: at >= 0, beforeToken: at < tokenAt, stdout: at < 0 || at >= tokenAt ? first.stdout() : '' }).toEqual({
        msg,
        logged: true,
        beforeToken: true,
        stdout: '',
      });
    }
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
    const r = await gql(
      first.url,
      first.token,
      `{
      all: enterprises(first: 100) { totalCount edges { node { regionCode rating { grade } meters { lastReadingAt } permits { permitNo } } } }
      a: enterprises(grade: A) { totalCount } b: enterprises(grade: B) { totalCount }
      c: enterprises(grade: C) { totalCount } d: enterprises(grade: D) { totalCount } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.all.totalCount).toBeGreaterThanOrEqual(150);
    for (const g of ['a', 'b', 'c', 'd']) expect(r.data[g].totalCount).toBeGreaterThan(0);
    const nodes = r.data.all.edges.map((e: any) => e.node);
    expect(nodes.every((n: any) => /^1308\d\d$/.test(n.regionCode))).toBe(true);
    expect(nodes.some((n: any) => n.meters.some((m: any) => m.lastReadingAt))).toBe(true);
    // A change on the embedded database: record, re-grade, read back (transactions take turns with reads).
    const list = await gql(first.url, first.token, `{ enterprises(grade: B, first: 1) { edges { node { creditCode } } } }`);
    const code = list.data.enterprises.edges[0].node.creditCode;
    // …and the change reaches a graphql-ws subscriber of the same process (outbox, in-process relay).
    const sub = subscribe(first.url, `subscription($c: String) { ratingChanged(creditCode: $c) { previousGrade grade sequence } }`, { c: code }, first.token);
    await sub.listening();
    const [rec, read] = await Promise.all([
      gql(
        first.url,
        first.token,
        `mutation { recordDishonesty(input: { creditCode: "${code}", indicator: "2.3", level: SEVERE, occurredAt: "${new Date().toISOString()}", basis: "第十一条" }) { id enterprise { rating { grade } } } }`,
      ),
      gql(first.url, first.token, `{ enterprises(first: 50) { totalCount } }`),
    ]);
    expect(rec.errors).toBeUndefined();
    expect(read.errors).toBeUndefined();
    expect(rec.data.recordDishonesty.enterprise.rating.grade).toBe('D');
    const [change] = await sub.waitFor(1, 20_000);
    expect(change.data.ratingChanged).toMatchObject({ previousGrade: 'B', grade: 'D' });
    await sub.dispose();
  } finally {
    expect(await stop(first.child)).toBe(0);
  }
  const second = await start();
  try {
    const r = await gql(second.url, second.token, `{ enterprises { totalCount } }`);
    expect(r.data.enterprises.totalCount).toBeGreaterThanOrEqual(150);
    expect(second.out()).not.toMatch(/demo data seeded/);
  } finally {
    expect(await stop(second.child)).toBe(0);
  }
}, 400_000);
