import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { createHub } from '../../src/app';
import { registry } from '../../src/platform/metrics';
import { TestHub, codeOf, startTestHub } from '../support/hub';
import { inPeriod, testPolicies } from '../support/policy-time';

/**
 * Issue 12 target 1: HTTP operations run as graphql-jit's compiled functions (the default) instead of graphql-js's
 * interpreter. Two hubs over the same schema, one with `HUB_GRAPHQL_JIT=0`, answer a spread of operations (the
 * dashboard page, fragments, aliases, directives, personal fields masked or not, errors with codes, a bad variable,
 * a mutation refused) with the same status and body, and only the default one runs them compiled (`/metrics`).
 */
const E = withCheckChar('91130821JT0000001');
const NAME = '司马光明';

let t: TestHub;
let plain: { url: string; stop: () => Promise<void> };
let county: string;
let province: string;
let partner: string;

beforeAll(async () => {
  t = await startTestHub('jit');
  const hub = await createHub({ ...t.config, graphqlJit: false }, t.db, testPolicies(), t.jobs);
  const url = await hub.listen(0);
  hub.markReady();
  plain = { url, stop: () => hub.stop() };
  county = t.token('COUNTY_AUTHORITY', { regions: ['130821'] });
  province = t.token('PROVINCE_AUTHORITY', { regions: ['130000'] });
  partner = t.token('PARTNER_AGENCY', { agency: '行政审批局', regions: ['130821'], subject: 'agency:jit' });
  const e = await t.gql(
    `mutation($i: EnterpriseInput!) { registerEnterprise(input: $i) { id } }`,
    { i: { creditCode: E, name: '承德某编译公司', regionCode: '130821', legalRepresentative: NAME, contactPhone: '13788886666' } },
    county,
  );
  expect(e.errors).toBeUndefined();
  const m = await t.gql(
    `mutation($i: MeterInput!) { registerMeter(input: $i) { id } }`,
    { i: { meterCode: 'JIT-001', creditCode: E, online: true, level: 1 } },
    county,
  );
  expect(m.errors).toBeUndefined();
  const r = await t.gql(
    `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { id } }`,
    { i: { creditCode: E, indicator: '1.1', level: 'SEVERE', occurredAt: inPeriod(30), basis: '第十一条' } },
    county,
  );
  expect(r.errors).toBeUndefined();
}, 60_000);
afterAll(async () => {
  await plain?.stop();
  await t?.stop();
});

async function post(url: string, query: string, variables: Record<string, unknown> | undefined, token?: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: withoutStacks(await res.json()) };
}

/** The body without stack traces (outside production errors carry one; the two executors' frames differ, nothing else may). */
function withoutStacks(body: any): any {
  for (const e of body.errors ?? []) delete e.extensions?.stacktrace;
  return body;
}

const executions = async (executor: string) =>
  (await registry.getSingleMetric('hub_graphql_executions_total')!.get()).values.find((v) => v.labels.executor === executor)?.value ?? 0;

const OPERATIONS: [string, string, Record<string, unknown> | undefined, () => string | undefined][] = [
  [
    'the dashboard page (plain: one statement, read log written by it)',
    `{ enterprises(first: 10) { edges { cursor node { name rating { grade score } meters { meterCode lastReadingAt } permits { permitNo } } } pageInfo { hasNextPage endCursor } } }`,
    undefined,
    () => province,
  ],
  [
    'fragments, aliases, __typename and directives over variables',
    `query($c: String!, $withMeters: Boolean!, $noRecords: Boolean!) {
       one: enterprise(creditCode: $c) { ...E __typename meters @include(if: $withMeters) { meterCode online level } }
       two: enterprise(creditCode: $c) { name creditRecords @skip(if: $noRecords) { indicator level status } }
     }
     fragment E on Enterprise { creditCode name regionCode rating { grade score } }`,
    { c: E, withMeters: true, noRecords: false },
    () => county,
  ],
  [
    'personal fields, as the authority sees them',
    `query($c: String!) { enterprise(creditCode: $c) { legalRepresentative contactPhone } }`,
    { c: E },
    () => county,
  ],
  [
    'personal fields, masked for a partner agency',
    `query($c: String!) { enterprise(creditCode: $c) { legalRepresentative contactPhone } }`,
    { c: E },
    () => partner,
  ],
  ['an unknown enterprise (null)', `{ enterprise(creditCode: "${withCheckChar('91130821JT0000099')}") { name } }`, undefined, () => county],
  [
    'an unknown enforcement case (NOT_FOUND on a non-null field: data null)',
    `{ enforcementCase(id: "00000000-0000-4000-8000-000000000000") { id } }`,
    undefined,
    () => county,
  ],
  ['no token for a protected field', `query($c: String!) { enterprise(creditCode: $c) { objections { id } } }`, { c: E }, () => undefined],
  ['a variable of the wrong type (BAD_USER_INPUT)', `query($n: Int!) { enterprises(first: $n) { edges { node { name } } } }`, { n: 'ten' }, () => province],
  [
    'a mutation refused for bad input',
    `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { id } }`,
    { i: { creditCode: E, indicator: '9.9', level: 'SEVERE', occurredAt: inPeriod(30), basis: 'x' } },
    () => county,
  ],
];

it.each(OPERATIONS)('%s: the same status and body compiled and interpreted', async (_label, query, variables, token) => {
  // The first run of a text is interpreted (compiled on its second): warm it, then compare.
  await post(t.url, query, variables, token());
  const compiled = await post(t.url, query, variables, token());
  const interpreted = await post(plain.url, query, variables, token());
  expect(compiled.status).toBe(interpreted.status);
  expect(compiled.body).toEqual(interpreted.body);
});

it('answers as the rules say (not merely alike): data where allowed, codes where not', async () => {
  const page = await post(t.url, OPERATIONS[0][1], undefined, province);
  expect(page.body.data.enterprises.edges.map((e: any) => e.node.name)).toContain('承德某编译公司');
  const masked = await post(t.url, OPERATIONS[3][1], OPERATIONS[3][2], partner);
  expect(masked.body.data?.enterprise?.legalRepresentative ?? null).not.toBe(NAME);
  expect((await post(t.url, OPERATIONS[4][1], undefined, county)).body).toEqual({ data: { enterprise: null } });
  const missing = await post(t.url, OPERATIONS[5][1], undefined, county);
  expect([missing.body.data, codeOf(missing.body)]).toEqual([null, 'NOT_FOUND']);
  const bad = await post(t.url, OPERATIONS[7][1], OPERATIONS[7][2], province);
  expect(codeOf(bad.body)).toBe('BAD_USER_INPUT');
  expect(codeOf((await post(t.url, OPERATIONS[8][1], OPERATIONS[8][2], county)).body)).toBe('BAD_USER_INPUT');
});

it('the default hub compiles an operation on its second run and runs it compiled from then on; HUB_GRAPHQL_JIT=0 never does', async () => {
  // A text no other test sends: its own parsed document.
  const query = `{ enterprises(first: 3) { edges { node { creditCode } } } }`;
  const delta = async (run: () => Promise<unknown>) => {
    const [c0, i0] = [await executions('compiled'), await executions('interpreted')];
    await run();
    return [(await executions('compiled')) - c0, (await executions('interpreted')) - i0];
  };
  expect(await delta(() => post(t.url, query, undefined, province))).toEqual([0, 1]);
  expect(await delta(() => post(t.url, query, undefined, province))).toEqual([1, 0]);
  expect(await delta(() => post(t.url, query, undefined, province))).toEqual([1, 0]);
  expect(await delta(() => post(plain.url, query, undefined, province))).toEqual([0, 1]);
});
