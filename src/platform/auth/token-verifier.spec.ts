import jwt from 'jsonwebtoken';
import { Principal, TokenRejected, principalFromClaims, signToken } from './principal';
import { HubTokenVerifier } from './token-verifier';

const secret = 'v'.repeat(32);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const reasonOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: unknown) => (e instanceof TokenRejected ? e.reason : `thrown: ${String(e)}`),
  );

describe('HubTokenVerifier', () => {
  const dev = new HubTokenVerifier({ devSecret: secret, devTokens: true });
  it('accepts a development token with its jti, iat and exp', async () => {
    const p = await dev.verify(signToken({ role: 'COUNTY_AUTHORITY', regions: ['130821'] }, secret));
    expect(p).toEqual(expect.objectContaining({ role: 'COUNTY_AUTHORITY', regions: ['130821'], tokenId: expect.any(String) }));
    expect(p.expiresAt! - p.issuedAt!).toBe(8 * 3600_000);
  });
  it('refuses alg none, other HS algorithms, garbage, and asymmetric tokens when no provider is configured', async () => {
    const claims = { sub: 'x', role: 'SYSTEM_ADMIN', exp: Math.floor(Date.now() / 1000) + 60 };
    expect(await reasonOf(dev.verify(`${b64({ alg: 'none' })}.${b64(claims)}.`))).toBe('ALG_NOT_ALLOWED');
    expect(await reasonOf(dev.verify(jwt.sign(claims, secret, { algorithm: 'HS512' })))).toBe('ALG_NOT_ALLOWED');
    expect(await reasonOf(dev.verify('not-a-token'))).toBe('MALFORMED_TOKEN');
    expect(await reasonOf(dev.verify(`${b64({ alg: 'RS256' })}.${b64(claims)}.c2ln`))).toBe('ALG_NOT_ALLOWED');
  });
  it('refuses development tokens when they are off (production), and revoked ones', async () => {
    const prod = new HubTokenVerifier({ devSecret: secret, devTokens: false });
    expect(await reasonOf(prod.verify(signToken({ role: 'SYSTEM_ADMIN' }, secret)))).toBe('DEV_TOKEN_REFUSED');
    const token = signToken({ role: 'SYSTEM_ADMIN', subject: 'admin:x' }, secret);
    const revoking = new HubTokenVerifier({ devSecret: secret, devTokens: true, revocations: { isRevoked: (p: Principal) => p.subject === 'admin:x' } });
    expect(await reasonOf(revoking.verify(token))).toBe('REVOKED');
  });
});

describe('principalFromClaims', () => {
  it.each([
    [{ sub: 's', role: 'COUNTY_AUTHORITY', regions: ['000000'] }],
    [{ sub: 's', role: 'COUNTY_AUTHORITY', regions: ['%'] }],
    [{ sub: 's', role: 'CITY_AUTHORITY', regions: [''] }],
    [{ sub: 's', role: 'ENTERPRISE', creditCode: '91130821MA00000O1X' }],
    [{ sub: 's', role: 'ENTERPRISE' }],
    [{ sub: 's', role: 'PARTNER_AGENCY' }],
    [{ sub: '', role: 'SYSTEM_ADMIN' }],
  ])('refuses %j as BAD_CLAIMS', (c) => {
    expect(() => principalFromClaims(c)).toThrow(
      expect.objectContaining({ reason: 'BAD_CLAIMS', extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    );
  });
});
