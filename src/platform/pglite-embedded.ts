import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { promisify } from 'node:util';
import { PGlite, PGliteOptions } from '@electric-sql/pglite';

/**
 * Embedded PGlite's shared buffers. Postgres's 128 MB default lives inside the WebAssembly
 * memory of this process (it never shrinks once touched); the demo's working set is far
 * smaller, and pages not in shared buffers are still in the OS page cache.
 */
export const EMBEDDED_SHARED_BUFFERS = '16MB';

/** PGlite's options for the hub's data directory `dir`: its default start parameters plus smaller buffers. */
export function embeddedOptions(dir: string): PGliteOptions {
  return {
    dataDir: dir,
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`, '-c', 'maintenance_work_mem=16MB'],
  };
}

const INIT_SCRIPT = `const { PGlite } = require(process.argv[1]);
PGlite.create({ dataDir: process.argv[2] }).then((db) => db.close()).catch((e) => { console.error(e); process.exit(1); });`;

/**
 * Creates the cluster of a fresh data directory (initdb) in a short-lived child process. Run in
 * this process, initdb leaves some 500 MB of WebAssembly memory and buffers behind that the OS
 * never gets back, and blocks the event loop for seconds; an existing directory opens as is.
 */
export async function initialiseDataDir(dir: string): Promise<void> {
  if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return;
  await promisify(execFile)(process.execPath, ['-e', INIT_SCRIPT, require.resolve('@electric-sql/pglite'), dir], { timeout: 300_000 });
}

/** Longest run of back-to-back embedded statements before the event loop gets a turn. */
const TURN_EVERY_MS = 40;

/**
 * PGlite runs each statement synchronously on this thread and resolves it as a microtask, so a
 * chain of statements (the demo's workflows, a migration, a long job) never lets timers or
 * sockets in: /health and /graphql would wait for the whole chain. After TURN_EVERY_MS of
 * such a chain, the next statement first waits for one turn of the event loop (setImmediate).
 */
export function yieldBetweenStatements(pg: PGlite): void {
  let since = performance.now();
  const turn = async () => {
    if (performance.now() - since < TURN_EVERY_MS) return;
    await nextTurn();
    since = performance.now();
  };
  const query = pg.query.bind(pg);
  const exec = pg.exec.bind(pg);
  pg.query = (async (...args: Parameters<PGlite['query']>) => {
    await turn();
    return query(...args);
  }) as PGlite['query'];
  pg.exec = async (...args: Parameters<PGlite['exec']>) => {
    await turn();
    return exec(...args);
  };
}
