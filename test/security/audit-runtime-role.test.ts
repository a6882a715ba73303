import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { createHub } from '../../src/app';
import { chainHead, verifyChain } from '../../src/modules/audit/audit.chain';
import { appendAudit } from '../../src/modules/audit/audit.repository';
import { signToken } from '../../src/platform/auth/principal';
import { loadConfig } from '../../src/platform/config';
import { Database } from '../../src/platform/db';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { openJobs } from '../../src/workers';
import { TEST_DATABASE_URL, TEST_SECRET, testDatabase } from '../support/hub';
import { testPolicies } from '../support/policy-time';
import { Ledger } from './ledger';

/**
 * The hub served by a runtime database role (issue 11 item 4): it appends to the audit log and reads it, and fails every
 * attempt to alter history; migrations run as the owner. The role is created for this run and dropped after.
 */
const role = `hub_rt_${process.pid}_${Date.now().toString(36)}`;
const ledger = new Ledger('audit tamper attempts by the runtime role');
let d: Awaited<ReturnType<typeof testDatabase>>;
const withSchema = (url: string, schema: string) => {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
};
let ownerUrl: string;
let runtimeUrl: string;
let runtime: Client;

async function asOwner(sql: string): Promise<void> {
  const c = new Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  d = await testDatabase('runtime_role');
  await asOwner(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
  ownerUrl = withSchema(TEST_DATABASE_URL, d.schema);
  const u = new URL(ownerUrl);
  u.username = role;
  runtimeUrl = u.toString();
  // `npm run hub -- db grant-runtime <role> --apply`, as the owner.
  const out = execFileSync('node', [path.resolve(__dirname, '../../dist/src/cli/hub.js'), 'db', 'grant-runtime', role, '--apply'], {
    env: { ...process.env, NODE_ENV: 'test', HUB_JWT_SECRET: TEST_SECRET, DATABASE_URL: runtimeUrl, HUB_MIGRATION_DATABASE_URL: ownerUrl },
    encoding: 'utf8',
  });
  expect(out).toContain(`granted ${role} the runtime rights on schema ${d.schema}`);
  await appendAudit(d.db.manager, { subject: 'officer-1', role: 'PROVINCE_AUTHORITY', regions: ['130000'] }, { action: 'probe', outcome: 'OK' });
  runtime = new Client({ connectionString: runtimeUrl });
  await runtime.connect();
});

afterAll(async () => {
  await runtime?.end();
  ledger.print();
  await d?.drop();
  await asOwner(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`);
});

describe('the runtime role cannot alter history', () => {
  it('is not the owner of audit_log and connects as itself', async () => {
    const r = await runtime.query(
      `SELECT current_user AS me, (SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log' AND schemaname = current_schema()) AS owner`,
    );
    expect(r.rows[0].me).toBe(role);
    expect(r.rows[0].owner).not.toBe(role);
  });

  it.each([
    ['UPDATE', `UPDATE audit_log SET outcome = 'X'`],
    ['DELETE', `DELETE FROM audit_log`],
    ['TRUNCATE', `TRUNCATE audit_log`],
    ['ALTER TABLE … DISABLE TRIGGER', `ALTER TABLE audit_log DISABLE TRIGGER USER`],
    ['ALTER TABLE … DISABLE TRIGGER (one)', `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`],
    ['DROP TABLE', `DROP TABLE audit_log`],
    ['SET session_replication_role = replica', `SET session_replication_role = replica`],
    ['DROP TRIGGER', `DROP TRIGGER audit_log_no_update_delete ON audit_log`],
    ['ALTER TABLE … OWNER', `ALTER TABLE audit_log OWNER TO ${role}`],
    ['INSERT into the chain head', `INSERT INTO audit_chain_head (id, seq, hash) VALUES (2, 0, 'x')`],
    ['DELETE from the migrations', `DELETE FROM hub_migrations`],
    ['CREATE TABLE in the schema', `CREATE TABLE shadow_audit (id int)`],
  ])('%s fails', async (name, sql) => {
    const observed = await runtime.query(sql).then(
      () => 'went through',
      (e: Error) => (/permission denied|must be owner/.test(e.message) ? 'permission denied' : e.message),
    );
    ledger.record(`${name} on the audit trail`, 'permission denied', observed);
    expect(observed).toBe('permission denied');
  });

  it('the history is unchanged, and the runtime role can still read it and write business tables', async () => {
    const r = await runtime.query(`SELECT outcome FROM audit_log WHERE action = 'probe'`);
    expect(r.rows).toEqual([{ outcome: 'OK' }]);
    expect(await verifyChain(d.db.manager)).toMatchObject({ ok: true, count: 1 });
    await runtime.query(`UPDATE enterprise SET name = name WHERE false`);
  });
});

describe('a hub running as the runtime role', () => {
  it('migrates as the owner, and an audited mutation appends its chained entry', async () => {
    const db = await Database.connect({ url: runtimeUrl, migrationUrl: ownerUrl, schema: d.schema, poolSize: 3 });
    const config = loadConfig({
      NODE_ENV: 'test',
      HUB_JWT_SECRET: TEST_SECRET,
      DATABASE_URL: runtimeUrl,
      HUB_MIGRATION_DATABASE_URL: ownerUrl,
      PORT: '0',
      REDIS_URL: '',
    });
    const queuePrefix = `hubtest-runtime-${process.pid}`;
    const policies = testPolicies();
    const jobs = await openJobs({ queuePrefix, db, policies, notify: config.notify });
    try {
      await db.migrate(); // nothing pending; the owner re-grants the runtime role
      await jobs.startWorkers({ scheduler: false, relay: false });
      const hub = await createHub(config, db, policies, jobs);
      const url = await hub.listen(0);
      hub.markReady();
      try {
        const before = await chainHead(db.manager);
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${signToken({ role: 'PROVINCE_AUTHORITY', regions: ['130000'] }, TEST_SECRET)}`,
          },
          body: JSON.stringify({
            query: `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: "130821" }) { id } }`,
            variables: { c: withCheckChar('91130821MR0000001') },
          }),
        });
        const body = (await res.json()) as { errors?: unknown[] };
        expect(body.errors).toBeUndefined();
        const [entry] = await db.manager.query(`SELECT seq::text AS seq, outcome FROM audit_log WHERE action = 'registerEnterprise'`);
        expect(entry).toEqual({ seq: (BigInt(before.seq) + 1n).toString(), outcome: 'OK' });
        expect(await verifyChain(db.manager)).toMatchObject({ ok: true });
      } finally {
        await hub.stop();
      }
    } finally {
      await jobs.stop();
      await db.close();
    }
  });
});
