import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HUB_CLI, HUB_MAIN } from '../support/processes';

/**
 * `npm run hub -- keys rotate` end to end on the embedded database: a demo (30 enterprises: fewer trip the seed's workflows) seeded under the data
 * directory's generated development key, then rotated to a configured key k2 in batches, then
 * served with k2 alone: every encrypted column is under k2 and the API answers the same names.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-keys-cli-'));
const base = { PATH: process.env.PATH, HOME: process.env.HOME, HUB_DATA_DIR: dataDir, HUB_DEMO: '0', PORT: '0', LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv;
const lockFile = path.join(dataDir, 'hub.lock');

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function run(entry: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function start(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [HUB_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`hub exited with ${code}:\n${out}`)));
    const poll = setInterval(() => {
      void (async () => {
        const url = fs.existsSync(lockFile) ? (JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { url?: string }).url : undefined;
        if (!url || (await fetch(`${url}/health`).catch(() => undefined))?.status !== 200) return;
        clearInterval(poll);
        child.removeAllListeners('exit');
        resolve({ child, url });
      })().catch(() => undefined);
    }, 200);
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

/** The legal representatives and phones of the first enterprises, unmasked (the provincial authority), from a hub started with `env`. */
async function representatives(env: NodeJS.ProcessEnv): Promise<unknown> {
  const hub = await start(env);
  try {
    const token = (await run(HUB_CLI, ['token', '--role', 'PROVINCE_AUTHORITY', '--region', '130000'], env)).stdout.trim().split('\n').at(-1)!;
    const res = await fetch(`${hub.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: '{ enterprises(first: 5) { edges { node { creditCode legalRepresentative contactPhone legalRepresentativeIdNumber } } } }',
      }),
    });
    const body = (await res.json()) as { data?: { enterprises: { edges: { node: unknown }[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data!.enterprises.edges.map((e) => e.node);
  } finally {
    await stop(hub.child);
  }
}

it('rotates a seeded data directory from its development key to k2 in batches, and serves it with k2 alone', async () => {
  const seeded = await run(HUB_CLI, ['seed', '--enterprises', '30', '--reading-days', '1'], base);
  expect(seeded.status).toBe(0);
  const dev = JSON.parse(fs.readFileSync(path.join(dataDir, 'dev-data-keys.json'), 'utf8')) as { keys: { dev1: string }; hashKey: string };
  const before = await representatives(base);
  expect(JSON.stringify(before)).toMatch(/"legalRepresentative":"[\u4e00-\u9fa5]{2,4}"/);

  const k2 = randomBytes(32).toString('base64');
  const both = { ...base, HUB_DATA_KEYS: `dev1=${dev.keys.dev1},k2=${k2}`, HUB_DATA_KEY_ACTIVE: 'k2', HUB_DATA_HASH_KEY: dev.hashKey };
  const rotated = await run(HUB_CLI, ['keys', 'rotate', '--batch-size', '2'], both);
  expect(rotated.stderr).toBe('');
  expect(rotated.status).toBe(0);
  expect(rotated.stdout).toMatch(/^active key k2 \(sm4-ctr-hmac-sm3\); keys that decrypt: dev1, k2$/m);
  expect(rotated.stdout).toMatch(/^enterprise\.legal_representative: 2\/30$/m);
  expect(rotated.stdout).toMatch(/^enterprise\.legal_representative: 30\/30$/m);
  expect(rotated.stdout).toMatch(/^re-encrypted \d+ value\(s\) with key k2; /m);
  // Nothing left for a second run.
  expect((await run(HUB_CLI, ['keys', 'rotate'], both)).stdout).toMatch(/^re-encrypted 0 value\(s\) with key k2; /m);

  const only = { ...base, HUB_DATA_KEYS: `k2=${k2}`, HUB_DATA_HASH_KEY: dev.hashKey };
  const status = JSON.parse((await run(HUB_CLI, ['keys', 'status'], only)).stdout) as Record<string, Record<string, number>>;
  expect(status['enterprise.legal_representative']).toEqual({ k2: 30 });
  for (const [column, kids] of Object.entries(status)) expect([column, Object.keys(kids).filter((k) => k !== 'k2')]).toEqual([column, []]);
  expect(await representatives(only)).toEqual(before);
}, 180_000);
