import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signToken } from '../../src/platform/auth/principal';
import { startTestHub, TEST_DATABASE_URL, TestHub } from '../support/hub';
import { HUB_CLI, HUB_MAIN } from '../support/processes';

/** What a new user meets first: the landing page, the IDE (offline), the dashboard's message, loopback, the dev secret, a missing database. */

/** Every URL an HTML page or script refers to: src/href attributes, CSS url(), and absolute http(s)/ws(s) URLs in code. */
function references(text: string): string[] {
  const attrs = [...text.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]);
  const css = [...text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((m) => m[1]).filter((u) => !u.startsWith('data:') && !u.startsWith('#'));
  return [...attrs, ...css];
}

/** Hosts that scripts would contact: fetch/import/src assignments of absolute URLs (documentation strings and SVG namespaces aside). */
function externalLoads(code: string): string[] {
  const loads = [
    ...code.matchAll(/(?:fetch|import|importScripts|new\s+(?:WebSocket|Worker|EventSource))\s*\(\s*["'`]((?:https?|wss?):)?\/\/[^"'`]+/g),
    ...code.matchAll(/\.(?:src|href)\s*=\s*["'`]((?:https?|wss?):)?\/\/[^"'`]+/g),
    ...code.matchAll(/@import\s+(?:url\()?["']?(?:https?:)?\/\/[^"')]+/g),
  ];
  return loads.map((m) => m[0]);
}

describe('over HTTP (Postgres, no Redis)', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('firstrun');
  });
  afterAll(() => t.stop());

  it('listens on loopback by default', () => {
    const addr = t.hub.server.address();
    expect(typeof addr === 'object' && addr?.address).toBe('127.0.0.1');
    expect(t.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves a landing page at / in Chinese and English, linking the IDE, health, metrics and the docs', async () => {
    const res = await fetch(`${t.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toMatch(/节水信用数据枢纽/);
    expect(html).toMatch(/Water-saving credit data hub/);
    const links = references(html);
    expect(links).toEqual(expect.arrayContaining(['/graphql', '/health', '/metrics', '/docs/README.md']));
    for (const href of links) {
      expect(href).toMatch(/^\//); // a path on this hub
      expect((await fetch(`${t.url}${href}`, { headers: { accept: 'text/html' } })).status).not.toBe(500);
    }
    const readme = await fetch(`${t.url}/docs/README.md`);
    expect(readme.status).toBe(200);
    expect(await readme.text()).toMatch(/^# /);
  });

  it('says that the queue dashboard needs REDIS_URL instead of a bare "Cannot GET"', async () => {
    for (const p of ['/admin/queues', '/admin/queues/api/queues']) {
      const res = await fetch(`${t.url}${p}`);
      expect(res.status).toBe(404);
      const text = await res.text();
      expect(text).toMatch(/REDIS_URL/);
      expect(text).toMatch(/任务队列看板需要 Redis/);
      expect(text).not.toMatch(/Cannot GET/);
    }
  });

  it('serves GraphiQL at GET /graphql for browsers, with every asset from the hub and no external host', async () => {
    const res = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/apollographql|embeddable-sandbox|cdn\./i);
    const assets = references(html);
    expect(assets.length).toBeGreaterThanOrEqual(5);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/graphiql\/assets\/[\w.-]+$/);
      const a = await fetch(`${t.url}${asset}`);
      expect(a.status).toBe(200);
      const body = await a.text();
      expect(body.length).toBeGreaterThan(100);
      expect(externalLoads(body)).toEqual([]);
      for (const ref of asset.endsWith('.css') ? references(body) : []) expect(ref).not.toMatch(/^(https?:)?\/\//);
    }
    // The same page at /graphiql; an API client's GET and POST still reach GraphQL.
    expect((await fetch(`${t.url}/graphiql`)).status).toBe(200);
    const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ creditPolicies { version } }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(((await get.json()) as { data: unknown }).data).toBeDefined();
    expect((await t.gql('{ creditPolicies { version } }')).errors).toBeUndefined();
  });

  it('finds the test able to see an external reference', () => {
    expect(externalLoads('fetch("https://cdn.example/x.js")')).toHaveLength(1);
    expect(externalLoads('s.src = "//unpkg.com/react"')).toHaveLength(1);
    expect(references('<script src="https://embeddable-sandbox.cdn.apollographql.com/v2/embeddable-sandbox.umd.production.min.js"></script>')).toEqual([
      'https://embeddable-sandbox.cdn.apollographql.com/v2/embeddable-sandbox.umd.production.min.js',
    ]);
  });
});

it('in production the IDE is off unless HUB_IDE=true, and Apollo serves no landing page of its own', async () => {
  const off = await startTestHub('ideoff', { env: { NODE_ENV: 'production', HUB_METRICS_PORT: '0', HUB_ALLOW_DEV_TOKENS: 'true' } });
  try {
    const page = await fetch(`${off.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(await page.text()).toMatch(/HUB_IDE=true/);
    expect((await fetch(`${off.url}/graphiql/assets/graphiql.js`)).status).toBe(404);
    expect(await (await fetch(`${off.url}/`)).text()).not.toMatch(/href="\/graphql"/);
  } finally {
    await off.stop();
  }
  const on = await startTestHub('ideon', { env: { NODE_ENV: 'production', HUB_IDE: 'true', HUB_METRICS_PORT: '0', HUB_ALLOW_DEV_TOKENS: 'true' } });
  try {
    expect(await (await fetch(`${on.url}/graphql`, { headers: { accept: 'text/html' } })).text()).toMatch(/graphiql\/assets\/graphiql\.js/);
  } finally {
    await on.stop();
  }
});

describe('npm start (embedded, no demo)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-firstrun-'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, HUB_DATA_DIR: dataDir, HUB_DEMO: '0', PORT: '0', LOG_LEVEL: 'info' } as NodeJS.ProcessEnv;
  let child: ChildProcess;
  let url: string;
  beforeAll(async () => {
    child = spawn(process.execPath, [HUB_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    url = await new Promise<string>((resolve, reject) => {
      const keep = (d: Buffer) => {
        out += d.toString();
        const m = /"url":"(http:\/\/[^"]+)\/graphql","msg":"hub ready"/.exec(out);
        if (m) resolve(m[1]);
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      child.once('exit', (code) => reject(new Error(`hub exited with ${code}:\n${out}`)));
    });
  }, 120_000);
  afterAll(async () => {
    child.removeAllListeners('exit');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r).kill('SIGTERM'));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 unless HOST says otherwise', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('signs with a random secret of its data directory (0600) that `hub token` shares; the old public dev secret mints nothing', async () => {
    const file = path.join(dataDir, 'dev-jwt-secret');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const secret = fs.readFileSync(file, 'utf8').trim();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ask = async (token: string) => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: '{"query":"{ dataSources { name } }"}',
      });
      return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
    };
    const cliToken = execFileSync(process.execPath, [HUB_CLI, 'token', '--role', 'SYSTEM_ADMIN'], { env, encoding: 'utf8' }).trim().split('\n').at(-1)!;
    const ok = await ask(cliToken);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.status).toBe(200);
    const forged = await ask(signToken({ role: 'SYSTEM_ADMIN', subject: 'lan:attacker' }, 'dev-only-insecure-secret-change-me'));
    expect(forged.status).toBe(401);
    // Another data directory has another secret.
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-firstrun-other-'));
    try {
      execFileSync(process.execPath, [HUB_CLI, 'token', '--role', 'SYSTEM_ADMIN'], { env: { ...env, HUB_DATA_DIR: other }, encoding: 'utf8' });
      expect(fs.readFileSync(path.join(other, 'dev-jwt-secret'), 'utf8').trim()).not.toBe(secret);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});

it('DATABASE_URL naming a missing database: one line saying how to create it, exit 2', () => {
  const url = new URL(TEST_DATABASE_URL);
  const name = `hub_missing_${process.pid}`;
  url.pathname = `/${name}`;
  const r = spawnSync(process.execPath, [HUB_MAIN], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: url.toString(), HUB_JWT_SECRET: 'x'.repeat(32), PORT: '0', LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`"${name}"`);
  expect(lines[0]).toMatch(new RegExp(`createdb -h ${url.hostname} .*${name}`));
  expect(lines[0]).toMatch(/CREATE DATABASE/);
  expect(r.stderr + r.stdout).not.toMatch(/\n\s+at /); // no stack trace
});
