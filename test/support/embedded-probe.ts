import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
