import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TestHub, startTestHub } from '../support/hub';
import { subscribe } from '../support/ws';

/**
 * Issue 11 item 7 (security review): a NUL character in a name or a code reached PostgreSQL and
 * answered INTERNAL_SERVER_ERROR with a stack trace in the log. Refused as BAD_USER_INPUT before
 * anything runs, over HTTP (variables and literals) and WebSocket, storing nothing.
 */
let t: TestHub;
let officer: string;
beforeAll(async () => {
  t = await startTestHub('nul-bytes');
  officer = t.token('COUNTY_AUTHORITY', { regions: ['130821'] });
});
afterAll(() => t?.stop());

const REGISTER = `mutation($i: EnterpriseInput!) { registerEnterprise(input: $i) { id } }`;

it('refuses a NUL character in a variable or a literal as BAD_USER_INPUT naming where it is, storing nothing', async () => {
  const creditCode = withCheckChar('91130821NU0000001');
  const before = (await t.db.manager.query(`SELECT count(*)::int AS n FROM enterprise`))[0].n;
  const inVariable = await t.gql(REGISTER, { i: { creditCode, name: '承德\u0000企业', regionCode: '130821' } }, officer);
  expect(inVariable.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'i.name' });
  const inLiteral = await t.gql(`{ enterprise(creditCode: "9113\\u0000") { name } }`, {}, officer);
  expect(inLiteral.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  expect((await t.db.manager.query(`SELECT count(*)::int AS n FROM enterprise`))[0].n).toBe(before);
  // The same registration without the NUL works.
  expect((await t.gql(REGISTER, { i: { creditCode, name: '承德企业', regionCode: '130821' } }, officer)).errors).toBeUndefined();
});

it('refuses it over WebSocket too', async () => {
  const s = subscribe(t.url, `subscription($c: String) { ratingChanged(creditCode: $c) { grade } }`, { c: 'x\u0000' }, officer);
  const [r] = await s.waitFor(1);
  expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'c' });
  await s.dispose();
});
