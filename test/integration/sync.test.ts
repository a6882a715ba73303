import { startFakeVendor, FakeVendor } from '../../connectors/http-json/fake-vendor.server';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { eventually } from '../support/eventually';
import { TestHub, codeOf, startTestHub } from '../support/hub';

/**
 * Data sources end to end: a fake vendor feed, a sync through the queue, the cursor in
 * Postgres, faults that fail a run without losing or duplicating readings. Runs twice:
 * in-process (the embedded default) and on BullMQ over the local Redis.
 */
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const E = withCheckChar('91130821ME0000001');
const TOKEN = 'Bearer vendor-secret-123';

/** Polls `f` (through `eventually`) until `ok` holds for its value. */
function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  return eventually(
    async () => {
      const v = await f();
      if (!ok(v)) throw new Error(`waiting; last value ${JSON.stringify(v)}`);
      return v;
    },
    { timeoutMs: ms, intervalMs: 100 },
  );
}

describe.each([
  ['in-process', undefined],
  ['bullmq', REDIS_URL],
])('sync (%s)', (_label, redisUrl) => {
  let t: TestHub;
  let vendor: FakeVendor;
  let admin: string;
  const run = (id: string) =>
    t.gql(
      `query($id: ID!) { syncRun(id: $id) { id status readingsIngested readingsRejected readingsDuplicate error rejectedSample { reason } } }`,
      { id },
      admin,
    );

  beforeAll(async () => {
    t = await startTestHub(`sync_${redisUrl ? 'bull' : 'mem'}`, { redisUrl });
    admin = t.token('SYSTEM_ADMIN');
    await t.gql(
      `mutation { registerEnterprise(input: { creditCode: "${E}", name: "企业", regionCode: "130821" }) { id } }`,
      {},
      t.token('PROVINCE_AUTHORITY', { regions: ['130000'] }),
    );
    await t.gql(
      `mutation { registerMeter(input: { creditCode: "${E}", meterCode: "V-1", online: true, level: 1 }) { id } }`,
      {},
      t.token('PROVINCE_AUTHORITY', { regions: ['130000'] }),
    );
    const base = Date.now() - 3 * 3_600_000;
    vendor = await startFakeVendor({
      token: TOKEN,
      readings: Array.from({ length: 2500 }, (_, i) => ({
        meterCode: 'V-1',
        readAt: new Date(base + i * 1000).toISOString(),
        cumulativeVolume: i,
        flowRate: 1,
      })),
    });
    vendor.malformed(7);
  });
  afterAll(async () => {
    await vendor?.close();
    await t?.stop();
  });

  it('registers a source without ever returning its secret', async () => {
    const r = await t.gql(
      `mutation($i: DataSourceInput!) { createDataSource(input: $i) { id name connector config enabled } }`,
      { i: { name: 'vendor', connector: 'http-json', config: { baseUrl: vendor.url, token: TOKEN, maxRetries: 1, retryBaseMs: 10 } } },
      admin,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.createDataSource.config).toEqual({ baseUrl: vendor.url, maxRetries: 1, retryBaseMs: 10 });
    expect(JSON.stringify(await t.gql(`{ dataSources { config } }`, {}, admin))).not.toContain('vendor-secret');
    const bad = await t.gql(`mutation { createDataSource(input: { name: "x", connector: "ftp", config: {} }) { id } }`, {}, admin);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.gql(`{ dataSources { id } }`, {}, t.token('COUNTY_AUTHORITY', { regions: ['130821'] })))).toBe('FORBIDDEN');
  });

  it('syncs every page, rejects the malformed record, keeps the rest, and advances the cursor in Postgres', async () => {
    const trig = await t.gql(`mutation { triggerSync(sourceId: "vendor") { id status } }`, {}, admin);
    expect(trig.errors).toBeUndefined();
    const again = await t.gql(`mutation { triggerSync(sourceId: "vendor") { id } }`, {}, admin);
    expect(again.data.triggerSync.id).toBe(trig.data.triggerSync.id);
    const done = await until(
      () => run(trig.data.triggerSync.id),
      (r) => ['SUCCEEDED', 'FAILED'].includes(r.data.syncRun.status),
    );
    expect(done.data.syncRun).toEqual(expect.objectContaining({ status: 'SUCCEEDED', readingsIngested: 2499, readingsRejected: 1, error: null }));
    const [{ n }] = await t.db.manager.query(`SELECT count(*)::int AS n FROM meter_reading`);
    expect(n).toBe(2499);
    const [{ cursor }] = await t.db.manager.query(`SELECT cursor FROM data_source WHERE name = 'vendor'`);
    expect(cursor).toBeTruthy();
  });

  it('a feed that is down fails the run with its error and leaves the cursor where the data stops', async () => {
    const [{ cursor: before }] = await t.db.manager.query(`SELECT cursor FROM data_source WHERE name = 'vendor'`);
    vendor.push({ meterCode: 'V-1', readAt: new Date().toISOString(), cumulativeVolume: 5000, flowRate: 1 });
    vendor.failNext(100, 503);
    const trig = await t.gql(`mutation { triggerSync(sourceId: "vendor") { id } }`, {}, admin);
    const failed = await until(
      () => run(trig.data.triggerSync.id),
      (r) => r.data.syncRun.status === 'FAILED',
    );
    expect(failed.data.syncRun.error).toMatch(/503/);
    const [{ cursor: after }] = await t.db.manager.query(`SELECT cursor FROM data_source WHERE name = 'vendor'`);
    expect(after).toBe(before);
    // The feed recovers: the queued retry of the same run (exponential backoff) stores the new reading exactly once.
    vendor.healthy();
    const next = await t.gql(`mutation { triggerSync(sourceId: "vendor") { id } }`, {}, admin);
    const same = next.data.triggerSync.id === trig.data.triggerSync.id;
    await until(
      () => run(next.data.triggerSync.id),
      (r) => r.data.syncRun.status === 'SUCCEEDED',
      40_000,
    );
    expect(same || (await run(trig.data.triggerSync.id)).data.syncRun.status !== 'RUNNING').toBe(true);
    await until(
      async () => (await t.db.manager.query(`SELECT count(*)::int AS n FROM meter_reading`))[0].n,
      (n) => n === 2500,
    );
  });
});

describe('queue dashboard (BullMQ)', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('board', { redisUrl: REDIS_URL });
  });
  afterAll(() => t?.stop());

  it('is served to SYSTEM_ADMIN tokens only', async () => {
    expect((await fetch(`${t.url}/admin/queues`)).status).toBe(401);
    const county = t.token('COUNTY_AUTHORITY', { regions: ['130821'] });
    expect((await fetch(`${t.url}/admin/queues?token=${county}`)).status).toBe(403);
    const ok = await fetch(`${t.url}/admin/queues?token=${t.token('SYSTEM_ADMIN')}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/hub_admin=.*HttpOnly/i);
    const api = await fetch(`${t.url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${t.token('SYSTEM_ADMIN')}` } });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain('sync');
  });
});

describe('backfill (in-process, simulator)', () => {
  let t: TestHub;
  let admin: string;
  const M = withCheckChar('91130821MG0000001');
  beforeAll(async () => {
    t = await startTestHub('backfill');
    admin = t.token('SYSTEM_ADMIN');
    await t.gql(
      `mutation { registerEnterprise(input: { creditCode: "${M}", name: "企业", regionCode: "130821" }) { id } }`,
      {},
      t.token('PROVINCE_AUTHORITY', { regions: ['130000'] }),
    );
    await t.gql(
      `mutation { registerMeter(input: { creditCode: "${M}", meterCode: "B-1", online: true, level: 1 }) { id } }`,
      {},
      t.token('PROVINCE_AUTHORITY', { regions: ['130000'] }),
    );
    const r = await t.gql(
      `mutation($i: DataSourceInput!) { createDataSource(input: $i) { id } }`,
      { i: { name: 'sim', connector: 'simulator', config: { meters: [{ meterCode: 'B-1', avgFlow: 2 }], seed: 7 } } },
      admin,
    );
    expect(r.errors).toBeUndefined();
  });
  afterAll(() => t?.stop());

  it('reads only the range, moves its own cursor, and a later sync counts the overlap as duplicates', async () => {
    const H = 3_600_000;
    const from = new Date(Math.floor((Date.now() - 24 * H) / (15 * 60_000)) * 15 * 60_000);
    const to = new Date(from.getTime() + 6 * H);
    const bf = await t.gql(
      `mutation($f: DateTime!, $t: DateTime!) { backfillDataSource(sourceId: "sim", from: $f, to: $t) { id } }`,
      { f: from.toISOString(), t: to.toISOString() },
      admin,
    );
    expect(bf.errors).toBeUndefined();
    const q = (id: string) => t.gql(`query($id: ID!) { syncRun(id: $id) { status readingsIngested readingsDuplicate error } }`, { id }, admin);
    const done = await until(
      () => q(bf.data.backfillDataSource.id),
      (r) => ['SUCCEEDED', 'FAILED'].includes(r.data.syncRun.status),
    );
    expect(done.data.syncRun).toEqual(expect.objectContaining({ status: 'SUCCEEDED', readingsIngested: 25 }));
    const [span] = await t.db.manager.query(`SELECT min(read_at) AS lo, max(read_at) AS hi FROM meter_reading`);
    expect([span.lo.toISOString(), span.hi.toISOString()]).toEqual([from.toISOString(), to.toISOString()]);
    const [{ cursor }] = await t.db.manager.query(`SELECT cursor FROM data_source WHERE name = 'sim'`);
    expect(cursor).toBeNull();
    const sync = await t.gql(`mutation { triggerSync(sourceId: "sim") { id } }`, {}, admin);
    const s = await until(
      () => q(sync.data.triggerSync.id),
      (r) => r.data.syncRun.status === 'SUCCEEDED',
    );
    expect(s.data.syncRun.readingsDuplicate).toBe(25);
    const http = await t.gql(
      `mutation { createDataSource(input: { name: "plain", connector: "http-json", config: { baseUrl: "http://127.0.0.1:9", token: "t" } }) { id } }`,
      {},
      admin,
    );
    expect(http.errors).toBeUndefined();
    const refused = await t.gql(
      `mutation($f: DateTime!, $t: DateTime!) { backfillDataSource(sourceId: "plain", from: $f, to: $t) { id } }`,
      { f: from.toISOString(), t: to.toISOString() },
      admin,
    );
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
  });
});

describe('schedule', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('schedule');
  });
  afterAll(() => t?.stop());

  it('the scheduler tick queues a sync for sources whose everyMs has passed, once', async () => {
    const { tickJob } = await import('../../jobs/tick.job');
    const admin = t.token('SYSTEM_ADMIN');
    for (const [name, everyMs] of [
      ['timed', 60_000],
      ['manual', null],
    ] as const) {
      const r = await t.gql(
        `mutation($i: DataSourceInput!) { createDataSource(input: $i) { id } }`,
        {
          i: {
            name,
            connector: 'simulator',
            everyMs,
            config: { meters: [{ meterCode: 'none', avgFlow: 1 }], start: new Date(Date.now() - 3_600_000).toISOString() },
          },
        },
        admin,
      );
      expect(r.errors).toBeUndefined();
    }
    const signal = new AbortController().signal;
    await tickJob.handle({ slot: 1 }, { attempt: 1, signal, progress: () => Promise.resolve() }, t.jobs.deps);
    await tickJob.handle({ slot: 2 }, { attempt: 1, signal, progress: () => Promise.resolve() }, t.jobs.deps);
    const runs = await t.db.manager.query(
      `SELECT s.name, count(r.id)::int AS n FROM data_source s LEFT JOIN sync_run r ON r.source_id = s.id GROUP BY s.name ORDER BY s.name`,
    );
    expect(runs).toEqual([
      { name: 'manual', n: 0 },
      { name: 'timed', n: 1 },
    ]);
  });
});
