import { FakeVendor, startFakeVendor } from '../../connectors/http-json/fake-vendor.server';
import { dataSourceService } from '../../src/modules/datasource/datasource.service';
import { PermanentSyncError, syncService } from '../../src/modules/datasource/sync.service';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { enterpriseService } from '../../src/modules/enterprise/enterprise.service';
import { meterService } from '../../src/modules/meter/meter.service';
import { HubContext } from '../../src/modules/context';
import { Database } from '../../src/platform/db';
import { JobName, JobPayloads, Jobs } from '../../src/platform/jobs';
import { testContext, testDeps } from '../support/context';
import { testDatabase } from '../support/hub';
import { eventually } from '../support/eventually';
import { DEFAULT_NOTIFY, openJobs } from '../../src/workers';
import { loadPolicies } from '../../src/modules/policy/credit-policy.loader';

/**
 * The sync service called directly, without BullMQ or any queue: a fake vendor feed, real
 * Postgres, and a `ctx.jobs` that only records what the service asks to be queued.
 */
const E = withCheckChar('91130821MW0000001');
const TOKEN = 'Bearer vendor-secret-svc';

class RecordingJobs implements Jobs {
  readonly added: { name: JobName; payload: unknown }[] = [];
  add<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<void> {
    this.added.push({ name, payload });
    return Promise.resolve();
  }
  requeue<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<boolean> {
    return this.add(name, payload).then(() => true);
  }
}

let db: Database;
let drop: () => Promise<void>;
let vendor: FakeVendor;
let jobs: RecordingJobs;
let ctx: HubContext;
const base = Date.now() - 3 * 3_600_000;
const reading = (i: number) => ({ meterCode: 'S-1', readAt: new Date(base + i * 1000).toISOString(), cumulativeVolume: i, flowRate: 1 });
const count = async () => (await ctx.db.query(`SELECT count(*)::int AS n FROM meter_reading`))[0].n as number;
const runOf = async (id: string) => (await dataSourceService.run(ctx, id))!;

beforeAll(async () => {
  ({ db, drop } = await testDatabase('sync_service'));
  jobs = new RecordingJobs();
  ctx = testContext(testDeps(db, { jobs }));
  vendor = await startFakeVendor({ token: TOKEN, readings: Array.from({ length: 2300 }, (_, i) => reading(i)) });
  vendor.malformed(3);
  await enterpriseService.register(ctx, { creditCode: E, name: '企业', regionCode: '130821' });
  await meterService.register(ctx, { creditCode: E, meterCode: 'S-1', online: true, level: 1 });
  await dataSourceService.create(ctx, {
    name: 'vendor',
    connector: 'http-json',
    config: { baseUrl: vendor.url, token: TOKEN, maxRetries: 0, retryBaseMs: 10 },
  });
});
afterAll(async () => {
  await vendor?.close();
  await drop?.();
});

it('stores every page, rejects the malformed record, advances the cursor and asks for detection of the touched meter', async () => {
  const run = await dataSourceService.trigger(ctx, 'vendor');
  expect(jobs.added).toEqual([{ name: 'sync', payload: { runId: run.id } }]);
  const progress: unknown[] = [];
  await syncService.run(ctx, run.id, {
    progress: (p) => {
      progress.push(p);
      return Promise.resolve();
    },
  });
  const done = await runOf(run.id);
  expect(done).toEqual(expect.objectContaining({ status: 'SUCCEEDED', readingsIngested: 2299, readingsRejected: 1, error: null }));
  expect(await count()).toBe(2299);
  // Pages of at most PAGE_SIZE (1000), each reported as it is stored.
  expect(done.pages).toBeGreaterThanOrEqual(3);
  expect(progress).toHaveLength(done.pages);
  const [{ meterId }] = await ctx.db.query(`SELECT id AS "meterId" FROM meter WHERE meter_code = 'S-1'`);
  expect(jobs.added.at(-1)).toEqual({ name: 'detect', payload: { meterIds: [meterId], reason: `run:${run.id}` } });
  // A repeat of a finished run does nothing.
  const before = jobs.added.length;
  await syncService.run(ctx, run.id);
  expect(jobs.added).toHaveLength(before);
});

it('a feed that is down fails the run with its error, keeps the cursor where the data stops, and a later run resumes without duplicates', async () => {
  const [{ cursor }] = await ctx.db.query(`SELECT cursor FROM data_source WHERE name = 'vendor'`);
  vendor.push(reading(5000), reading(5001));
  vendor.failNext(10, 503);
  const run = await dataSourceService.trigger(ctx, 'vendor');
  await expect(syncService.run(ctx, run.id)).rejects.toThrow(/503/);
  expect(await runOf(run.id)).toEqual(expect.objectContaining({ status: 'FAILED', error: expect.stringMatching(/503/) }));
  expect((await ctx.db.query(`SELECT cursor FROM data_source WHERE name = 'vendor'`))[0].cursor).toBe(cursor);
  vendor.healthy();
  const again = await dataSourceService.trigger(ctx, 'vendor');
  await syncService.run(ctx, again.id);
  expect(await runOf(again.id)).toEqual(expect.objectContaining({ status: 'SUCCEEDED', readingsIngested: 2 }));
  expect(await count()).toBe(2301);
});

it('asks the connector for pages of the size it is given (HUB_SYNC_PAGE_SIZE reaches it through the sync job)', async () => {
  // Given directly: 1,200 new readings in one page of up to 5,000, then the empty page that ends the feed.
  vendor.push(...Array.from({ length: 1200 }, (_, i) => reading(6000 + i)));
  const big = await dataSourceService.trigger(ctx, 'vendor');
  await syncService.run(ctx, big.id, { pageSize: 5000 });
  expect(await runOf(big.id)).toEqual(expect.objectContaining({ status: 'SUCCEEDED', pages: 2, readingsIngested: 1200 }));
  const bad = await dataSourceService.trigger(ctx, 'vendor');
  await expect(syncService.run(ctx, bad.id, { pageSize: 0 })).rejects.toThrow(/sync page size must be a whole number from 1 to 50000, got 0/);
  await syncService.failed(ctx, bad.id, 'test: bad page size');

  // Through the job queue, as `hub worker` and `npm start` wire it (openJobs with the configured size): pages of 400.
  const jobs = await openJobs({ db, policies: loadPolicies(), notify: { ...DEFAULT_NOTIFY, allowPrivate: ['127.0.0.1', '::1'] }, syncPageSize: 400 });
  try {
    await jobs.startWorkers({ scheduler: false, relay: false });
    vendor.push(...Array.from({ length: 1000 }, (_, i) => reading(8000 + i)));
    const queued = await dataSourceService.trigger(testContext(jobs.deps), 'vendor');
    // 400 + 400 + 200, then the empty page (a short page is not the end of an http-json feed); the default would take 2.
    await eventually(async () => expect(await runOf(queued.id)).toEqual(expect.objectContaining({ status: 'SUCCEEDED', pages: 4, readingsIngested: 1000 })), {
      timeoutMs: 30_000,
    });
  } finally {
    await jobs.stop();
  }
  expect(await count()).toBe(2301 + 1200 + 1000);
});

it('a run that does not exist fails for good, and `failed` marks an open run FAILED', async () => {
  await expect(syncService.run(ctx, '00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(PermanentSyncError);
  const run = await dataSourceService.trigger(ctx, 'vendor');
  await syncService.failed(ctx, run.id, 'worker died twice');
  expect(await runOf(run.id)).toEqual(expect.objectContaining({ status: 'FAILED', error: 'worker died twice' }));
});
