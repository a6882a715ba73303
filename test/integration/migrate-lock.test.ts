import { Client } from 'pg';
import { Database } from '../../src/platform/db';
import { TEST_DATABASE_URL } from '../support/hub';

/** API and worker processes starting at once all migrate: they take turns, and nothing fails or runs twice. */
it('concurrent migrations of one database take turns', async () => {
  const schema = `t_migrate_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const dbs = await Promise.all([1, 2, 3].map(() => Database.connect({ url: TEST_DATABASE_URL, schema, poolSize: 2 })));
  try {
    const applied = await Promise.all(dbs.map((d) => d.migrate()));
    const all = applied.flat();
    expect(new Set(all).size).toBe(all.length); // each migration ran once
    expect(applied.filter((a) => a.length > 0)).toHaveLength(1);
  } finally {
    await Promise.all(dbs.map((d) => d.close()));
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
});
