import { SignJWT, decodeJwt, importJWK } from 'jose';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TestHub, codeOf, startTestHub } from '../support/hub';
import { OpClient, TestOp, startTestOp, writeSigningKey } from '../support/oidc';
import { subscribe } from '../support/ws';

/**
 * Sign-in with a real OpenID provider (oidc-provider, run as its own process): its JWT access tokens are verified by
 * discovery and JWKS, their claims mapped (here from hub_role / jurisdiction) and validated; every bad token is refused
 * UNAUTHENTICATED with its reason over HTTP and WebSocket (issue 11 item 1).
 */
const AUDIENCE = 'water-credit-hub';
const CLIENTS: OpClient[] = [
  { id: 'county', claims: { hub_role: 'COUNTY_AUTHORITY', jurisdiction: '130821' } },
  { id: 'other-service', audience: 'another-service', claims: { hub_role: 'SYSTEM_ADMIN' } },
  { id: 'short', ttl: 1, claims: { hub_role: 'COUNTY_AUTHORITY', jurisdiction: '130821' } },
  { id: 'wildcard', claims: { hub_role: 'COUNTY_AUTHORITY', jurisdiction: '%' } },
];
const OIDC_ENV = (op: TestOp) => ({
  HUB_OIDC_ISSUER: op.issuer,
  HUB_OIDC_AUDIENCE: AUDIENCE,
  HUB_OIDC_ROLE_CLAIM: 'hub_role',
  HUB_OIDC_REGIONS_CLAIM: 'jurisdiction',
  HUB_OIDC_CLOCK_SKEW_S: '1',
  HUB_OIDC_JWKS_COOLDOWN_MS: '0',
});
const LIST = `{ enterprises(first: 10) { edges { node { creditCode } } } }`;
const SUB = `subscription { ratingChanged { eventId } }`;
const A = withCheckChar('91130821MD0000001');
const B = withCheckChar('91130822MD0000002');

let op: TestOp;
let t: TestHub;
beforeAll(async () => {
  op = await startTestOp({ audience: AUDIENCE, clients: CLIENTS });
  t = await startTestHub('oidc', { env: OIDC_ENV(op) });
  for (const [c, region] of [
    [A, '130821'],
    [B, '130822'],
  ])
    expect(
      (
        await t.gql(
          `mutation($c: String!, $r: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: $r }) { id } }`,
          { c, r: region },
          t.token('PROVINCE_AUTHORITY', { regions: ['130000'] }),
        )
      ).errors,
    ).toBeUndefined();
});
afterAll(async () => {
  await t?.stop();
  await op?.stop();
});

const refusal = (r: { status: number; errors?: any[] }) => [r.status, codeOf(r), r.errors?.[0]?.extensions?.reason];
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const opKey = async () => importJWK(JSON.parse(fs.readFileSync(op.keyFile, 'utf8')), 'RS256');
const kidOf = () => (JSON.parse(fs.readFileSync(op.keyFile, 'utf8')) as { kid: string }).kid;

describe('a token of the OpenID provider', () => {
  it('is accepted with the mapped role and jurisdiction', async () => {
    const r = await t.gql(LIST, {}, await op.token('county'));
    expect(r.errors).toBeUndefined();
    expect(r.data.enterprises.edges.map((e: { node: { creditCode: string } }) => e.node.creditCode)).toEqual([A]);
  });

  it('opens a WebSocket too', async () => {
    const s = subscribe(t.url, SUB, {}, await op.token('county'));
    await s.listening();
    await s.dispose();
  });
});

describe('bad tokens are refused UNAUTHENTICATED with the reason, over HTTP and WebSocket', () => {
  const cases: [string, () => Promise<string>, string][] = [
    ['another audience', () => op.token('other-service'), 'WRONG_AUDIENCE'],
    ['a wildcard jurisdiction', () => op.token('wildcard'), 'BAD_CLAIMS'],
    [
      'a tampered payload',
      async () => {
        const [h, p, sig] = (await op.token('county')).split('.');
        const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
        return [h, b64({ ...claims, hub_role: 'SYSTEM_ADMIN' }), sig].join('.');
      },
      'BAD_SIGNATURE',
    ],
    [
      'alg none',
      async () => {
        const [, p] = (await op.token('county')).split('.');
        return `${b64({ alg: 'none', typ: 'at+jwt' })}.${p}.`;
      },
      'ALG_NOT_ALLOWED',
    ],
    [
      'not yet valid (nbf in two minutes)',
      async () =>
        new SignJWT({ hub_role: 'COUNTY_AUTHORITY', jurisdiction: '130821' })
          .setProtectedHeader({ alg: 'RS256', kid: kidOf() })
          .setIssuer(op.issuer)
          .setAudience(AUDIENCE)
          .setSubject('county')
          .setNotBefore(Math.floor(Date.now() / 1000) + 120)
          .setExpirationTime('10m')
          .sign(await opKey()),
      'NOT_YET_VALID',
    ],
  ];
  it.each(cases)('%s', async (_, mint, reason) => {
    const token = await mint();
    expect(refusal(await t.gql(LIST, {}, token))).toEqual([401, 'UNAUTHENTICATED', reason]);
    const s = subscribe(t.url, SUB, {}, token);
    const closed = await s.closed;
    await s.client.dispose();
    expect(closed.code).toBe(4401);
  });

  it('an expired one', async () => {
    const token = await op.token('short');
    await new Promise((r) => setTimeout(r, 3000)); // 1 s lifetime, 1 s skew
    expect(refusal(await t.gql(LIST, {}, token))).toEqual([401, 'UNAUTHENTICATED', 'EXPIRED']);
  });

  it('a token of another provider (same key, another issuer)', async () => {
    const other = await startTestOp({ audience: AUDIENCE, clients: CLIENTS, keyFile: op.keyFile });
    try {
      expect(refusal(await t.gql(LIST, {}, await other.token('county')))).toEqual([401, 'UNAUTHENTICATED', 'WRONG_ISSUER']);
    } finally {
      await other.stop();
    }
  });

  it('each refusal is on record with its reason, never the token', async () => {
    const token = await op.token('other-service');
    const [{ max }] = await t.db.manager.query(`SELECT coalesce(max(id), 0)::bigint AS max FROM audit_log`);
    await t.gql(LIST, {}, token);
    const entries = await t.db.manager.query(`SELECT * FROM audit_log WHERE id > $1 AND action = 'signIn'`, [max]);
    expect(entries.map((e: any) => [e.outcome, e.detail.reason, e.detail.transport])).toEqual([['UNAUTHENTICATED', 'WRONG_AUDIENCE', 'http']]);
    expect(JSON.stringify(entries)).not.toContain(token.split('.')[1]);
  });
});

describe('the provider rotates its key', () => {
  it('a token signed with the new key is accepted without restarting the hub', async () => {
    const before = kidOf();
    await op.restart({ newKey: true });
    expect(kidOf()).not.toBe(before);
    const r = await t.gql(LIST, {}, await op.token('county'));
    expect(r.errors).toBeUndefined();
    expect(r.data.enterprises.edges).toHaveLength(1);
  });
});

describe('a revoked token of the provider', () => {
  it('is refused (401 REVOKED) and its open socket closes with 4403', async () => {
    const token = await op.token('county');
    const s = subscribe(t.url, SUB, {}, token);
    await s.listening();
    const jti = decodeJwt(token).jti!;
    const r = await t.gql(`mutation($j: String!) { revokeToken(jti: $j, reason: COMPROMISED) { jti } }`, { j: jti }, t.token('SECURITY_ADMIN'));
    expect(r.errors).toBeUndefined();
    expect(refusal(await t.gql(LIST, {}, token))).toEqual([401, 'UNAUTHENTICATED', 'REVOKED']);
    expect((await s.closed).code).toBe(4403);
    await s.client.dispose();
    expect((await t.gql(LIST, {}, await op.token('county'))).errors).toBeUndefined();
  });
});

describe('in production', () => {
  it('an HS256 development token is refused (DEV_TOKEN_REFUSED) while the provider’s tokens work', async () => {
    const prod = await startTestHub('oidcprod', { env: { ...OIDC_ENV(op), NODE_ENV: 'production', HUB_METRICS_PORT: '0' } });
    try {
      const dev = prod.token('PROVINCE_AUTHORITY', { regions: ['130000'] });
      expect(refusal(await prod.gql(LIST, {}, dev))).toEqual([401, 'UNAUTHENTICATED', 'DEV_TOKEN_REFUSED']);
      const s = subscribe(prod.url, SUB, {}, dev);
      const closed = await s.closed;
      await s.client.dispose();
      expect([closed.code, closed.reason]).toEqual([4401, expect.stringMatching(/production/)]);
      expect((await prod.gql(LIST, {}, await op.token('county'))).errors).toBeUndefined();
    } finally {
      await prod.stop();
    }
  });

  it('development tokens work there only with HUB_ALLOW_DEV_TOKENS=true', async () => {
    const prod = await startTestHub('oidcdev', { env: { ...OIDC_ENV(op), NODE_ENV: 'production', HUB_ALLOW_DEV_TOKENS: 'true', HUB_METRICS_PORT: '0' } });
    try {
      expect((await prod.gql(LIST, {}, prod.token('PROVINCE_AUTHORITY', { regions: ['130000'] }))).errors).toBeUndefined();
    } finally {
      await prod.stop();
    }
  });
});

describe('a provider that does not answer', () => {
  it('the hub starts, and its tokens are refused PROVIDER_UNAVAILABLE (not a 500)', async () => {
    const down = await startTestHub('oidcdown', { env: { ...OIDC_ENV(op), HUB_OIDC_ISSUER: 'http://127.0.0.1:9/' } });
    try {
      const r = await down.gql(LIST, {}, await op.token('county'));
      expect(refusal(r)).toEqual([401, 'UNAUTHENTICATED', 'PROVIDER_UNAVAILABLE']);
      expect(r.errors![0].message).toMatch(/openid-configuration/);
    } finally {
      await down.stop();
    }
  });
});

describe('the provider goes down after discovery', () => {
  it('a token with a key id the hub has not seen is refused PROVIDER_UNAVAILABLE (the keys cannot be fetched), not a 500', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-op-key-'));
    const jwk = JSON.parse(fs.readFileSync(await writeSigningKey(dir), 'utf8'));
    await op.stop();
    const token = await new SignJWT({ hub_role: 'COUNTY_AUTHORITY', jurisdiction: '130821' })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
      .setIssuer(op.issuer)
      .setAudience(AUDIENCE)
      .setSubject('county')
      .setExpirationTime('10m')
      .sign(await importJWK(jwk, 'RS256'));
    fs.rmSync(dir, { recursive: true, force: true });
    expect(refusal(await t.gql(LIST, {}, token))).toEqual([401, 'UNAUTHENTICATED', 'PROVIDER_UNAVAILABLE']);
  });
});
