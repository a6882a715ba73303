import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HUB_CLI, HUB_MAIN } from '../support/processes';

/**
 * The embedded database is one process's: while `npm start` serves a data directory, the
 * CLI goes through that hub (sources, sync) or refuses (migrate, seed, worker), and never
 * opens the directory a second time — the run it starts is still there after a restart.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-cli-lock-'));
// Nothing configured but the data directory, as a new user runs it (the hub's secret is the CLI's).
const env = { PATH: process.env.PATH, HOME: process.env.HOME, HUB_DATA_DIR: dataDir, HUB_DEMO: '0', PORT: '0', LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv;
const lockFile = path.join(dataDir, 'hub.lock');

function start(): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(process.execPath, [HUB_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`hub exited with ${code}:\n${out}`)));
    // The hub records its URL in the lock once it listens; it is ready when /health says so.
    const poll = setInterval(() => {
      void (async () => {
        const url = fs.existsSync(lockFile) ? (JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { url?: string }).url : undefined;
        if (!url || (await fetch(`${url}/health`).catch(() => undefined))?.status !== 200) return;
        clearInterval(poll);
        child.removeAllListeners('exit');
        resolve({ child, url, out: () => out });
      })().catch(() => undefined);
    }, 200);
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

/** Runs the CLI without blocking this process (a blocked event loop would keep stale keep-alive sockets in fetch's pool). */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HUB_CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function gql(hub: { url: string; out: () => string }, query: string) {
  const token = (await cli('token', '--role', 'SYSTEM_ADMIN')).stdout.trim().split('\n').at(-1)!;
  const res = await fetch(`${hub.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  }).catch((e: Error) => {
    throw new Error(`${e.message} (${String((e.cause as Error | undefined)?.message)}); hub output:\n${hub.out()}`);
  });
  return (await res.json()) as { data: any; errors?: unknown[] };
}

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

it('goes through the running hub or refuses, and the run survives a restart', async () => {
  let hub = await start();
  let runId: string;
  try {
    const created = await gql(
      hub,
      `mutation { createDataSource(input: { name: "sim", connector: "simulator", config: { meters: [{ meterCode: "WM-LOCK-1", avgFlow: 5 }] } }) { id } }`,
    );
    expect(created.errors).toBeUndefined();

    const sources = await cli('sources');
    expect(sources.stderr).toBe('');
    expect(sources.status).toBe(0);
    expect(sources.stdout).toMatch(/^sim\s+simulator\s+enabled\s+manual\s+never run$/m);

    const sync = await cli('sync', 'sim');
    expect(sync.status).toBe(0);
    expect(sync.stdout).toMatch(/sync sim: SUCCEEDED, \+0 readings .*, \d+ rejected/);
    expect(sync.stdout).toMatch(/detection runs in the hub/);

    const runs = await gql(hub, `{ dataSources { lastRun { id status readingsRejected } } }`);
    expect(runs.data.dataSources[0].lastRun).toMatchObject({ status: 'SUCCEEDED' });
    expect(runs.data.dataSources[0].lastRun.readingsRejected).toBeGreaterThan(0);
    runId = runs.data.dataSources[0].lastRun.id;

    // Commands that need the database itself refuse, naming the holder.
    for (const command of ['migrate', 'seed', 'worker']) {
      const r = await cli(command);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`error: the data directory ${dataDir} is in use by a running hub \\(pid ${hub.child.pid}, ${hub.url}\\)`));
    }
  } finally {
    expect(await stop(hub.child)).toBe(0);
  }
  expect(fs.existsSync(lockFile)).toBe(false);

  hub = await start();
  try {
    const run = await gql(hub, `{ syncRun(id: "${runId}") { status source { name } } }`);
    expect(run.data.syncRun).toEqual({ status: 'SUCCEEDED', source: { name: 'sim' } });
  } finally {
    // Killed: its lock stays behind, naming a process that is gone.
    hub.child.kill('SIGKILL');
    await new Promise((r) => hub.child.once('exit', r));
  }
  expect(fs.existsSync(lockFile)).toBe(true);

  // A stale lock is taken over: the CLI opens the directory itself and sees the same run.
  const sources = await cli('sources');
  expect(sources.status).toBe(0);
  expect(sources.stdout).toMatch(/^sim\s+simulator\s+enabled\s+manual\s+last SUCCEEDED /m);
  expect(fs.existsSync(lockFile)).toBe(false);
}, 300_000);
