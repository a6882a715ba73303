import type { Database } from '../../src/platform/db';
import { runProbeOnEmbedded } from './embedded-probe';

/** What test/integration/embedded-migrate.test.ts asserts: statements sent while a fresh embedded database migrates. */
export interface MigrationRaceObservations {
  /** The migrations applied (all of them, none failed). */
  applied: number;
  /** Statements sent while migrating, and how each ended: 'ok' or its SQLSTATE. */
  sent: number;
  outcomes: Record<string, number>;
}

/**
 * Migrates a fresh embedded database while, every few milliseconds, a read of a table the migrations create goes
 * through the shared manager (as the token revocation list's timer does while the hub migrates at start).
 */
export async function probeMigrationRace(db: Database): Promise<MigrationRaceObservations> {
  const outcomes: Record<string, number> = {};
  const pending: Promise<void>[] = [];
  const send = () =>
    pending.push(
      db.manager.query(`SELECT count(*) FROM token_revocation`).then(
        () => void (outcomes.ok = (outcomes.ok ?? 0) + 1),
        (e: { code?: string; driverError?: { code?: string } }) => {
          const code = e.driverError?.code ?? e.code ?? 'unknown';
          outcomes[code] = (outcomes[code] ?? 0) + 1;
        },
      ),
    );
  const timer = setInterval(send, 5);
  try {
    const applied = await db.migrate();
    clearInterval(timer);
    await Promise.all(pending);
    return { applied: applied.length, sent: pending.length, outcomes };
  } finally {
    clearInterval(timer);
  }
}

/** `node dist/test/support/migration-race-probe.js`: the probe on a fresh, unmigrated embedded database, printed as JSON. */
if (require.main === module) runProbeOnEmbedded('hub-migrate-race-', probeMigrationRace, { migrate: false });
