/**
 * Ingest benchmark (issue 3, item 8): readings stored per second through the hub's one bulk
 * path, `ingest()` in a transaction per batch (what a sync page or an `ingestReadings` call
 * does), against a raw server-side `COPY` of the very same rows into a twin of
 * `meter_reading` with the same indexes, in the same run. Schema `bench_ingest`, dropped
 * and recreated each run, dropped at the end.
 *
 * COPY: `pg-copy-streams` is not a dependency, so the rows are written to a world-readable
 * CSV file under the OS temp dir and Postgres (a local server) reads it with
 * `COPY … FROM '<file>'`; only the COPY statement is timed (not writing the file).
 *
 * Env: BENCH_INGEST_ROWS (500,000), BENCH_INGEST_METERS (1,000), BENCH_INGEST_BATCH (10,000 per transaction).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { Database } from '../../src/platform/db';
import { MAX_BATCH, ingest } from '../../src/modules/ingest/ingest.service';
import { IncomingReading } from '../../src/modules/ingest/ingest.rules';

const SCHEMA = 'bench_ingest';
const SLOT_MS = 900_000;

export interface IngestBenchOptions {
  url: string;
  rows: number;
  meters: number;
  batch: number;
}

export interface IngestBenchResult {
  hubRowsPerSec: number;
  duplicateRowsPerSec: number;
  copyRowsPerSec: number;
  ratio: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Timestamp-major readings (every meter at t, then t + 15 min, …), as a feed pages them, ending before now. */
function generate(codes: string[], n: number): IncomingReading[] {
  const slots = Math.ceil(n / codes.length);
  const t0 = Math.floor(Date.now() / SLOT_MS) * SLOT_MS - (slots + 4) * SLOT_MS;
  const out: IncomingReading[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const slot = Math.floor(i / codes.length);
    const meter = i % codes.length;
    const flowRate = 1 + (meter % 7) * 0.25; // m³/h
    out[i] = {
      meterCode: codes[meter],
      readAt: new Date(t0 + slot * SLOT_MS),
      cumulativeVolume: Math.round((1000 * meter + (slot * flowRate) / 4) * 1000) / 1000,
      flowRate,
    };
  }
  return out;
}

/** Runs every batch through `ingest`, one transaction each; returns elapsed ms and the summed outcome. */
async function ingestAll(db: Database, readings: IncomingReading[], batch: number) {
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  const t0 = performance.now();
  for (let i = 0; i < readings.length; i += batch) {
    const part = readings.slice(i, i + batch);
    const o = await db.transaction((m) => ingest(m, part));
    accepted += o.accepted;
    duplicates += o.duplicates;
    rejected += o.rejected.length;
  }
  return { ms: performance.now() - t0, accepted, duplicates, rejected };
}

async function timedCopy(c: Client, table: string, file: string): Promise<{ ms: number; rows: number }> {
  await c.query('CHECKPOINT');
  const t0 = performance.now();
  const r = await c.query(`COPY ${SCHEMA}.${table} (meter_id, read_at, cumulative_volume, flow_rate) FROM '${file}' WITH (FORMAT csv)`);
  return { ms: performance.now() - t0, rows: r.rowCount ?? 0 };
}

export async function runIngestBench(o: IngestBenchOptions): Promise<IngestBenchResult> {
  const batch = Math.min(Math.max(1, Math.floor(o.batch)), MAX_BATCH);
  console.log(`\n=== ingest vs COPY: ${fmt(o.rows)} readings, ${fmt(o.meters)} meters, batches of ${fmt(batch)} (${Math.ceil(o.rows / batch)} transactions), schema ${SCHEMA} ===`);
  await withClient(o.url, async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await c.query(`CREATE SCHEMA ${SCHEMA}`);
  });
  const file = path.join(os.tmpdir(), `bench-ingest-${process.pid}.csv`);
  const db = await Database.connect({ url: o.url, schema: SCHEMA, poolSize: 2 });
  const admin = new Client({ connectionString: o.url });
  await admin.connect();
  try {
    await db.migrate();
    const q = db.manager;
    await q.query(`INSERT INTO enterprise (credit_code, name, region_code) VALUES ('911308000000000001', 'Bench ingest enterprise', '130802')`);
    await q.query(
      `INSERT INTO meter (meter_code, enterprise_id, online, level, max_flow_rate, created_at)
       SELECT 'BI-' || lpad(g::text, 6, '0'), e.id, true, 2, 10, now() - interval '90 days'
         FROM generate_series(1, $1::int) g CROSS JOIN enterprise e`,
      [o.meters],
    );
    const meters: { id: string; code: string }[] = await q.query(`SELECT id, meter_code AS code FROM meter ORDER BY meter_code`);
    const idOf = new Map(meters.map((m) => [m.code, m.id]));
    const readings = generate(
      meters.map((m) => m.code),
      o.rows,
    );
    await q.query('ANALYZE');

    // 1. Our path, new rows.
    await admin.query('CHECKPOINT');
    const fresh = await ingestAll(db, readings, batch);
    const stored = Number((await q.query(`SELECT count(*) AS n FROM meter_reading`))[0].n);
    const lagging = Number((await q.query(`SELECT count(*) AS n FROM meter t WHERE t.last_reading_at IS DISTINCT FROM (SELECT max(read_at) FROM meter_reading r WHERE r.meter_id = t.id)`))[0].n);
    // 2. Our path again: every row a duplicate (a re-run sync).
    await admin.query('CHECKPOINT');
    const again = await ingestAll(db, readings, batch);

    // 3. COPY of the same rows into a twin with the same indexes (PK (meter_id, read_at) and read_at).
    const csv: string[] = new Array(readings.length);
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i];
      csv[i] = `${idOf.get(r.meterCode)},${r.readAt.toISOString()},${r.cumulativeVolume},${r.flowRate ?? ''}`;
    }
    fs.writeFileSync(file, csv.join('\n') + '\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644); // the postgres OS user reads it
    await admin.query(`CREATE TABLE ${SCHEMA}.twin (LIKE ${SCHEMA}.meter_reading INCLUDING ALL)`);
    // The same again with meter_reading's foreign key to meter, which our path pays for on every row.
    await admin.query(`CREATE TABLE ${SCHEMA}.twin_fk (LIKE ${SCHEMA}.meter_reading INCLUDING ALL, FOREIGN KEY (meter_id) REFERENCES ${SCHEMA}.meter(id))`);
    const copy = await timedCopy(admin, 'twin', file);
    const copyFk = await timedCopy(admin, 'twin_fk', file);
    const idx = await admin.query(
      `SELECT tablename, count(*)::int AS n FROM pg_indexes WHERE schemaname = $1 AND tablename IN ('meter_reading', 'twin', 'twin_fk') GROUP BY 1 ORDER BY 1`,
      [SCHEMA],
    );
    const [{ same }] = (
      await admin.query(
        `SELECT NOT EXISTS (SELECT meter_id, read_at, cumulative_volume, flow_rate FROM ${SCHEMA}.meter_reading
                              EXCEPT SELECT meter_id, read_at, cumulative_volume, flow_rate FROM ${SCHEMA}.twin) AS same`,
      )
    ).rows;

    const rate = (n: number, ms: number) => (ms > 0 ? (n * 1000) / ms : NaN);
    const hubRate = rate(readings.length, fresh.ms);
    const dupRate = rate(readings.length, again.ms);
    const copyRate = rate(copy.rows, copy.ms);
    const copyFkRate = rate(copyFk.rows, copyFk.ms);
    const line = (label: string, ms: number, r: number, note: string) =>
      console.log(`${label.padEnd(40)}${secs(ms).padStart(10)}${`${fmt(r)} rows/s`.padStart(18)}   ${note}`);
    console.log(`indexes: ${idx.rows.map((r) => `${r.tablename} ${r.n}`).join(', ')}; twin rows equal meter_reading rows: ${same ? 'yes' : 'NO'}`);
    line('hub ingest, new rows', fresh.ms, hubRate, `accepted ${fmt(fresh.accepted)}, duplicates ${fmt(fresh.duplicates)}, rejected ${fmt(fresh.rejected)}; stored ${fmt(stored)}; meters with wrong lastReadingAt: ${lagging}`);
    line('hub ingest, same rows again (duplicates)', again.ms, dupRate, `accepted ${fmt(again.accepted)}, duplicates ${fmt(again.duplicates)}, rejected ${fmt(again.rejected)}`);
    line('COPY into twin', copy.ms, copyRate, `${fmt(copy.rows)} rows; timed: the COPY statement only (server-side CSV file)`);
    line('COPY into twin + FK to meter (info)', copyFk.ms, copyFkRate, `${fmt(copyFk.rows)} rows`);
    if (fresh.accepted !== readings.length || again.accepted !== 0 || copy.rows !== readings.length)
      console.log('WARNING: row counts differ from what was sent; figures are suspect.');
    const ratio = hubRate / copyRate;
    console.log(`ingest ratio (hub/COPY): ${ratio.toFixed(2)} (goal ≥ 0.5); vs COPY with FK: ${(hubRate / copyFkRate).toFixed(2)}`);
    return { hubRowsPerSec: hubRate, duplicateRowsPerSec: dupRate, copyRowsPerSec: copyRate, ratio };
  } finally {
    fs.rmSync(file, { force: true });
    await db.close().catch(() => undefined);
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch((e) => console.error(`could not drop ${SCHEMA}:`, e));
    await admin.end().catch(() => undefined);
  }
}
