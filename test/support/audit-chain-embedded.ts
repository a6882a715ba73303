/**
 * Run by test/e2e/audit-chain.test.ts as a process of its own (compiled: PGlite does not load under jest's VM): in the
 * embedded database of `HUB_DATA_DIR`, migrated, appends `N` entries concurrently through request contexts, then prints
 * the chain's verification as JSON.
 */
import 'reflect-metadata';
import { appendAudit } from '../../src/modules/audit/audit.repository';
import { verifyChain } from '../../src/modules/audit/audit.chain';
import { Database } from '../../src/platform/db';
import { testContext, testDeps } from './context';

async function main() {
  const db = await Database.connect({ dataDir: process.env.HUB_DATA_DIR });
  try {
    await db.migrate();
    const deps = testDeps(db);
    const p = { subject: 'officer-1', role: 'PROVINCE_AUTHORITY' as const, regions: ['130000'] };
    const n = Number(process.env.N ?? 12);
    await Promise.all(
      Array.from({ length: n }, (_, i) => appendAudit(testContext(deps, p).db, p, { action: 'probe', outcome: 'OK', detail: { i, s: 'a\u0000' } })),
    );
    console.log(JSON.stringify(await verifyChain(db.manager, { batch: 5 })));
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
