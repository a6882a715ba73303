import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { QueryRunner } from 'typeorm';
import { Client } from 'pg';
import { MeterReadingPartitions1733040000000 } from '../../src/migrations/1733040000000-meter-reading-partitions';
import {
  KEEP_MONTHS,
  PARTITION_MONTHS_AHEAD,
  PartitionDetachRefused,
  addMonths,
  chinaMonthOf,
  detachReadingPartitions,
  ensureReadingPartitions,
  listReadingPartitions,
} from '../../src/modules/meter/reading-partitions';
import { runtimeGrants } from '../../src/platform/db-roles';
import { TEST_DATABASE_URL, testDatabase } from '../support/hub';

/**
 * meter_reading partitioned by China month (issue 12, target 6) on the real server: the
 * migration keeps every row and routes it to its month; months exist ahead; rows that fell
 * into the default partition move to their month when it is made; the runtime role may make
 * months through the one function and do no other DDL; old months detach for archive, recent ones refuse.
 */
let d: Awaited<ReturnType<typeof testDatabase>>;
let meterId: string;
const q = (sql: string, params?: unknown[]) => d.db.manager.query(sql, params);
const thisMonth = chinaMonthOf(new Date());
const monthName = (m: string) => `meter_reading_p${m.replace('-', '')}`;
/** Noon China time on the 15th of `month`. */
const midMonth = (month: string) => new Date(`${month}-15T12:00:00+08:00`);
const partitionOf = async (at: Date): Promise<string> =>
  (await q(`SELECT tableoid::regclass::text AS t FROM meter_reading WHERE meter_id = $1 AND read_at = $2`, [meterId, at]))[0]?.t;

beforeAll(async () => {
  d = await testDatabase('partitions');
  await q(`INSERT INTO enterprise (credit_code, name, region_code) VALUES ('911308000000000001', '分区测试企业', '130802')`);
  [{ id: meterId }] = await q(`INSERT INTO meter (meter_code, enterprise_id, online, level) SELECT 'P-1', id, true, 2 FROM enterprise RETURNING id`);
});
afterAll(async () => {
  await d?.drop();
});

it('keeps every reading through the migration and puts each in its China month; history before the first month', async () => {
  const migration = new MeterReadingPartitions1733040000000();
  const runner = { query: (sql: string, params?: unknown[]) => q(sql, params) } as unknown as QueryRunner;
  await migration.down(runner);
  expect((await q(`SELECT relkind FROM pg_class WHERE oid = 'meter_reading'::regclass`))[0].relkind).toBe('r');
  const old = midMonth(addMonths(thisMonth, -40));
  const lastMonth = midMonth(addMonths(thisMonth, -1));
  // 16:30 UTC on a month's last day is 00:30 of the next China month: it belongs to the next month's partition.
  const [y, m] = addMonths(thisMonth, -2).split('-').map(Number);
  const edge = new Date(Date.UTC(y, m, 0, 16, 30));
  await q(`INSERT INTO meter_reading (meter_id, read_at, cumulative_volume) SELECT $1, t, 1 FROM unnest($2::timestamptz[]) t`, [
    meterId,
    [old, lastMonth, edge],
  ]);
  await q(
    `INSERT INTO meter_day (meter_id, china_day, first_read_at, first_total, last_read_at, last_total, reading_count)
     SELECT $1, ((t AT TIME ZONE 'UTC') + interval '8 hours')::date, t, 1, t, 1, 1 FROM unnest($2::timestamptz[]) t`,
    [meterId, [old, lastMonth, edge]],
  );
  await migration.up(runner);

  expect((await q(`SELECT relkind FROM pg_class WHERE oid = 'meter_reading'::regclass`))[0].relkind).toBe('p');
  expect(Number((await q(`SELECT count(*) AS n FROM meter_reading`))[0].n)).toBe(3);
  // The first month partition is the month of the oldest reading (40 months back, earlier than two years).
  expect(await partitionOf(old)).toBe(monthName(chinaMonthOf(old)));
  expect(await partitionOf(lastMonth)).toBe(monthName(addMonths(thisMonth, -1)));
  expect(await partitionOf(edge)).toBe(monthName(addMonths(thisMonth, -1)));
  // The daily summaries are partitioned alike: each day in its month, the months the readings have.
  const dayParts = await q(`SELECT tableoid::regclass::text AS t, china_day::text AS day FROM meter_day ORDER BY china_day`);
  expect(dayParts.map((r: { t: string }) => r.t)).toEqual([
    monthName(chinaMonthOf(old)).replace('meter_reading', 'meter_day'),
    monthName(addMonths(thisMonth, -1)).replace('meter_reading', 'meter_day'),
    monthName(addMonths(thisMonth, -1)).replace('meter_reading', 'meter_day'),
  ]);
  expect((await q(`SELECT relkind FROM pg_class WHERE oid = 'meter_day'::regclass`))[0].relkind).toBe('p');
  const parts = await listReadingPartitions(d.db.manager);
  expect(parts.find((p) => p.kind === 'HISTORY')?.before).toBe(chinaMonthOf(old));
  // Every key leads with the meter id (a Citus deployment distributes by it).
  const keys = await q(`SELECT pg_get_indexdef(i.indexrelid) AS def, i.indisunique AS unique FROM pg_index i WHERE i.indrelid = 'meter_reading'::regclass`);
  for (const k of keys.filter((x: { unique: boolean }) => x.unique)) expect(k.def).toMatch(/\(meter_id, read_at\)/);
});

it(`has this month and ${PARTITION_MONTHS_AHEAD} ahead; a reading of a month before the first partition goes to history, not default`, async () => {
  const months = (await listReadingPartitions(d.db.manager)).filter((p) => p.kind === 'MONTH' && p.attached).map((p) => p.month);
  for (let i = 0; i <= PARTITION_MONTHS_AHEAD; i++) expect(months).toContain(addMonths(thisMonth, i));
  const dayMonths = (await q(`SELECT c.relname AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'meter_day'::regclass`)).map(
    (r: { n: string }) => r.n,
  );
  for (let i = 0; i <= PARTITION_MONTHS_AHEAD; i++) expect(dayMonths).toContain(monthName(addMonths(thisMonth, i)).replace('meter_reading', 'meter_day'));
  const ancient = midMonth('2001-06');
  await q(`INSERT INTO meter_reading (meter_id, read_at, cumulative_volume) VALUES ($1, $2, 0)`, [meterId, ancient]);
  expect(await partitionOf(ancient)).toBe('meter_reading_history');
  expect(await ensureReadingPartitions(d.db.manager)).toBe(0); // idempotent
  expect(await ensureReadingPartitions(d.db.manager, PARTITION_MONTHS_AHEAD + 1)).toBe(1);
});

it('moves the rows that fell into the default partition to their month when the month is made', async () => {
  // As if the scheduler had not run: the month after the ones made ahead has no partition yet.
  const later = addMonths(thisMonth, PARTITION_MONTHS_AHEAD + 3);
  const at = midMonth(later);
  await q(`INSERT INTO meter_reading (meter_id, read_at, cumulative_volume) VALUES ($1, $2, 5)`, [meterId, at]);
  expect(await partitionOf(at)).toBe('meter_reading_default');
  expect(await ensureReadingPartitions(d.db.manager)).toBe(1);
  expect(await partitionOf(at)).toBe(monthName(later));
  expect(Number((await q(`SELECT count(*) AS n FROM meter_reading_default`))[0].n)).toBe(0);
  // Ingest's ON CONFLICT still finds the stored row across partitions.
  const r = await q(
    `INSERT INTO meter_reading (meter_id, read_at, cumulative_volume) VALUES ($1, $2, 5) ON CONFLICT (meter_id, read_at) DO NOTHING RETURNING 1`,
    [meterId, at],
  );
  expect(r).toHaveLength(0);
});

it('lets the runtime role make months through the function and nothing else of DDL', async () => {
  const role = `hub_part_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${role} NOLOGIN NOSUPERUSER`);
    for (const sql of runtimeGrants(role, d.schema)) await admin.query(sql);
    await admin.query(`SET search_path = ${d.schema}`);
    await admin.query('BEGIN');
    await admin.query(`SET LOCAL ROLE ${role}`);
    // Months up to seven ahead: the fifth and the seventh are new (the sixth was made from the default partition above).
    const [{ made }] = (await admin.query(`SELECT meter_reading_ensure_partitions($1) AS made`, [PARTITION_MONTHS_AHEAD + 4])).rows;
    expect(made).toBe(2);
    await admin.query('SAVEPOINT s');
    await expect(admin.query(`SELECT meter_reading_add_month(current_date + 900)`)).rejects.toMatchObject({ code: '42501' });
    await admin.query('ROLLBACK TO SAVEPOINT s');
    await expect(admin.query(`CREATE TABLE meter_reading_p209901 (LIKE meter_reading)`)).rejects.toMatchObject({ code: '42501' });
    await admin.query('ROLLBACK TO SAVEPOINT s');
    await expect(admin.query(`ALTER TABLE meter_reading DETACH PARTITION ${monthName(thisMonth)}`)).rejects.toMatchObject({ code: '42501' });
    await admin.query('ROLLBACK');
  } finally {
    await admin.query('ROLLBACK').catch(() => undefined);
    await admin.query(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.end();
  }
});

it('detaches old months for archive and refuses the months the rules still read', async () => {
  const keepFrom = addMonths(thisMonth, -KEEP_MONTHS + 1);
  await expect(detachReadingPartitions(d.db.manager, addMonths(keepFrom, 1))).rejects.toBeInstanceOf(PartitionDetachRefused);
  await expect(detachReadingPartitions(d.db.manager, addMonths(thisMonth, 1), { force: true })).rejects.toThrow(/本月/);
  await expect(detachReadingPartitions(d.db.manager, '2026-13')).rejects.toThrow(/YYYY-MM/);
  const before = Number((await q(`SELECT count(*) AS n FROM meter_reading`))[0].n);
  const oldest = (await listReadingPartitions(d.db.manager)).find((p) => p.kind === 'MONTH')!;
  const names = await detachReadingPartitions(d.db.manager, keepFrom);
  // The history partition goes with the months (all it holds is earlier); the kept months stay.
  expect(names).toContain('meter_reading_history');
  expect(names).toContain(oldest.name);
  expect(names).not.toContain(monthName(keepFrom));
  expect(names).toContain(oldest.name.replace('meter_reading', 'meter_day'));
  expect(names).toContain('meter_day_history');
  const after = await listReadingPartitions(d.db.manager);
  expect(after.find((p) => p.name === oldest.name)?.attached).toBe(false);
  // The detached month is a plain table holding its rows; the hub no longer sees them.
  expect(Number((await q(`SELECT count(*) AS n FROM ${oldest.name}`))[0].n)).toBe(1);
  expect(Number((await q(`SELECT count(*) AS n FROM meter_reading`))[0].n)).toBe(before - 2);
  await expect(detachReadingPartitions(d.db.manager, keepFrom)).rejects.toThrow(/没有已挂载的分区/);
});

it('works the same on the embedded database, through `hub readings`', () => {
  // PGlite does not load under jest's VM: the compiled CLI in a process of its own.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-partitions-'));
  const cli = path.resolve(__dirname, '../../dist/src/cli/hub.js');
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: '',
    HUB_MIGRATION_DATABASE_URL: '',
    HUB_DATA_DIR: dir,
    HUB_JWT_SECRET: 'cli-test-secret-cli-test-secret-0123456',
  };
  try {
    const out = execFileSync('node', [cli, 'readings', 'partitions', '--ensure'], { env, encoding: 'utf8' });
    expect(out).toMatch(/created 0 partition/);
    for (let i = 0; i <= PARTITION_MONTHS_AHEAD; i++) expect(out).toContain(monthName(addMonths(thisMonth, i)));
    expect(out).toMatch(/meter_reading_history\s+HISTORY/);
    const refused = spawnSync('node', [cli, 'readings', 'detach', '--before', thisMonth], { env, encoding: 'utf8' });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/仍被信用规则使用.*still read by the rules/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
