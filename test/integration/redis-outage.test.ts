import { FakeVendor, startFakeVendor } from '../../connectors/http-json/fake-vendor.server';
import { systemContext } from '../../src/modules/context';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { dueSources, insertRun } from '../../src/modules/datasource/datasource.repository';
import { scheduleService } from '../../src/modules/schedule/schedule.service';
import { eventually } from '../support/eventually';
import { TestHub, codeOf, startTestHub } from '../support/hub';
import { PrivateRedis } from '../support/processes';

/**
 * Issue 11 item 7 (security review): a sync run whose queue job was lost with Redis stayed QUEUED for ever and blocked
 * its schedule; during a Redis outage `triggerSync` and the queue dashboard hung 20 s or more while /health said ok.
 * A hub on BullMQ over a Redis of this test's own (stopped and started here); the scheduler's tick is called by hand.
 */
const E = withCheckChar('91130821RU0000001');
const TOKEN = 'Bearer vendor-secret-outage';
/** A tick slot that queues no detection or re-grading (10 s past the hour and the day). */
const QUIET_SLOT = 1;

let redis: PrivateRedis;
let t: TestHub;
let vendor: FakeVendor;
let dataTeam: string;
let sourceId: string;
/** Set while the outage test has Redis stopped, so the clean-up starts it (once) to let the hub remove its keys. */
let redisDown = false;

const status = async (runId: string) => (await t.db.manager.query(`SELECT status FROM sync_run WHERE id = $1`, [runId]))[0].status as string;
const tick = () => scheduleService.tick(systemContext(t.jobs.deps, 'scheduler'), QUIET_SLOT);
const settled = (runId: string) =>
  eventually(
    async () => {
      await tick();
      const s = await status(runId);
      if (s !== 'SUCCEEDED') throw new Error(`run ${runId} is ${s}`);
    },
    { timeoutMs: 30_000, intervalMs: 300 },
  );

beforeAll(async () => {
  redis = await PrivateRedis.start();
  t = await startTestHub('redis_outage', { redisUrl: redis.url });
  dataTeam = t.token('SYSTEM_ADMIN');
  const officer = t.token('COUNTY_AUTHORITY', { regions: ['130821'] });
  const e = await t.gql(`mutation { registerEnterprise(input: { creditCode: "${E}", name: "企业", regionCode: "130821" }) { id } }`, {}, officer);
  expect(e.errors).toBeUndefined();
  const m = await t.gql(`mutation { registerMeter(input: { creditCode: "${E}", meterCode: "R-1", online: true, level: 1 }) { id } }`, {}, officer);
  expect(m.errors).toBeUndefined();
  const base = Date.now() - 3_600_000;
  vendor = await startFakeVendor({
    token: TOKEN,
    readings: Array.from({ length: 30 }, (_, i) => ({ meterCode: 'R-1', readAt: new Date(base + i * 60_000).toISOString(), cumulativeVolume: i, flowRate: 1 })),
  });
  const s = await t.gql(
    `mutation($i: DataSourceInput!) { createDataSource(input: $i) { id } }`,
    { i: { name: 'outage-feed', connector: 'http-json', config: { baseUrl: vendor.url, token: TOKEN, maxRetries: 1, retryBaseMs: 10 }, everyMs: 3_600_000 } },
    dataTeam,
  );
  expect(s.errors).toBeUndefined();
  sourceId = s.data.createDataSource.id;
}, 60_000);
afterAll(async () => {
  if (redisDown) await redis.up(); // stop() removes the hub's queue keys
  await vendor?.close();
  await t?.stop();
  await redis?.down();
});

it('queues again a run whose job was lost (QUEUED, or RUNNING and silent), which then syncs and frees the schedule', async () => {
  // Runs recorded in PostgreSQL whose jobs never reached Redis (or were flushed with it).
  const queued = (await insertRun(t.db.manager, sourceId, 'test'))!;
  await t.db.manager.query(`UPDATE sync_run SET queued_at = now() - interval '2 minutes' WHERE id = $1`, [queued.id]);
  expect(await dueSources(t.db.manager)).toEqual([]); // the open run blocks the source's schedule
  await settled(queued.id);

  const running = (await insertRun(t.db.manager, sourceId, 'test'))!;
  await t.db.manager.query(
    `UPDATE sync_run SET status = 'RUNNING', started_at = now() - interval '1 hour', queued_at = now() - interval '1 hour', heartbeat_at = now() - interval '20 minutes' WHERE id = $1`,
    [running.id],
  );
  await settled(running.id);
  const counts = (await t.db.manager.query(`SELECT count(*)::int AS n FROM meter_reading`))[0].n as number;
  expect(counts).toBe(30); // every reading once, however many runs took the feed
});

it('leaves a run that is waiting in the queue alone (no second job)', async () => {
  const fresh = (await insertRun(t.db.manager, sourceId, 'test'))!;
  await t.db.manager.query(`UPDATE sync_run SET queued_at = now() - interval '2 minutes' WHERE id = $1`, [fresh.id]);
  const deps = t.jobs.deps;
  expect(await deps.jobs.requeue('sync', { runId: fresh.id })).toBe(true);
  expect(await deps.jobs.requeue('sync', { runId: fresh.id })).toBe(false); // waiting or running: left alone
  await settled(fresh.id);
});

it('during a Redis outage answers SERVICE_UNAVAILABLE instead of hanging, shows Redis on /health, keeps the run, and queues it once Redis is back', async () => {
  await redis.down();
  redisDown = true;
  const trig = await t.gql(`mutation($s: ID!) { triggerSync(sourceId: $s) { id status } }`, { s: sourceId }, dataTeam);
  expect(codeOf(trig)).toBe('SERVICE_UNAVAILABLE');
  expect(trig.status).toBe(503);
  expect(trig.errors![0].message).toMatch(/Redis/);
  const open = await t.db.manager.query<{ id: string }[]>(`SELECT id FROM sync_run WHERE status = 'QUEUED'`);
  expect(open).toHaveLength(1); // recorded: nothing the request stored is lost

  const health = await fetch(`${t.url}/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual(expect.objectContaining({ redis: 'down', status: expect.stringMatching(/^degraded/) }));
  const dashboard = await fetch(`${t.url}/admin/queues`, { headers: { authorization: `Bearer ${dataTeam}` } });
  expect(dashboard.status).toBe(503);
  expect(((await dashboard.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');

  await redis.up();
  redisDown = false;
  await eventually(
    async () => {
      const h = (await (await fetch(`${t.url}/health`)).json()) as { redis: string; status: string };
      if (h.redis !== 'up' || h.status !== 'ok') throw new Error(JSON.stringify(h));
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  await t.db.manager.query(`UPDATE sync_run SET queued_at = now() - interval '2 minutes' WHERE id = $1`, [open[0].id]);
  await settled(open[0].id);
});
