import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { MigrationRaceObservations } from '../support/migration-race-probe';
import { MIGRATIONS } from '../../src/platform/db';

/**
 * Embedded PGlite is one session. The hub listens (and its token revocation list reloads every few seconds) while it
 * migrates, so a statement sent meanwhile must wait for the migrations instead of landing inside one's transaction:
 * there, a read of a table not created yet failed and aborted the migration ("current transaction is aborted",
 * seen starting the demo on a loaded machine). PGlite runs outside jest's VM: the probe runs in a process of the build.
 */
const PROBE = path.resolve(__dirname, '../../dist/test/support/migration-race-probe.js');

describe('embedded migrations with statements arriving meanwhile', () => {
  let seen: MigrationRaceObservations;
  beforeAll(async () => {
    if (!fs.existsSync(PROBE)) throw new Error(`${PROBE} is missing: run \`npm run build\` first (npm test does it in pretest)`);
    const { stdout } = await promisify(execFile)(process.execPath, [PROBE], { timeout: 100_000, env: { ...process.env, LOG_LEVEL: 'warn' } });
    seen = JSON.parse(stdout.trim().split('\n').at(-1)!);
  }, 110_000);

  it('applies every migration', () => {
    expect(seen.applied).toBe(MIGRATIONS.length);
  });

  it('runs each statement sent meanwhile after the migrations, where its table exists', () => {
    expect(seen.sent).toBeGreaterThan(0);
    expect(seen.outcomes).toEqual({ ok: seen.sent });
  });
});
