import jwt from 'jsonwebtoken';
import { TEST_SECRET, TestHub, startTestHub } from '../support/hub';
import { subscribe } from '../support/ws';
import { Ledger } from './ledger';

/**
 * Issue 11 item 8, security tier: forged, expired, widened, retired and revoked bearer tokens, over HTTP (a query and a
 * mutation) and over WebSocket. Each is refused: HTTP 401 UNAUTHENTICATED with its reason code, the socket closed with
 * 4401; none reads or writes anything.
 */
const ledger = new Ledger('bad tokens');
let t: TestHub;
const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const sign = (payload: object, opts: jwt.SignOptions = {}) => jwt.sign(payload, TEST_SECRET, { algorithm: 'HS256', expiresIn: '1h', ...opts });
const county = { sub: 'officer:sec', role: 'COUNTY_AUTHORITY', regions: ['130821'] };

let revoked = '';
beforeAll(async () => {
  t = await startTestHub('sec_tokens');
  revoked = sign({ ...county, jti: 'sec-revoked-1' });
  const r = await t.gql(`mutation { revokeToken(jti: "sec-revoked-1", reason: COMPROMISED) { jti } }`, {}, t.token('SECURITY_ADMIN'));
  expect(r.errors).toBeUndefined();
});
afterAll(async () => {
  ledger.print();
  await t?.stop();
});

/** The forgeries: what each is, the header it goes in, and the reason the hub must give. */
function forgeries(): [attack: string, authorization: string, reason: string][] {
  const good = sign(county);
  const [h, p, s] = good.split('.');
  return [
    ['garbage instead of a token', 'Bearer abc.def', 'MALFORMED_TOKEN'],
    ['a Basic header', `Basic ${Buffer.from('admin:admin').toString('base64')}`, 'MALFORMED_HEADER'],
    ['signed with another secret', `Bearer ${jwt.sign(county, 'another-secret-another-secret-0123456', { expiresIn: '1h' })}`, 'BAD_SIGNATURE'],
    ['alg none', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...county, exp: now() + 600 })}.`, 'ALG_NOT_ALLOWED'],
    ['HS512 with the right secret', `Bearer ${jwt.sign(county, TEST_SECRET, { algorithm: 'HS512', expiresIn: '1h' })}`, 'ALG_NOT_ALLOWED'],
    [
      'payload widened to a province, signature kept',
      `Bearer ${h}.${b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'PROVINCE_AUTHORITY', regions: ['130000'] })}.${s}`,
      'BAD_SIGNATURE',
    ],
    ['expired an hour ago', `Bearer ${jwt.sign({ ...county, exp: now() - 3600 }, TEST_SECRET, { algorithm: 'HS256' })}`, 'EXPIRED'],
    ['not valid for another hour', `Bearer ${sign(county, { notBefore: '1h' })}`, 'NOT_YET_VALID'],
    ['the retired ADMIN role', `Bearer ${sign({ sub: 'admin:old', role: 'ADMIN', regions: [] })}`, 'RETIRED_ROLE'],
    ['an unknown role', `Bearer ${sign({ sub: 'x', role: 'ROOT', regions: [] })}`, 'BAD_CLAIMS'],
    ['jurisdiction 000000 (every region)', `Bearer ${sign({ ...county, regions: ['000000'] })}`, 'BAD_CLAIMS'],
    ["jurisdiction '' (an empty prefix)", `Bearer ${sign({ ...county, regions: [''] })}`, 'BAD_CLAIMS'],
    ["jurisdiction '%' (a LIKE wildcard)", `Bearer ${sign({ ...county, regions: ['%'] })}`, 'BAD_CLAIMS'],
    ['an ENTERPRISE token without its credit code', `Bearer ${sign({ sub: 'e', role: 'ENTERPRISE', regions: [] })}`, 'BAD_CLAIMS'],
    ['a revoked token', `Bearer ${revoked}`, 'REVOKED'],
  ];
}

const QUERY = `{ enterprises(first: 5) { edges { node { name } } } }`;
const MUTATION = `mutation { registerEnterprise(input: { creditCode: "911308213300000001", name: "伪造", regionCode: "130821" }) { id } }`;

it('refuses every forgery over HTTP, for a query and a mutation: 401 UNAUTHENTICATED with its reason, nothing written', async () => {
  const before = (await t.db.manager.query(`SELECT count(*)::int AS n FROM enterprise`))[0].n as number;
  for (const [attack, authorization, reason] of forgeries())
    for (const [kind, query] of [
      ['query', QUERY],
      ['mutation', MUTATION],
    ]) {
      const res = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query }),
      });
      const body = (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string; reason?: string } }[] };
      const e = body.errors?.[0]?.extensions;
      ledger.record(
        `HTTP ${kind}: ${attack}`,
        `401 UNAUTHENTICATED ${reason}`,
        `${res.status} ${e?.code ?? 'OK'} ${e?.reason ?? '-'}${body.data ? ' (with data)' : ''}`,
      );
    }
  expect((await t.db.manager.query(`SELECT count(*)::int AS n FROM enterprise`))[0].n).toBe(before);
  expect(ledger.failures()).toEqual([]);
});

it('refuses every forgery over WebSocket: the socket closes with 4401 before any subscription runs', async () => {
  for (const [attack, authorization, reason] of forgeries()) {
    if (!authorization.startsWith('Bearer ')) continue; // connectionParams carry a bearer token
    const s = subscribe(t.url, `subscription { ratingChanged { grade } }`, {}, authorization.slice('Bearer '.length));
    const closed = await s.closed;
    await s.client.dispose();
    ledger.record(
      `WebSocket: ${attack}`,
      `closed 4401 (${reason})`,
      `closed ${closed.code} (${reason})`,
      closed.code === 4401 && s.results.every((r) => !r.data),
    );
  }
  expect(ledger.failures()).toEqual([]);
});

it('every refused sign-in is on the audit trail with its reason, and no token in it', async () => {
  const entries = await t.db.manager.query<{ outcome: string; detail: Record<string, unknown> }[]>(
    `SELECT outcome, detail FROM audit_log WHERE action = 'signIn'`,
  );
  const reasons = new Set(entries.map((e) => String(e.detail.reason)));
  for (const [attack, , reason] of forgeries())
    ledger.record(`audit trail: ${attack}`, `signIn ${reason} on record`, reasons.has(reason) ? `signIn ${reason} on record` : 'missing');
  const text = JSON.stringify(entries);
  ledger.record('audit trail: no token text', 'none', text.includes(revoked.split('.')[2]) ? 'a signature is in the log' : 'none');
  expect(ledger.failures()).toEqual([]);
});
