import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { appendAudit } from '../../src/modules/audit/audit.repository';
import { GENESIS, STORED_COLUMNS, chainHead, entryHash, storedFields, verifyChain } from '../../src/modules/audit/audit.chain';
import { scheduleService } from '../../src/modules/schedule/schedule.service';
import { logger } from '../../src/platform/logger';
import { TEST_DATABASE_URL, TestHub, startTestHub, testDatabase } from '../support/hub';
import { testContext, testDeps } from '../support/context';

/**
 * The audit trail survives anything and is tamper-evident (issue 11 items 4 and 5): entries with NUL bytes and huge
 * arguments are kept as a cut with a digest; every entry is chained (seq, prev_hash, hash) and `verifyChain` names the
 * first broken one.
 */
let t: TestHub;
let admin: string;
const sm3 = (s: string) => createHash('sm3').update(s).digest('hex');
const MISSING = '00000000-0000-4000-8000-000000000000';
const lastId = async (): Promise<string> => (await t.db.manager.query(`SELECT coalesce(max(id), 0)::text AS id FROM audit_log`))[0].id;
const entriesSince = (since: string, action: string): Promise<{ outcome: string; target_id: string | null; detail: Record<string, any> }[]> =>
  t.db.manager.query(`SELECT outcome, target_id, detail FROM audit_log WHERE id > $1 AND action = $2 ORDER BY id`, [since, action]);

beforeAll(async () => {
  t = await startTestHub('auditchain');
  admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'] });
});
afterAll(() => t?.stop());

describe('entries survive NUL bytes and huge arguments', () => {
  const setStatus = `mutation($id: ID!, $r: String!) { setCreditRecordStatus(id: $id, status: REVOKED, reason: $r) { id } }`;

  it.each([
    ['a NUL byte', 'wrong\u0000facts', 'wrong\uFFFDfacts'],
    ['a 1 MB argument', 'r'.repeat(1 << 20), 'r'.repeat(512)],
  ])('an audited mutation with %s has its entry, with the digest and a cut', async (_name, reason, cut) => {
    const since = await lastId();
    const r = await t.gql(setStatus, { id: MISSING, r: reason }, admin);
    expect(r.errors).toBeDefined(); // no such record (or the argument refused): the attempt is on record all the same
    const entries = await entriesSince(since, 'setCreditRecordStatus');
    expect(entries).toHaveLength(1);
    expect(entries[0].detail.reason).toEqual({ cut, sm3: sm3(reason), length: reason.length });
  });

  it('a mutation refused before it ran, with a NUL byte in its target id, is on record', async () => {
    const since = await lastId();
    // `status` missing: validation refuses the operation; the plugin audits it from the arguments as written.
    const r = await t.gql(`mutation { setCreditRecordStatus(id: "a\\u0000b", reason: "x") { id } }`, {}, admin);
    expect(r.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const entries = await entriesSince(since, 'setCreditRecordStatus');
    expect(entries.map((e) => [e.outcome, e.target_id])).toEqual([['GRAPHQL_VALIDATION_FAILED', 'a\uFFFDb']]);
    expect(entries[0].detail.cut).toEqual({ targetId: { sm3: sm3('a\u0000b'), length: 3 } });
  });

  it('the repository itself never loses an entry, whatever its texts and detail hold', async () => {
    const since = await lastId();
    const subject = 'officer\u0000x';
    await appendAudit(
      t.db.manager,
      { subject, role: 'PROVINCE_AUTHORITY', regions: ['130000'] },
      {
        action: 'probe',
        targetType: 'thing',
        targetId: 't'.repeat(2000),
        outcome: 'BAD_USER_INPUT',
        detail: { name: 'a\u0000', nested: { list: ['\u0001', 1, true, null] }, big: 'b'.repeat(1 << 20) },
      },
    );
    const [e] = await t.db.manager.query(`SELECT actor, target_id, detail FROM audit_log WHERE id > $1 AND action = 'probe'`, [since]);
    expect(e.actor).toBe('officer\uFFFDx');
    expect(e.target_id).toBe('t'.repeat(512));
    expect(e.detail.cut).toEqual({ actor: { sm3: sm3(subject), length: 9 }, targetId: { sm3: sm3('t'.repeat(2000)), length: 2000 } });
    expect(e.detail.name).toEqual({ cut: 'a\uFFFD', sm3: sm3('a\u0000'), length: 2 });
    expect(e.detail.nested.list[0]).toMatchObject({ cut: '\uFFFD' });
    expect(e.detail.big).toMatchObject({ sm3: sm3('b'.repeat(1 << 20)), length: 1 << 20 });
  });
});

describe('the hash chain', () => {
  it('many concurrent writers (requests, contexts, transactions): seq is gapless and the chain verifies', async () => {
    const before = await chainHead(t.db.manager);
    const deps = testDeps(t.db);
    const direct = Array.from({ length: 30 }, (_, i) =>
      appendAudit(
        testContext(deps, { subject: `w${i}`, role: 'PROVINCE_AUTHORITY', regions: ['130000'] }).db,
        { subject: `w${i}`, role: 'PROVINCE_AUTHORITY', regions: ['130000'] },
        {
          action: 'probe',
          outcome: 'OK',
          detail: { i, z: 1, a: { y: 2, b: [3] } },
        },
      ),
    );
    const viaHub = Array.from({ length: 15 }, (_, i) =>
      t.gql(`mutation($id: ID!) { setCreditRecordStatus(id: $id, status: REVOKED, reason: "r${i}") { id } }`, { id: MISSING }, admin),
    );
    // A verify walking the chain while it grows sees a consistent chain, not a head ahead of its walk.
    const live = verifyChain(t.db.manager, { batch: 3 });
    await Promise.all([...direct, ...viaHub]);
    expect(await live).toMatchObject({ ok: true });
    const seqs = (await t.db.manager.query(`SELECT seq::text AS seq FROM audit_log ORDER BY audit_log.seq`)).map((r: { seq: string }) => Number(r.seq));
    expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1));
    const r = await verifyChain(t.db.manager, { batch: 7 });
    expect(r).toMatchObject({ ok: true, count: seqs.length, head: await chainHead(t.db.manager) });
    expect(Number(r.head.seq)).toBeGreaterThanOrEqual(Number(before.seq) + 45);
  });

  it("the scheduler's daily tick logs the chain head, which verify then takes as an anchor", async () => {
    const info = jest.spyOn(logger, 'info');
    try {
      await scheduleService.tick(testContext(testDeps(t.db)), 8640 * 3); // a slot at the start of a day
      const logged = info.mock.calls.find((c) => c[1] === 'audit chain head')?.[0] as { anchor: string; auditChain: { seq: string; hash: string } };
      expect(logged.auditChain).toEqual(await chainHead(t.db.manager));
      const [seq, hash] = logged.anchor.split(':');
      expect((await verifyChain(t.db.manager, { anchor: { seq, hash } })).ok).toBe(true);
    } finally {
      info.mockRestore();
    }
  });
});

describe('tampering is found', () => {
  /** A database of its own, with `n` chained entries; `owner` runs SQL as the table's owner (it can lift the trigger). */
  async function chained(label: string, n: number) {
    const d = await testDatabase(label);
    for (let i = 0; i < n; i++)
      await appendAudit(
        d.db.manager,
        { subject: 'officer-1', role: 'PROVINCE_AUTHORITY', regions: ['130000'] },
        { action: 'probe', outcome: 'OK', detail: { i } },
      );
    const owner = async (sql: string) => {
      const c = new Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`SET search_path = ${d.schema}; ALTER TABLE audit_log DISABLE TRIGGER USER; ${sql}; ALTER TABLE audit_log ENABLE TRIGGER USER`);
      } finally {
        await c.end();
      }
    };
    return { ...d, owner };
  }

  it('a changed field, a removed entry, a forged link and a stale head row are each named with the check they fail', async () => {
    const d = await chained('auditchain_tamper', 6);
    try {
      expect(await verifyChain(d.db.manager)).toMatchObject({ ok: true, count: 6 });
      await d.owner(`UPDATE audit_chain_head SET seq = 5`);
      expect((await verifyChain(d.db.manager)).broken).toMatchObject({ seq: '5', id: null, check: 'head' });
      await d.owner(`UPDATE audit_chain_head SET seq = 7`);
      expect((await verifyChain(d.db.manager)).broken).toMatchObject({ seq: '7', check: 'head' });
      await d.owner(`UPDATE audit_chain_head SET seq = 6`);
      await d.owner(`UPDATE audit_log SET outcome = 'FORBIDDEN' WHERE seq = 3`);
      expect((await verifyChain(d.db.manager)).broken).toMatchObject({ seq: '3', check: 'hash' });
      await d.owner(`UPDATE audit_log SET outcome = 'OK' WHERE seq = 3; DELETE FROM audit_log WHERE seq = 4`);
      expect((await verifyChain(d.db.manager)).broken).toMatchObject({ seq: '5', check: 'seq' });
      await d.owner(`UPDATE audit_log SET seq = seq - 1 WHERE seq > 4`);
      const broken = (await verifyChain(d.db.manager)).broken;
      expect(broken).toMatchObject({ seq: '4', check: 'prev_hash' });
      expect(broken?.id).toMatch(/^\d+$/);
    } finally {
      await d.drop();
    }
  });

  it('a rewrite of the whole table, consistent in itself, is found against a logged anchor', async () => {
    const d = await chained('auditchain_rewrite', 4);
    try {
      const anchor = await chainHead(d.db.manager);
      // Rewrite: entry 2 changed and every hash after it recomputed, the head row too.
      const all: any[] = await d.db.manager.query(`SELECT ${STORED_COLUMNS} FROM audit_log ORDER BY seq`);
      let prev = GENESIS;
      const sets: string[] = [];
      for (const r of all) {
        const outcome = r.seq === '2' ? 'FORBIDDEN' : r.outcome;
        const hash = entryHash(prev, { ...storedFields(r), outcome });
        sets.push(`UPDATE audit_log SET outcome = '${outcome}', prev_hash = '${prev}', hash = '${hash}' WHERE id = ${r.id}`);
        prev = hash;
      }
      await d.owner(`${sets.join('; ')}; UPDATE audit_chain_head SET hash = '${prev}'`);
      expect(await verifyChain(d.db.manager)).toMatchObject({ ok: true, count: 4 });
      expect((await verifyChain(d.db.manager, { anchor })).broken).toMatchObject({ seq: '4', check: 'anchor' });
      expect((await verifyChain(d.db.manager, { anchor: { seq: '9', hash: anchor.hash } })).broken).toMatchObject({ seq: '9', check: 'anchor' });
    } finally {
      await d.drop();
    }
  });

  it('the migration chains the entries written before it, in id order', async () => {
    const d = await testDatabase('auditchain_migrate');
    try {
      // Back to before the chain's migration, whatever migrations came after it.
      const chained = async () =>
        (
          await d.db.manager.query(
            `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'audit_log' AND column_name = 'seq'`,
          )
        ).length > 0;
      while (await chained()) await d.db.dataSource.undoLastMigration({ transaction: 'each' });
      await d.db.manager.query(
        `INSERT INTO audit_log (actor, actor_role, action, outcome, detail) VALUES ('a', 'ADMIN', 'old1', 'OK', '{"z": 1, "a": {"c": [1, "x"], "b": null}}'), ('b', 'PUBLIC', 'old2', 'FORBIDDEN', '{}')`,
      );
      // Ids 3..12: in text order "10" would come before "3".
      for (let i = 3; i <= 12; i++)
        await d.db.manager.query(`INSERT INTO audit_log (actor, actor_role, action, outcome) VALUES ('a', 'ADMIN', $1, 'OK')`, [`old${i}`]);
      await d.db.migrate();
      expect(await verifyChain(d.db.manager)).toMatchObject({ ok: true, count: 12, head: { seq: '12' } });
      await appendAudit(d.db.manager, { subject: 'c', role: 'PROVINCE_AUTHORITY', regions: ['130000'] }, { action: 'new', outcome: 'OK' });
      const r = await verifyChain(d.db.manager);
      expect(r).toMatchObject({ ok: true, count: 13 });
      expect((await d.db.manager.query(`SELECT action FROM audit_log ORDER BY seq`)).map((x: { action: string }) => x.action)).toEqual([
        ...Array.from({ length: 12 }, (_, i) => `old${i + 1}`),
        'new',
      ]);
    } finally {
      await d.drop();
    }
  });
});

describe('on the embedded database (PGlite)', () => {
  it('concurrent appends through contexts are chained in turn; hub audit verify walks them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditchain-'));
    try {
      const env = { ...process.env, NODE_ENV: 'test', DATABASE_URL: '', HUB_DATA_DIR: dir, N: '12', HUB_JWT_SECRET: 'cli-test-secret-cli-test-secret-0123456' };
      const out = execFileSync('node', [path.resolve(__dirname, '../../dist/test/support/audit-chain-embedded.js')], { env, encoding: 'utf8' });
      expect(JSON.parse(out.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, count: 12, head: { seq: '12' } });
      const cli = execFileSync('node', [path.resolve(__dirname, '../../dist/src/cli/hub.js'), 'audit', 'verify'], { env, encoding: 'utf8' });
      expect(cli).toMatch(/audit chain ok: 12 entries, head 12:[0-9a-f]{64}/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hub audit verify', () => {
  const cli = path.resolve(__dirname, '../../dist/src/cli/hub.js');
  it('prints the count and head (exit 0), checks an anchor, and names the first broken entry (exit 1)', async () => {
    const d = await testDatabase('auditchain_cli');
    try {
      for (let i = 0; i < 3; i++)
        await appendAudit(d.db.manager, { subject: 'officer-1', role: 'PROVINCE_AUTHORITY', regions: ['130000'] }, { action: 'probe', outcome: 'OK' });
      const head = await chainHead(d.db.manager);
      const url = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${d.schema}`)}`;
      const env = { ...process.env, NODE_ENV: 'test', DATABASE_URL: url, HUB_JWT_SECRET: 'cli-test-secret-cli-test-secret-0123456' };
      const ok = execFileSync('node', [cli, 'audit', 'verify', '--anchor', `${head.seq}:${head.hash}`], { env, encoding: 'utf8' });
      expect(ok).toContain(`audit chain ok: 3 entries, head 3:${head.hash}, anchor 3 holds`);
      const c = new Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`SET search_path = ${d.schema}; ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2`);
      await c.end();
      const bad = spawnSync('node', [cli, 'audit', 'verify'], { env, encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/audit chain broken at seq 2 \(id \d+\): hash:/);
      const badAnchor = spawnSync('node', [cli, 'audit', 'verify', '--anchor', 'nonsense'], { env, encoding: 'utf8' });
      expect(badAnchor.status).toBe(2);
    } finally {
      await d.drop();
    }
  });
});
