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
