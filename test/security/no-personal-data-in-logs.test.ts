import { Client } from 'pg';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { signToken } from '../../src/platform/auth/principal';
import { TEST_DATABASE_URL, TEST_SECRET, testDatabase } from '../support/hub';
import { HubProcess, spawnHub, stopHub, within } from '../support/processes';
import { subscribe } from '../support/ws';

/**
 * Issue 8, item 10: a hub process at debug level is given personal data that ends in a database error, and a malformed
 * JSON body quoting an ID number. Neither its log (stdout and stderr, all of it) nor its answers contain them.
 * The database error is real: while the tests run, the enterprise table is renamed under the running hub (42P01, an
 * operator's mistake or a half-applied migration), so the statements carrying the personal fields fail in PostgreSQL.
 */
const NAME = '欧阳建国';
const ID_NUMBER = '130821198807154321';
const PHONE = '13912345678';
const BODY_ID = '130821199203036789';
const SECRETS = [NAME, ID_NUMBER, PHONE, BODY_ID];

let hub: HubProcess;
let log = '';
let drop: () => Promise<void>;
let url: string;
let pg: Client;
let schema = '';
const officer = signToken({ role: 'COUNTY_AUTHORITY', regions: ['130821'] }, TEST_SECRET);

beforeAll(async () => {
  const t = await testDatabase('pii_logs');
  await t.db.close(); // the hub process has its own connections; drop() reconnects
  drop = t.drop;
  schema = t.schema;
  hub = spawnHub('api', 'pii-logs', t.schema, '', { LOG_LEVEL: 'debug' });
  const keep = (chunk: Buffer) => void (log += chunk.toString());
  hub.child.stdout!.on('data', keep);
  hub.child.stderr!.on('data', keep);
  url = await within(hub.ready, 60_000, () => new Error(`hub not ready${hub.output()}`));
  pg = new Client({ connectionString: TEST_DATABASE_URL });
  await pg.connect();
  await pg.query(`ALTER TABLE ${schema}.enterprise RENAME TO enterprise_away`);
}, 90_000);
afterAll(async () => {
  await stopHub(hub);
  await pg?.query(`ALTER TABLE ${schema}.enterprise_away RENAME TO enterprise`).catch(() => undefined);
  await pg?.end();
  await drop?.();
});

let errorId = '';

it('a database error over personal data: the caller gets an error id, not the data', async () => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${officer}` },
    body: JSON.stringify({
      query: `mutation($i: EnterpriseInput!) { registerEnterprise(input: $i) { id } }`,
      // The table is away: Postgres refuses the statement (42P01), whose parameters carry the personal fields.
      variables: {
        i: {
          creditCode: withCheckChar('91130821MP0000001'),
          name: '企业',
          regionCode: '130821',
          industry: '水利',
          legalRepresentative: NAME,
          legalRepresentativeIdNumber: ID_NUMBER,
          contactPhone: PHONE,
        },
      },
    }),
  });
  const text = await res.text();
  const body = JSON.parse(text) as { errors: { message: string; extensions: { code: string; errorId: string } }[] };
  expect(body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
  expect(body.errors[0].extensions.errorId).toMatch(/^[0-9a-f-]{36}$/);
  errorId = body.errors[0].extensions.errorId;
  for (const s of SECRETS) expect(text).not.toContain(s);
});

it('a malformed JSON body answers 400 with a GraphQL-style error and no echo', async () => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${officer}` },
    body: `{"query": "query($id: String!) { enterprise(creditCode: $id) { id } }", "variables": {"id": "${BODY_ID}"`,
  });
  const text = await res.text();
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(JSON.parse(text)).toEqual({ errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
  expect(text).not.toContain(BODY_ID);
});

let wsErrorId = '';

it('a database error over WebSocket: the subscriber gets an error id, not the database message', async () => {
  // The table is away: Postgres refuses the lookup of the credit code (42P01) while the subscription opens.
  const s = subscribe(url, `subscription($c: String) { ratingChanged(creditCode: $c) { eventId } }`, { c: NAME }, officer);
  const [r] = await s.waitFor(1);
  await s.dispose();
  const text = JSON.stringify(r);
  expect(r.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  expect(r.errors?.[0]?.message).toMatch(/^Internal error \(database\)/);
  expect(text).not.toMatch(/enterprise|does not exist/);
  for (const sec of SECRETS) expect(text).not.toContain(sec);
  wsErrorId = r.errors![0].extensions!.errorId;
  expect(wsErrorId).toMatch(/^[0-9a-f-]{36}$/);
});

it("the hub's log names both by code and holds none of the personal data", async () => {
  await stopHub(hub); // every line written
  expect(SECRETS.filter((s) => log.includes(s))).toEqual([]);
  const lines = log.split('\n');
  expect(lines.find((l) => l.includes(errorId))).toMatch(/"code":"42P01"/);
  expect(lines.find((l) => l.includes(wsErrorId))).toMatch(/"code":"42P01"/);
  expect(lines.some((l) => l.includes('entity.parse.failed'))).toBe(true);
});
