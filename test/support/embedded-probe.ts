import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Database } from '../../src/platform/db';

/**
 * Runs `probe` on a fresh, migrated (unless `migrate: false`) embedded database and prints its result as JSON, then
 * exits: the entry of a probe script run as `node dist/test/support/<probe>.js` (PGlite runs outside jest's VM).
 */
export function runProbeOnEmbedded(prefix: string, probe: (db: Database) => Promise<unknown>, opts: { migrate?: boolean } = {}): void {
  void (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const db = await Database.connect({ dataDir: dir });
    try {
      if (opts.migrate !== false) await db.migrate();
      process.stdout.write(`${JSON.stringify(await probe(db))}\n`);
    } finally {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    process.exit(0);
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

/**
 * Runs the compiled probe script `dist/test/support/<name>.js` (one ending with `runProbeOnEmbedded`) in a process of
 * its own and answers what it printed: from a jest test, as PGlite cannot load inside jest's VM.
 */
export async function probeOnEmbedded<T>(name: string, timeoutMs = 170_000): Promise<T> {
  const script = path.resolve(__dirname, '../../dist/test/support', `${name}.js`);
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first (npm test does it in pretest)`);
  const { stdout } = await promisify(execFile)(process.execPath, [script], {
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}
