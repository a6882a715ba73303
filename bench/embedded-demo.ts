/**
 * Embedded demo benchmark (issue 12 target 7): starts the hub as `npm start` does with nothing
 * configured (embedded PGlite, demo seed) in a temporary data directory, and prints its RSS once
 * the seed is done and the event loop's longest stall during the seed, against the limits
 * (400 MB, 200 ms) as ratios. The stall is measured inside the hub (perf_hooks.monitorEventLoopDelay,
 * its "demo seed resources" log line); the RSS is read from /proc/<pid>/status (VmRSS after the
 * seed, VmHWM the peak), falling back to the hub's own process.memoryUsage().
 *
 * `npm run bench:embedded`, or `npm run bench` with BENCH_ONLY=embedded. Needs `npm run build`.
 * Env: BENCH_EMBEDDED_RUNS (1), BENCH_EMBEDDED_SETTLE_MS (2000: wait after "hub ready" before reading RSS).
 * Not a test: exits 0 whatever the ratios.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RSS_LIMIT_MB = 400;
export const STALL_LIMIT_MS = 200;

export interface EmbeddedRun {
  rssMb: number;
  peakRssMb: number | null;
  heapUsedMb: number;
  maxStallMs: number;
  p99StallMs: number;
  seedSeconds: number;
}

const MB = 1024 * 1024;

/** VmRSS and VmHWM of a process, in MB (null off Linux). */
function procMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** One start of the embedded hub in a fresh data directory, up to "hub ready"; then SIGTERM. */
export async function measureEmbeddedStart(opts: { settleMs: number }): Promise<EmbeddedRun> {
  const main = path.resolve(__dirname, '../src/main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-embedded-bench-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, HUB_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' };
  if (process.env.HUB_POLICY_DIR) env.HUB_POLICY_DIR = process.env.HUB_POLICY_DIR;
  const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let buffered = '';
  let seedStart = 0;
  let seedEnd = 0;
  let resources: Record<string, number> | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the embedded hub was not ready within 5 minutes:\n${tail}`)), 300_000);
      child.on('exit', (code) => reject(new Error(`the embedded hub exited with ${code}:\n${tail}`)));
      child.stderr.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-4000)));
      child.stdout.on('data', (d: Buffer) => {
        tail = (tail + d.toString()).slice(-4000);
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          let entry: { msg?: string } & Record<string, number>;
          try {
            entry = JSON.parse(line) as typeof entry;
          } catch {
            continue;
          }
          if (entry.msg?.startsWith('seeding the demo data set')) seedStart = Date.now();
          if (entry.msg === 'demo seed resources') {
            seedEnd = Date.now();
            resources = entry;
          }
          if (entry.msg === 'hub ready') {
            clearTimeout(timer);
            resolve();
          }
        }
      });
    });
    if (!resources) throw new Error(`the hub did not log "demo seed resources" (was the data directory fresh?):\n${tail}`);
    await new Promise((r) => setTimeout(r, opts.settleMs));
    const proc = child.pid ? procMemory(child.pid) : null;
    return {
      rssMb: proc?.rss ?? resources.rssBytes / MB,
      peakRssMb: proc?.hwm ?? null,
      heapUsedMb: resources.heapUsedBytes / MB,
      maxStallMs: resources.eventLoopMaxDelayMs,
      p99StallMs: resources.eventLoopP99DelayMs,
      seedSeconds: (seedEnd - seedStart) / 1000,
    };
  } finally {
    child.removeAllListeners('exit');
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

export async function runEmbeddedBench(opts: { runs: number; settleMs: number }): Promise<EmbeddedRun[]> {
  console.log(`\nEmbedded demo (npm start on PGlite, 200 enterprises, 21 days of readings): ${opts.runs} run(s)`);
  const runs: EmbeddedRun[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const r = await measureEmbeddedStart(opts);
    runs.push(r);
    console.log(
      `  run ${i + 1}: RSS after the seed ${f2(r.rssMb / RSS_LIMIT_MB)} × the ${RSS_LIMIT_MB} MB limit` +
        (r.peakRssMb !== null ? ` (peak ${f2(r.peakRssMb / RSS_LIMIT_MB)} ×)` : '') +
        `; longest event-loop stall during the seed ${f2(r.maxStallMs / STALL_LIMIT_MS)} × the ${STALL_LIMIT_MS} ms limit` +
        ` (p99 ${f2(r.p99StallMs / STALL_LIMIT_MS)} ×)` +
        `  [rss ${f1(r.rssMb)} MB, heap ${f1(r.heapUsedMb)} MB, max stall ${r.maxStallMs} ms, seed ${f1(r.seedSeconds)} s]`,
    );
  }
  const worst = (k: 'rssMb' | 'maxStallMs') => Math.max(...runs.map((r) => r[k]));
  const rss = worst('rssMb') / RSS_LIMIT_MB;
  const stall = worst('maxStallMs') / STALL_LIMIT_MS;
  console.log(
    `  worst: RSS ${f2(rss)} × limit (${rss <= 1 ? 'within' : 'OVER'}), stall ${f2(stall)} × limit (${stall <= 1 ? 'within' : 'OVER'}); ≤ 1.00 meets target 7`,
  );
  return runs;
}

if (require.main === module) {
  const num = (v: string | undefined, d: number) => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : d);
  runEmbeddedBench({ runs: num(process.env.BENCH_EMBEDDED_RUNS, 1), settleMs: num(process.env.BENCH_EMBEDDED_SETTLE_MS, 2000) })
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(() => process.exit(process.exitCode ?? 0));
}
