import { startTestHub } from '../support/hub';

it('GET /health answers 503 once the database is unreachable', async () => {
  const t = await startTestHub('health');
  try {
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    await t.db.dataSource.destroy(); // the pool is gone: every query fails
    const res = await fetch(`${t.url}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual(expect.objectContaining({ status: 'database unreachable', database: 'down' }));
  } finally {
    await t.hub.stop();
    await t.db.dataSource.initialize(); // so the schema can be dropped
    await t.stop();
  }
});

it('answers 503 on /health and /graphql until migrations are done', async () => {
  const { createHub } = await import('../../src/app');
  const { loadConfig } = await import('../../src/platform/config');
  const { loadPolicies } = await import('../../src/modules/policy/credit-policy.loader');
  const { testDatabase, TEST_SECRET, TEST_DATABASE_URL } = await import('../support/hub');
  const { db, drop } = await testDatabase('starting');
  const hub = await createHub(loadConfig({ NODE_ENV: 'test', HUB_JWT_SECRET: TEST_SECRET, DATABASE_URL: TEST_DATABASE_URL }), db, loadPolicies());
  try {
    const url = await hub.listen(0);
    expect((await fetch(`${url}/health`)).status).toBe(503);
    const gql = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ creditPolicies { version } }"}',
    });
    expect(gql.status).toBe(503);
    hub.markReady();
    expect((await fetch(`${url}/health`)).status).toBe(200);
  } finally {
    await hub.stop();
    await drop();
  }
});
