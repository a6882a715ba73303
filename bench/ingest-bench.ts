import { withTransaction } from '../src/platform/context';
import { fmt, median, secs } from './format';
import type { Queryable } from '../src/platform/sql';
import { testContext, testDeps } from '../test/support/context';
/**
 * Ingest benchmark (issue 3, item 8): readings stored per second through the hub's one bulk
 * path, `ingest()` in a transaction per batch (what a sync page or an `ingestReadings` call
 * does), against a raw server-side `COPY` of the very same rows into a twin of
 * `meter_reading` with the same indexes, in the same run. Schema `bench_ingest`, dropped
 * and recreated each run, dropped at the end.
 *
 * COPY: the rows are written to a world-readable CSV file under the OS temp dir and Postgres
 * (a local server) reads it with `COPY … FROM '<file>'`; only the COPY statement is timed (not
 * writing the file). This favours the peer: the hub's own COPY path (issue 12, target 2) streams
 * binary rows over its connection and pays for validation, the meter lookup and lastReadingAt too.
 *
 * Autovacuum is off for the schema's tables and each timed phase starts after a CHECKPOINT, so
 * neither side pays for the other's writes. meter_reading has a foreign key to meter that the
 * brief's twin (`LIKE … INCLUDING ALL`) lacks; a second twin with it is timed for reference.
 *
 * Env: BENCH_INGEST_ROWS (500,000), BENCH_INGEST_METERS (1,000), BENCH_INGEST_BATCH (10,000
 * per transaction), BENCH_INGEST_ROUNDS (1; rounds alternate our path and COPY and medians are
 * printed: steadier on a busy machine), BENCH_KEEP_SCHEMAS=1 (leave the schema for inspection).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { Database } from '../src/platform/db';
import { MAX_BATCH, ingest } from '../src/modules/ingest/ingest.service';
import { IncomingReading } from '../src/modules/ingest/ingest.rules';

const SCHEMA = 'bench_ingest';
const SLOT_MS = 900_000;

export interface IngestBenchOptions {
  url: string;
  rows: number;
  meters: number;
  batch: number;
  /** Rounds of (ingest, re-ingest, COPY, COPY with FK) over emptied tables; medians are reported. */
  rounds: number;
}

export interface IngestBenchResult {
  hubRowsPerSec: number;
  duplicateRowsPerSec: number;
  copyRowsPerSec: number;
  ratio: number;
}

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

/** Adds the time of each statement sent through `m` to `sql`, by role (meter lookup or reading insert). */
function timeStatements(m: Queryable, sql: Record<string, number>): void {
  const query = m.query.bind(m);
  m.query = (async (text: string, params?: unknown[]) => {
    const t0 = performance.now();
    try {
      return await query(text, params);
    } finally {
      const key = /INSERT INTO meter_reading/.test(text) ? 'insert' : /FROM meter t JOIN enterprise/.test(text) ? 'lookup' : 'other';
      sql[key] = (sql[key] ?? 0) + performance.now() - t0;
    }
  }) as typeof m.query;
}

/** Runs every batch through `ingest`, one transaction each; returns elapsed ms and the summed outcome. */
async function ingestAll(db: Database, readings: IncomingReading[], batch: number) {
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  let copied = 0;
  const sql: Record<string, number> = {};
  const ctx = testContext(testDeps(db));
  const t0 = performance.now();
  for (let i = 0; i < readings.length; i += batch) {
    const part = readings.slice(i, i + batch);
    const o = await withTransaction(ctx, (ctx) => {
      timeStatements(ctx.db, sql);
      return ingest(ctx, part);
    });
    accepted += o.accepted;
    duplicates += o.duplicates;
    rejected += o.rejected.length;
    copied += o.copied;
  }
  return { ms: performance.now() - t0, accepted, duplicates, rejected, copied, sql };
}

async function timedCopy(c: Client, table: string, file: string): Promise<{ ms: number; rows: number }> {
  await c.query('CHECKPOINT');
  const t0 = performance.now();
  const r = await c.query(`COPY ${SCHEMA}.${table} (meter_id, read_at, cumulative_volume, flow_rate) FROM '${file}' WITH (FORMAT csv)`);
  return { ms: performance.now() - t0, rows: r.rowCount ?? 0 };
}

export async function runIngestBench(o: IngestBenchOptions): Promise<IngestBenchResult> {
  const batch = Math.min(Math.max(1, Math.floor(o.batch)), MAX_BATCH);
  const rounds = Math.max(1, Math.floor(o.rounds));
  console.log(
    `\n=== ingest vs COPY: ${fmt(o.rows)} readings, ${fmt(o.meters)} meters, batches of ${fmt(batch)} (${Math.ceil(o.rows / batch)} transactions), ${rounds} round(s), schema ${SCHEMA}; autovacuum off there ===`,
  );
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
    // No autovacuum in this schema: a vacuum of the 500,000 new rows would otherwise run beside whichever phase comes next.
    // meter_reading and meter_day are partitioned: the setting goes on their partitions (a partitioned table stores nothing itself).
    const parts: { t: string }[] = await q.query(
      `SELECT inhrelid::regclass::text AS t FROM pg_inherits WHERE inhparent IN ('meter_reading'::regclass, 'meter_day'::regclass)`,
    );
    for (const t of ['meter', 'enterprise', ...parts.map((p) => p.t)]) await q.query(`ALTER TABLE ${t} SET (autovacuum_enabled = false)`);

    // COPY input: the same rows, as CSV the postgres OS user can read; twins with the same indexes (PK (meter_id, read_at), read_at).
    // Built in a block so that its 500,000 strings are garbage before the timed phases (our side would otherwise carry them through every GC).
    {
      const csv: string[] = new Array(readings.length);
      for (let i = 0; i < readings.length; i++) {
        const r = readings[i];
        csv[i] = `${idOf.get(r.meterCode)},${r.readAt.toISOString()},${r.cumulativeVolume},${r.flowRate ?? ''}`;
      }
      fs.writeFileSync(file, csv.join('\n') + '\n', { mode: 0o644 });
    }
    fs.chmodSync(file, 0o644);
    await admin.query(`CREATE TABLE ${SCHEMA}.twin (LIKE ${SCHEMA}.meter_reading INCLUDING ALL) WITH (autovacuum_enabled = false)`);
    // The same again with meter_reading's foreign key to meter, which our path pays for on every row.
    await admin.query(
      `CREATE TABLE ${SCHEMA}.twin_fk (LIKE ${SCHEMA}.meter_reading INCLUDING ALL, FOREIGN KEY (meter_id) REFERENCES ${SCHEMA}.meter(id)) WITH (autovacuum_enabled = false)`,
    );
    const idx = await admin.query(
      `SELECT tablename, count(*)::int AS n FROM pg_indexes WHERE schemaname = $1 AND tablename IN ('meter_reading', 'twin', 'twin_fk') GROUP BY 1 ORDER BY 1`,
      [SCHEMA],
    );
    console.log(
      `indexes: ${idx.rows.map((r) => `${r.tablename} ${r.n}`).join(', ')}; COPY timing covers the COPY statement only (server-side CSV file); each phase starts after a CHECKPOINT`,
    );

    const n = readings.length;
    const rate = (rows: number, ms: number) => (ms > 0 ? (rows * 1000) / ms : NaN);
    const line = (label: string, ms: number, note: string) =>
      console.log(`${label.padEnd(44)}${secs(ms).padStart(9)}${`${fmt(rate(n, ms))} rows/s`.padStart(18)}   ${note}`);
    const split = (r: { ms: number; sql: Record<string, number> }) => {
      const sqlMs = Object.values(r.sql).reduce((a, b) => a + b, 0);
      return `insert statements ${secs(r.sql.insert ?? 0)}, meter lookups ${secs(r.sql.lookup ?? 0)}, rest (the COPY stream on the transaction's connection, Node validation and parameters, BEGIN/COMMIT) ${secs(r.ms - sqlMs)}`;
    };
    const got = { hub: [] as number[], dup: [] as number[], copy: [] as number[], copyFk: [] as number[] };
    for (let round = 1; round <= rounds; round++) {
      if (round > 1) {
        // Every round starts as the first did: no readings, no day summaries, no lastReadingAt (on the hub's connection: the
        // summaries' TRUNCATE trigger names its tables unqualified), and the meters' dead row versions vacuumed away.
        await q.query(`TRUNCATE meter_reading, meter_day, meter_day_epoch, twin, twin_fk`);
        await q.query(`UPDATE meter SET last_reading_at = NULL`);
        await q.query(`VACUUM ANALYZE meter`);
      }
      await admin.query('CHECKPOINT');
      const fresh = await ingestAll(db, readings, batch);
      const [{ stored, lagging }] = await q.query(
        `SELECT (SELECT count(*) FROM meter_reading)::int AS stored,
                (SELECT count(*) FROM meter t WHERE t.last_reading_at IS DISTINCT FROM (SELECT max(read_at) FROM meter_reading r WHERE r.meter_id = t.id))::int AS lagging`,
      );
      await admin.query('CHECKPOINT');
      const again = await ingestAll(db, readings, batch); // a re-run sync: every row a duplicate
      const copy = await timedCopy(admin, 'twin', file);
      const copyFk = await timedCopy(admin, 'twin_fk', file);
      const [{ same }] = (
        await admin.query(
          `SELECT NOT EXISTS (SELECT meter_id, read_at, cumulative_volume, flow_rate FROM ${SCHEMA}.meter_reading
                                EXCEPT SELECT meter_id, read_at, cumulative_volume, flow_rate FROM ${SCHEMA}.twin) AS same`,
        )
      ).rows;
      if (rounds > 1) console.log(`round ${round}`);
      line(
        'hub ingest, new rows',
        fresh.ms,
        `accepted ${fmt(fresh.accepted)} (by COPY ${fmt(fresh.copied)}), duplicates ${fmt(fresh.duplicates)}, rejected ${fmt(fresh.rejected)}; stored ${fmt(stored)}; meters with a wrong lastReadingAt: ${lagging}`,
      );
      console.log(`  ${split(fresh)}`);
      line(
        'hub ingest, the same rows again (duplicates)',
        again.ms,
        `accepted ${fmt(again.accepted)} (by COPY ${fmt(again.copied)}), duplicates ${fmt(again.duplicates)}, rejected ${fmt(again.rejected)}`,
      );
      console.log(`  ${split(again)}`);
      line('COPY into twin', copy.ms, `${fmt(copy.rows)} rows, same rows as meter_reading: ${same ? 'yes' : 'NO'}`);
      line('COPY into twin + FK to meter (for reference)', copyFk.ms, `${fmt(copyFk.rows)} rows`);
      if (fresh.accepted !== n || again.accepted !== 0 || copy.rows !== n || copyFk.rows !== n || !same || lagging)
        console.log('WARNING: rows stored differ from rows sent; figures are suspect.');
      got.hub.push(rate(n, fresh.ms));
      got.dup.push(rate(n, again.ms));
      got.copy.push(rate(n, copy.ms));
      got.copyFk.push(rate(n, copyFk.ms));
    }
    const [hub, dup, copy, copyFk] = [median(got.hub), median(got.dup), median(got.copy), median(got.copyFk)];
    const of = rounds > 1 ? ` (medians of ${rounds} rounds)` : '';
    console.log(`rows/s${of}: hub ingest ${fmt(hub)}, duplicates ${fmt(dup)}, COPY ${fmt(copy)}, COPY with FK ${fmt(copyFk)}`);
    console.log(
      `ingest ratio (hub/COPY): ${(hub / copy).toFixed(2)} (goal ≥ 0.8); against COPY into a twin that also has meter_reading's FK: ${(hub / copyFk).toFixed(2)}; all duplicates/COPY: ${(dup / copy).toFixed(2)}`,
    );
    if (rounds > 1) {
      // Each round's own ratio (its hub and COPY phases run minutes apart at most): steadier than the ratio of medians when
      // the machine's speed drifts between rounds.
      const each = got.hub.map((h, i) => h / got.copy[i]);
      console.log(`ingest ratio per round: ${each.map((r) => r.toFixed(2)).join(', ')} (median ${median(each).toFixed(2)})`);
    }
    return { hubRowsPerSec: hub, duplicateRowsPerSec: dup, copyRowsPerSec: copy, ratio: hub / copy };
  } finally {
    fs.rmSync(file, { force: true });
    await db.close().catch(() => undefined);
    if (process.env.BENCH_KEEP_SCHEMAS === '1') console.log(`kept schema ${SCHEMA} (BENCH_KEEP_SCHEMAS=1)`);
    else await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch((e) => console.error(`could not drop ${SCHEMA}:`, e));
    await admin.end().catch(() => undefined);
  }
}
