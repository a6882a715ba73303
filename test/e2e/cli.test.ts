import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { verifyToken } from '../../src/platform/auth/principal';
import { testDatabase } from '../support/hub';
import { schemaUrl } from '../support/processes';

/** `npm run hub -- token …` (the compiled CLI; `npm test` builds first). */
const cli = path.resolve(__dirname, '../../dist/src/cli/hub.js');
const secret = 'cli-test-secret-cli-test-secret-0123456';
let env: NodeJS.ProcessEnv = { ...process.env, HUB_JWT_SECRET: secret, NODE_ENV: 'test' };
let tokenDb: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  // Issuing a token appends to the audit trail of the configured database: one of the suite's own.
  tokenDb = await testDatabase('clitoken');
  env = { ...env, DATABASE_URL: schemaUrl(tokenDb.schema) };
});
afterAll(() => tokenDb?.drop());

describe('hub token', () => {
  it('prints a token for the role and jurisdiction as the last line', () => {
    const out = execFileSync('node', [cli, 'token', '--role', 'CITY_AUTHORITY', '--region', '130800'], { env, encoding: 'utf8' });
    const token = out.trim().split('\n').at(-1)!;
    expect(verifyToken(token, secret)).toEqual(expect.objectContaining({ role: 'CITY_AUTHORITY', regions: ['130800'] }));
  });

  it('is short-lived with a jti, and its issuance is on the audit trail without the token', async () => {
    const token = execFileSync('node', [cli, 'token', '--role', 'SYSTEM_ADMIN', '--subject', 'officer:cli'], { env, encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1)!;
    const p = verifyToken(token, secret);
    expect(p.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.expiresAt! - p.issuedAt!).toBe(8 * 3600_000);
    const entries = await tokenDb.db.manager.query(`SELECT actor, action, target_id, detail FROM audit_log WHERE action = 'issueToken' AND target_id = $1`, [
      p.tokenId,
    ]);
    expect(entries).toEqual([
      {
        actor: 'cli:hub-token',
        action: 'issueToken',
        target_id: p.tokenId,
        detail: { role: 'SYSTEM_ADMIN', subject: 'officer:cli', jti: p.tokenId, expiresAt: new Date(p.expiresAt!).toISOString(), algorithm: 'HS256' },
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain(token.split('.')[2]);
  });

  it('refuses a lifetime over 24 hours unless --allow-long', () => {
    const r = spawnSync('node', [cli, 'token', '--role', 'SYSTEM_ADMIN', '--expires-in', '30d'], { env, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/at most 24 hours/);
    const long = execFileSync('node', [cli, 'token', '--role', 'SYSTEM_ADMIN', '--expires-in', '30d', '--allow-long'], { env, encoding: 'utf8' });
    const p = verifyToken(long.trim().split('\n').at(-1)!, secret);
    expect(p.expiresAt! - p.issuedAt!).toBe(30 * 86400_000);
  });

  it('an ENTERPRISE token carries its credit code', () => {
    const out = execFileSync('node', [cli, 'token', '--role', 'ENTERPRISE', '--credit-code', '911308000000000000'], { env, encoding: 'utf8' });
    expect(verifyToken(out.trim().split('\n').at(-1)!, secret).creditCode).toBe('911308000000000000');
  });

  it('refuses an authority token without a jurisdiction, and an unknown role', () => {
    const r = spawnSync('node', [cli, 'token', '--role', 'COUNTY_AUTHORITY'], { env, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/needs --region/);
    const bad = spawnSync('node', [cli, 'token', '--role', 'KING'], { env, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/Allowed choices/);
  });

  it('mints no retired ADMIN and no internal SYSTEM token; a provincial authority needs a province', () => {
    for (const role of ['ADMIN', 'SYSTEM']) {
      const r = spawnSync('node', [cli, 'token', '--role', role], { env, encoding: 'utf8' });
      expect({ role, status: r.status === 0, allowed: /Allowed choices/.test(r.stderr) }).toEqual({ role, status: false, allowed: true });
    }
    expect(spawnSync('node', [cli, 'token', '--role', 'PROVINCE_AUTHORITY'], { env, encoding: 'utf8' }).stderr).toMatch(/needs --region/);
    const city = spawnSync('node', [cli, 'token', '--role', 'PROVINCE_AUTHORITY', '--region', '130800'], { env, encoding: 'utf8' });
    expect(city.stderr).toMatch(/province/);
    const out = execFileSync('node', [cli, 'token', '--role', 'PROVINCE_AUTHORITY', '--region', '130000'], { env, encoding: 'utf8' });
    expect(verifyToken(out.trim().split('\n').at(-1)!, secret)).toEqual(expect.objectContaining({ role: 'PROVINCE_AUTHORITY', regions: ['130000'] }));
  });

  it('reports each bad configuration value and exits 2', () => {
    const r = spawnSync('node', [cli, 'token', '--role', 'SYSTEM_ADMIN'], {
      env: { ...env, PORT: 'eighty', NODE_ENV: 'production', HUB_JWT_SECRET: '' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/PORT: must be a port number/);
  });
});

describe('hub watch', () => {
  it('prints each rating change of a running hub as a JSON line', async () => {
    const { startTestHub } = await import('../support/hub');
    const { withCheckChar } = await import('../../src/modules/enterprise/credit-code.rules');
    const t = await startTestHub('watch');
    const { eventually } = await import('../support/eventually');
    const { openSubscriptions } = await import('../support/ws');
    const open = await openSubscriptions(t.url);
    const { spawn } = await import('node:child_process');
    const child = spawn('node', [cli, 'watch', '--url', t.url, '--token', t.token('PARTNER_AGENCY', { agency: '工信局' })], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      const c = withCheckChar('91130821MW0000001');
      const admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'] });
      await t.gql(`mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: "130821" }) { id } }`, { c }, admin);
      // The hub (this process) counts the watcher's subscription once it listens.
      await eventually(async () => expect(await openSubscriptions(t.url)).toBeGreaterThan(open), { timeoutMs: 15_000 });
      await t.gql(`mutation($c: String!) { evaluateEnterprise(creditCode: $c) { grade } }`, { c }, admin);
      await eventually(() => expect(out).toContain('\n'));
      expect(JSON.parse(out.split('\n')[0])).toMatchObject({ grade: 'B', previousGrade: null, sequence: 1, enterprise: { creditCode: c } });
    } finally {
      child.kill();
      await t.stop();
    }
  });
});
