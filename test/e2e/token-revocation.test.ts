import { verifyToken } from '../../src/platform/auth/principal';
import { TEST_SECRET, TestHub, codeOf, startTestHub } from '../support/hub';
import { subscribe } from '../support/ws';

/** Revoked tokens (issue 11 item 1): by jti or by subject, refused at once, their sockets closed, the revocation audited. */
let t: TestHub;
let security: string;
const LIST = `{ enterprises(first: 1) { totalCount } }`;
const SUB = `subscription { ratingChanged { eventId } }`;
const REVOKE = `mutation($j: String!, $r: RevocationReason!) { revokeToken(jti: $j, reason: $r) { id jti reason revokedBy until } }`;
const REVOKE_OF = `mutation($s: String!, $r: RevocationReason!) { revokeTokensOf(subject: $s, reason: $r) { id subject } }`;
const jtiOf = (token: string) => verifyToken(token, TEST_SECRET).tokenId!;

beforeAll(async () => {
  // A long refresh interval: what reaches the hub below comes through this process's own reload or NOTIFY.
  t = await startTestHub('revoke', { env: { HUB_REVOCATION_REFRESH_MS: '60000' } });
  security = t.token('SECURITY_ADMIN', { subject: 'secadmin:1' });
});
afterAll(() => t?.stop());

describe('revokeToken', () => {
  it('refuses the token at once (401 REVOKED), closes its open socket with 4403, and leaves other tokens alone', async () => {
    const victim = t.token('CITY_AUTHORITY', { regions: ['130800'], subject: 'officer:7' });
    const sibling = t.token('CITY_AUTHORITY', { regions: ['130800'], subject: 'officer:7' });
    expect((await t.gql(LIST, {}, victim)).errors).toBeUndefined();
    const s = subscribe(t.url, SUB, {}, victim);
    await s.listening();
    const r = await t.gql(REVOKE, { j: jtiOf(victim), r: 'COMPROMISED' }, security);
    expect(r.errors).toBeUndefined();
    expect(r.data.revokeToken).toEqual(expect.objectContaining({ jti: jtiOf(victim), reason: 'COMPROMISED', revokedBy: 'secadmin:1' }));
    const refused = await t.gql(LIST, {}, victim);
    expect([refused.status, codeOf(refused), refused.errors?.[0]?.extensions?.reason]).toEqual([401, 'UNAUTHENTICATED', 'REVOKED']);
    expect(await s.closed).toEqual({ code: 4403, reason: expect.stringMatching(/revoked/) });
    await s.client.dispose();
    expect((await t.gql(LIST, {}, sibling)).errors).toBeUndefined();
    const [entry] = await t.db.manager.query(
      `SELECT actor, actor_role, outcome, target_id, detail FROM audit_log WHERE action = 'revokeToken' ORDER BY id DESC LIMIT 1`,
    );
    expect(entry).toEqual(
      expect.objectContaining({
        actor: 'secadmin:1',
        actor_role: 'SECURITY_ADMIN',
        outcome: 'OK',
        target_id: jtiOf(victim),
        detail: expect.objectContaining({ reason: 'COMPROMISED' }),
      }),
    );
  });

  it('only a security administrator may revoke (others FORBIDDEN, on record)', async () => {
    const victim = t.token('PROVINCE_AUTHORITY', { regions: ['130000'] });
    for (const role of ['SYSTEM_ADMIN', 'AUDIT_ADMIN', 'CITY_AUTHORITY'] as const) {
      const r = await t.gql(REVOKE, { j: jtiOf(victim), r: 'OTHER' }, t.token(role, role === 'CITY_AUTHORITY' ? { regions: ['130800'] } : {}));
      expect(codeOf(r)).toBe('FORBIDDEN');
    }
    expect((await t.gql(LIST, {}, victim)).errors).toBeUndefined();
    const refused = await t.db.manager.query(`SELECT outcome FROM audit_log WHERE action = 'revokeToken' AND target_id = $1`, [jtiOf(victim)]);
    expect(refused.map((e: { outcome: string }) => e.outcome)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
  });

  it('a blank or oversized jti is BAD_USER_INPUT', async () => {
    for (const j of ['  ', 'x'.repeat(201)]) expect(codeOf(await t.gql(REVOKE, { j, r: 'OTHER' }, security))).toBe('BAD_USER_INPUT');
  });
});

describe('revokeTokensOf', () => {
  it('refuses every token of the subject issued so far; a token issued afterwards works', async () => {
    const a = t.token('PARTNER_AGENCY', { agency: '工信局', subject: 'agency:gxj' });
    const b = t.token('PARTNER_AGENCY', { agency: '工信局', subject: 'agency:gxj' });
    const s = subscribe(t.url, SUB, {}, b);
    await s.listening();
    expect((await t.gql(REVOKE_OF, { s: 'agency:gxj', r: 'LEFT_POST' }, security)).errors).toBeUndefined();
    for (const token of [a, b]) expect(codeOf(await t.gql(LIST, {}, token))).toBe('UNAUTHENTICATED');
    expect((await s.closed).code).toBe(4403);
    await s.client.dispose();
    await new Promise((r) => setTimeout(r, 1100)); // iat has a resolution of one second
    expect((await t.gql(LIST, {}, t.token('PARTNER_AGENCY', { agency: '工信局', subject: 'agency:gxj' }))).errors).toBeUndefined();
  });
});

describe('another hub process revokes', () => {
  it('its NOTIFY reaches this process long before the periodic reload', async () => {
    const victim = t.token('PROVINCE_AUTHORITY', { regions: ['130000'], subject: 'province:elsewhere' });
    expect((await t.gql(LIST, {}, victim)).errors).toBeUndefined();
    // What another process's revokeToken writes, straight into the shared database.
    await t.db.manager.query(`INSERT INTO token_revocation (jti, reason, revoked_by, until) VALUES ($1, 'OTHER', 'elsewhere', now() + interval '1 day')`, [
      jtiOf(victim),
    ]);
    await t.db.manager.query(`SELECT pg_notify('hub_token_revocation', '')`);
    const started = Date.now();
    while (codeOf(await t.gql(LIST, {}, victim)) !== 'UNAUTHENTICATED') {
      if (Date.now() - started > 5000) throw new Error('the revocation did not arrive within 5 s (refresh interval 60 s)');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
