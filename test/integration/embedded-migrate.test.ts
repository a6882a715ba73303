import type { MigrationRaceObservations } from '../support/migration-race-probe';
import { MIGRATIONS } from '../../src/platform/db';
import { probeOnEmbedded } from '../support/embedded-probe';

/**
 * Embedded PGlite is one session. The hub listens (and its token revocation list reloads every few seconds) while it
 * migrates, so a statement sent meanwhile must wait for the migrations instead of landing inside one's transaction:
 * there, a read of a table not created yet failed and aborted the migration ("current transaction is aborted",
 * seen starting the demo on a loaded machine). PGlite runs outside jest's VM: the probe runs in a process of the build.
 */
describe('embedded migrations with statements arriving meanwhile', () => {
  let seen: MigrationRaceObservations;
  beforeAll(async () => {
    seen = await probeOnEmbedded<MigrationRaceObservations>('migration-race-probe', 100_000);
  }, 110_000);

  it('applies every migration', () => {
    expect(seen.applied).toBe(MIGRATIONS.length);
  });

  it('runs each statement sent meanwhile after the migrations, where its table exists', () => {
    expect(seen.sent).toBeGreaterThan(0);
    expect(seen.outcomes).toEqual({ ok: seen.sent });
  });
});
