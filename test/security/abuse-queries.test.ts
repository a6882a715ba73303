import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TestHub, startTestHub } from '../support/hub';
import { subscribe } from '../support/ws';
import { Ledger, outcome } from './ledger';

/**
 * Issue 11 item 8, security tier: abusive operations (depth, aliases, tokens, directives, cost hidden in variables and
 * fragments, oversized and NUL-laden arguments, batches), over HTTP and WebSocket, as an anonymous caller and as an
 * officer. Each is refused before it runs with a clear code, never executed and never an internal error.
 */
const ledger = new Ledger('abuse queries');
let t: TestHub;
let officer: string;
const E = withCheckChar('91130821AB0000001');

beforeAll(async () => {
  t = await startTestHub('sec_abuse');
  officer = t.token('COUNTY_AUTHORITY', { regions: ['130821'] });
  const r = await t.gql(`mutation { registerEnterprise(input: { creditCode: "${E}", name: "企业", regionCode: "130821" }) { id } }`, {}, officer);
  expect(r.errors).toBeUndefined();
});
afterAll(async () => {
  ledger.print();
  await t?.stop();
});

/** meters → enterprise → meters …: a cycle in the schema, `n` levels deep. */
const deep = (n: number): string => {
  let sel = 'meterCode';
  for (let i = 0; i < n; i++) sel = i % 2 ? `meters { ${sel} }` : `enterprise { ${sel} }`;
  return `{ enterprise(creditCode: "${E}") { meters { ${sel} } } }`;
};
const HEAVY = `query($n: Int, $m: Int) { enterprises(first: $n) { edges { node { meters { readings(first: $m) { readAt } } } } } }`;
const HEAVY_FRAGMENT = `query($n: Int, $m: Int) { ...F } fragment F on Query { enterprises(first: $n) { edges { node { meters { readings(first: $m) { readAt } } } } } }`;

const cases: [attack: string, query: string, variables: Record<string, unknown>, expected: string][] = [
  ['depth 40 through the meters ⇄ enterprise cycle', deep(40), {}, 'GRAPHQL_VALIDATION_FAILED'],
  [
    '100 aliases of one field',
    `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: enterprise(creditCode: "${E}") { name }`).join(' ')} }`,
    {},
    'GRAPHQL_VALIDATION_FAILED',
  ],
  ['20,000 tokens', `{ ${'__typename '.repeat(20_000)}}`, {}, 'GRAPHQL_PARSE_FAILED'],
  ['200 directives on one field', `{ __typename ${'@include(if: true) '.repeat(200)}}`, {}, 'GRAPHQL_VALIDATION_FAILED'],
  ['cost hidden in variables (500 enterprises × 10,000 readings)', HEAVY, { n: 500, m: 10_000 }, 'GRAPHQL_VALIDATION_FAILED'],
  ['cost hidden in variables inside a fragment', HEAVY_FRAGMENT, { n: 500, m: 10_000 }, 'GRAPHQL_VALIDATION_FAILED'],
  ['a NUL byte in a variable', `query($c: String!) { enterprise(creditCode: $c) { name } }`, { c: `${E}\u0000` }, 'BAD_USER_INPUT'],
  ['a 1 MB string in a lookup', `query($c: String!) { enterprise(creditCode: $c) { name } }`, { c: '9'.repeat(1_000_000) }, 'BAD_USER_INPUT'],
  ['a variable of the wrong type', `query($n: Int) { enterprises(first: $n) { edges { node { name } } } }`, { n: 'all' }, 'BAD_USER_INPUT'],
  ['a negative page size', `{ enterprises(first: -1) { edges { node { name } } } }`, {}, 'BAD_USER_INPUT'],
];

it.each([
  ['anonymous', undefined],
  ['an officer', 'officer'],
])('refuses abusive operations over HTTP as %s, before they run', async (who, as) => {
  for (const [attack, query, variables, expected] of cases) {
    const r = await t.gql(query, variables, as ? officer : undefined);
    ledger.record(`HTTP ${who}: ${attack}`, expected, r.status >= 500 ? `HTTP ${r.status} ${outcome(r)}` : outcome(r));
  }
  expect(ledger.failures()).toEqual([]);
});

it('refuses them over WebSocket too', async () => {
  const wsCases: [string, string, Record<string, unknown>, string][] = [
    [
      'depth 40 in a subscription',
      `subscription { ratingChanged { enterprise { meters { ${'enterprise { meters { '.repeat(20)}meterCode${' } }'.repeat(20)} } } } }`,
      {},
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'a 100 KB string in a subscription variable',
      `subscription($c: String) { ratingChanged(creditCode: $c) { grade } }`,
      { c: '9'.repeat(100_000) },
      'BAD_USER_INPUT',
    ],
    ['a NUL byte in a subscription variable', `subscription($c: String) { ratingChanged(creditCode: $c) { grade } }`, { c: 'x\u0000' }, 'BAD_USER_INPUT'],
    ['20,000 tokens in a subscription', `subscription { ratingChanged { grade ${'__typename '.repeat(20_000)}} }`, {}, 'GRAPHQL_PARSE_FAILED'],
  ];
  for (const [attack, query, variables, expected] of wsCases) {
    const s = subscribe(t.url, query, variables, officer);
    const [r] = await s.waitFor(1);
    await s.dispose();
    ledger.record(`WebSocket: ${attack}`, expected, outcome(r));
  }
  // A message over the socket's 256 KB limit closes the connection (1009) before anything is parsed.
  const big = subscribe(t.url, `subscription($c: String) { ratingChanged(creditCode: $c) { grade } }`, { c: '9'.repeat(1_000_000) }, officer);
  const closed = await big.closed;
  ledger.record('WebSocket: a 1 MB message', 'closed 1009', `closed ${closed.code}`);
  await big.dispose();
  expect(ledger.failures()).toEqual([]);
});

it('refuses a batch of operations in one request (no batching: one operation per request)', async () => {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(Array.from({ length: 100 }, () => ({ query: '{ __typename }' }))),
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: unknown } }[] };
  ledger.record('HTTP: a batch of 100 operations', 'BAD_REQUEST', `${Array.isArray(body) ? 'ran as a batch' : outcome(body)}`);
  expect(res.status).toBe(400);
  expect(ledger.failures()).toEqual([]);
});
