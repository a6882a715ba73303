import jwt from 'jsonwebtoken';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TEST_SECRET, TestHub, codeOf, startTestHub } from '../support/hub';
import { subscribe } from '../support/ws';

/** A validly signed token whose claims are not acceptable is refused (issue 11 item 1): it used to see every enterprise. */
let t: TestHub;
const E = withCheckChar('91130821MC0000001');
const LIST = `{ enterprises(first: 10) { totalCount } }`;
const mint = (claims: Record<string, unknown>) => jwt.sign({ sub: 'officer:x', ...claims }, TEST_SECRET, { algorithm: 'HS256', expiresIn: '5m' });

beforeAll(async () => {
  t = await startTestHub('claims');
  const r = await t.gql(
    `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: "130821" }) { id } }`,
    { c: E },
    t.token('PROVINCE_AUTHORITY', { regions: ['130000'] }),
  );
  expect(r.errors).toBeUndefined();
});
afterAll(() => t?.stop());

describe('claims of a validly signed token are validated', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['regions 000000', { role: 'COUNTY_AUTHORITY', regions: ['000000'] }],
    ['an empty region', { role: 'CITY_AUTHORITY', regions: [''] }],
    ['a LIKE wildcard as region', { role: 'COUNTY_AUTHORITY', regions: ['%'] }],
    ['a partner scoped to a wildcard', { role: 'PARTNER_AGENCY', agency: '工信局', regions: ['13%'] }],
    ['a malformed credit code', { role: 'ENTERPRISE', creditCode: "' OR 1=1 --" }],
    ['a credit code of the wrong length', { role: 'ENTERPRISE', creditCode: '9113' }],
    ['an unknown role', { role: 'ROOT' }],
    ['regions that are not a list', { role: 'COUNTY_AUTHORITY', regions: '130821' }],
  ];
  it.each(bad)('%s: HTTP 401 UNAUTHENTICATED (BAD_CLAIMS), nothing listed', async (_, claims) => {
    const r = await t.gql(LIST, {}, mint(claims));
    expect(r.status).toBe(401);
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
    expect(r.data?.enterprises).toBeUndefined();
  });

  it('the same over WebSocket: the socket closes with 4401, and the refused sign-in is on record', async () => {
    const [{ max }] = await t.db.manager.query(`SELECT coalesce(max(id), 0)::bigint AS max FROM audit_log`);
    const s = subscribe(t.url, `subscription { ratingChanged { eventId } }`, {}, mint({ role: 'COUNTY_AUTHORITY', regions: ['000000'] }));
    const closed = await s.closed;
    await s.client.dispose();
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/region/);
    const entries = await t.db.manager.query(`SELECT actor, outcome, detail FROM audit_log WHERE id > $1 AND action = 'signIn'`, [max]);
    expect(entries).toEqual([{ actor: 'rejected-token', outcome: 'UNAUTHENTICATED', detail: { reason: 'BAD_CLAIMS', transport: 'websocket' } }]);
  });

  it('valid claims still work', async () => {
    const r = await t.gql(LIST, {}, mint({ role: 'COUNTY_AUTHORITY', regions: ['130821'] }));
    expect(r.data.enterprises.totalCount).toBe(1);
  });
});
