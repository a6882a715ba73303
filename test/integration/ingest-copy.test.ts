import { Client } from 'pg';
import { HubContext } from '../../src/modules/context';
import { IngestOutcome, ingest } from '../../src/modules/ingest/ingest.service';
import { IncomingReading } from '../../src/modules/ingest/ingest.rules';
import { withTransaction } from '../../src/platform/context';
import { Database } from '../../src/platform/db';
import { TEST_DATABASE_URL, testDatabase } from '../support/hub';
import { testContext, testDeps } from '../support/context';

/**
 * The two ways into meter_reading (issue 12, target 2): inside a transaction on Postgres,
 * readings newer than their meter's last one stream in with a binary COPY; the rest
 * (older gaps, re-sent rows, a row twice in one batch) take `INSERT … ON CONFLICT`. The
 * same batches sent to twin meters outside a transaction (the ON CONFLICT path only) must
 * store exactly the same readings, with the same counts.
 */
const T0 = Date.parse('2025-03-01T00:00:00Z');
const SLOT = 900_000;
const METERS = 10;

let db: Database;
let drop: () => Promise<void>;
let ctx: HubContext;

beforeAll(async () => {
  ({ db, drop } = await testDatabase('ingestcopy'));
  await db.manager.query(`INSERT INTO enterprise (credit_code, name, region_code) VALUES ('911308000000000077', '复制企业', '130802')`);
  await db.manager.query(
    `INSERT INTO meter (meter_code, enterprise_id, online, level, max_flow_rate)
     SELECT p || '-' || lpad(g::text, 2, '0'), e.id, true, 2, 10 FROM generate_series(1, $1::int) g, unnest(ARRAY['A', 'B', 'C']) p, enterprise e`,
    [METERS],
  );
  ctx = testContext(testDeps(db));
});
afterAll(() => drop());

/** Readings of meters `prefix`-01… for slots `from`..`to` (inclusive), timestamp-major, minus the (meter, slot) pairs in `skip`. */
function batch(prefix: string, from: number, to: number, skip: [number, number][] = []): IncomingReading[] {
  const out: IncomingReading[] = [];
  for (let s = from; s <= to; s++)
    for (let m = 1; m <= METERS; m++)
      if (!skip.some(([a, b]) => a === m && b === s))
        out.push({
          meterCode: `${prefix}-${String(m).padStart(2, '0')}`,
          readAt: new Date(T0 + s * SLOT),
          cumulativeVolume: 100 * m + s / 4,
          flowRate: s % 3 ? 1 + m / 10 : null,
        });
  return out;
}

const inTx = (readings: IncomingReading[]) => withTransaction(ctx, (tx) => ingest(tx, readings));
const counts = (o: IngestOutcome) => ({ accepted: o.accepted, duplicates: o.duplicates, rejected: o.rejected.length, copied: o.copied });

/** Stored readings and lastReadingAt of the meters `prefix`-…, keyed without the prefix, so two prefixes compare equal. */
async function stored(prefix: string) {
  const readings = await db.manager.query(
    `SELECT substr(t.meter_code, 3) AS meter, r.read_at AS "readAt", r.cumulative_volume AS v, r.flow_rate AS f
       FROM meter_reading r JOIN meter t ON t.id = r.meter_id WHERE t.meter_code LIKE $1 ORDER BY 1, 2`,
    [`${prefix}-%`],
  );
  const last = await db.manager.query(`SELECT substr(meter_code, 3) AS meter, last_reading_at AS at FROM meter WHERE meter_code LIKE $1 ORDER BY 1`, [
    `${prefix}-%`,
  ]);
  return { readings, last };
}

it('new rows take the COPY path, overlapping ones ON CONFLICT, re-sent ones store nothing twice, and the result equals the ON CONFLICT path’s', async () => {
  // 1. 200 new rows, one gap left (meter 1, slot 5): all COPY.
  const first = batch('A', 0, 19, [[1, 5]]);
  expect(counts(await inTx(first))).toEqual({ accepted: 199, duplicates: 0, rejected: 0, copied: 199 });

  // 2. Slots 10–29 (half stored, half new), the gap filled, and one row twice in the batch: new rows COPY, the rest ON CONFLICT.
  const second = [...batch('A', 10, 29), ...batch('A', 5, 5).filter((r) => r.meterCode === 'A-01'), batch('A', 29, 29)[3]];
  expect(counts(await inTx(second))).toEqual({ accepted: 101, duplicates: 101, rejected: 0, copied: 100 });

  // 3. The same batch again: nothing new, nothing copied.
  expect(counts(await inTx(second))).toEqual({ accepted: 0, duplicates: 202, rejected: 0, copied: 0 });

  // The same batches on the B meters outside a transaction: the ON CONFLICT path only, the same counts.
  const onConflict = (readings: IncomingReading[]) =>
    ingest(
      ctx,
      readings.map((r) => ({ ...r, meterCode: r.meterCode.replace('A-', 'B-') })),
    );
  expect(counts(await onConflict(first))).toEqual({ accepted: 199, duplicates: 0, rejected: 0, copied: 0 });
  expect(counts(await onConflict(second))).toEqual({ accepted: 101, duplicates: 101, rejected: 0, copied: 0 });
  expect(counts(await onConflict(second))).toEqual({ accepted: 0, duplicates: 202, rejected: 0, copied: 0 });

  const a = await stored('A');
  expect(a.readings).toHaveLength(300);
  expect(a.readings.filter((r: { f: number | null }) => r.f === null).length).toBeGreaterThan(0);
  expect(a.last.every((m: { at: Date }) => m.at.getTime() === T0 + 29 * SLOT)).toBe(true);
  expect(a).toEqual(await stored('B'));
  // Exactly the values sent (binary COPY keeps timestamps and doubles to the bit).
  const sent = new Map([...first, ...second].map((r) => [`${r.meterCode.slice(2)}|${r.readAt.getTime()}`, r]));
  for (const r of a.readings as { meter: string; readAt: Date; v: number; f: number | null }[]) {
    const s = sent.get(`${r.meter}|${r.readAt.getTime()}`)!;
    expect([r.v, r.f]).toEqual([s.cumulativeVolume, s.flowRate ?? null]);
  }
});

/**
 * Two transactions COPY the same new rows: the first stores them and holds its transaction open; the second starts once it
 * has and its COPY waits on the first's keys (its text follows a SAVEPOINT in the same query string, so the pattern is
 * unanchored); then the first commits. Returns both outcomes.
 */
async function sameRowsAtOnce(rows: IncomingReading[]): Promise<[IngestOutcome, IngestOutcome]> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let stored!: () => void;
  const copiedFirst = new Promise<void>((r) => (stored = r));
  const first = withTransaction(ctx, async (tx) => {
    const o = await ingest(tx, rows);
    stored();
    await held;
    return o;
  });
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await copiedFirst;
    const second = withTransaction(ctx, (tx) => ingest(tx, rows));
    for (let i = 0; i < 200; i++) {
      const [{ n }] = (
        await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%COPY meter_reading%'`)
      ).rows;
      if (n) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    release();
    return [await first, await second];
  } finally {
    release();
    await admin.end();
  }
}

const storedOfC = async (fromSlot: number) =>
  (
    await db.manager.query(
      `SELECT count(*)::int AS n FROM meter_reading r JOIN meter t ON t.id = r.meter_id WHERE t.meter_code LIKE 'C-%' AND r.read_at >= $1`,
      [new Date(T0 + fromSlot * SLOT)],
    )
  )[0].n as number;

it('two transactions COPYing the same new rows at once store them once: the later one falls back to ON CONFLICT and counts duplicates', async () => {
  const [first, second] = await sameRowsAtOnce(batch('C', 0, 9));
  expect(counts(first)).toEqual({ accepted: 100, duplicates: 0, rejected: 0, copied: 100 });
  expect(counts(second)).toEqual({ accepted: 0, duplicates: 100, rejected: 0, copied: 0 });
  expect(await storedOfC(0)).toBe(100);
});

it('a whole batch (50,000 readings) streaming into rows another transaction holds falls back the same way, however far the COPY got', async () => {
  // Slots after the test above's: new to the meters, so both take the COPY path; the second's rows keep streaming in while
  // its server side waits (socket buffers fill), then it meets the unique violation.
  const [first, second] = await sameRowsAtOnce(batch('C', 10, 5_009));
  expect(counts(first)).toEqual({ accepted: 50_000, duplicates: 0, rejected: 0, copied: 50_000 });
  expect(counts(second)).toEqual({ accepted: 0, duplicates: 50_000, rejected: 0, copied: 0 });
  expect(await storedOfC(10)).toBe(50_000);
});

it('a failure while the batch streams in abandons the COPY: nothing of the batch is stored and the connection serves the next one', async () => {
  const rows = batch('A', 2_000, 2_099);
  // Reading 500 cannot even be read (a broken feed object): the COPY is open by then, with 500 rows sent.
  Object.defineProperty(rows[500], 'readAt', {
    get() {
      throw new Error('feed object broke');
    },
  });
  await expect(inTx(rows)).rejects.toThrow('feed object broke');
  const count = async () =>
    (
      await db.manager.query(
        `SELECT count(*)::int AS n FROM meter_reading r JOIN meter t ON t.id = r.meter_id WHERE t.meter_code LIKE 'A-%' AND r.read_at >= $1`,
        [new Date(T0 + 2_000 * SLOT)],
      )
    )[0].n;
  expect(await count()).toBe(0);
  const again = batch('A', 2_000, 2_099);
  expect(counts(await inTx(again))).toEqual({ accepted: 1_000, duplicates: 0, rejected: 0, copied: 1_000 });
  expect(await count()).toBe(1_000);
});
