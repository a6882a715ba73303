import { getOperationAST, parse } from 'graphql';
import { MAX_COST, MAX_REPLAY_COST } from '../../src/platform/graphql/armor';
import { costChecker } from '../../src/platform/graphql/cost';
import { hubSchema } from '../../src/schema';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TestHub, codeOf, startTestHub } from '../support/hub';
import { subscribe } from '../support/ws';

/**
 * Issue 8, item 10: page sizes passed as variables are priced like literals. `enterprises(first: $n) { … readings(first: $m) }`
 * with n = 500 and m = 10,000 used to run (71 MB of readings); it is refused before anything executes, over HTTP and
 * over WebSocket, with the code and message of the literal version. These requests accept application/json, under which
 * GraphQL over HTTP answers a refused document 200 with the errors in the body (400 under
 * application/graphql-response+json: test/e2e/graphql-over-http.test.ts).
 */
let t: TestHub;
let admin: string;
const E = withCheckChar('91130821MD0000001');

const HEAVY = `query($n: Int, $m: Int) { enterprises(first: $n) { edges { node { name meters { meterCode readings(first: $m) { readAt cumulativeVolume } } } } } }`;
const HEAVY_LITERAL = `query { enterprises(first: 500) { edges { node { name meters { meterCode readings(first: 10000) { readAt cumulativeVolume } } } } } }`;
const DASHBOARD = `query($n: Int) { enterprises(first: $n) { edges { node { name rating { grade score } meters { meterCode lastReadingAt } permits { permitNo } } } } }`;

beforeAll(async () => {
  t = await startTestHub('costlimit'); // the relay publishes the grade change the subscription test reads
  admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'] });
  const r = await t.gql(`mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: "130821" }) { id } }`, { c: E }, admin);
  expect(r.errors).toBeUndefined();
  const m = await t.gql(`mutation($c: String!) { registerMeter(input: { creditCode: $c, meterCode: "M-1", online: true, level: 1 }) { id } }`, { c: E }, admin);
  expect(m.errors).toBeUndefined();
});
afterAll(() => t?.stop());

describe('over HTTP', () => {
  it('refuses the literal version (graphql-armor, while validating)', async () => {
    const r = await t.gql(HEAVY_LITERAL, {}, admin);
    expect(r.status).toBe(200);
    expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors![0].message).toMatch(/Cost limit of 20000 exceeded/);
    expect(r.data).toBeUndefined();
  });

  it('refuses the variable version the same way, before it executes', async () => {
    const r = await t.gql(HEAVY, { n: 500, m: 10_000 }, admin);
    expect(r.status).toBe(200);
    expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors![0].extensions.reason).toBe('COST_LIMIT');
    expect(r.errors![0].message).toMatch(/Cost limit of 20000 exceeded/);
    expect(r.data).toBeUndefined();
  });

  it('prices variables inside fragments and on the last of several operations', async () => {
    const q = `query Light { enterprises(first: 1) { edges { cursor } } }
      query Heavy($m: Int) { enterprises(first: 100) { edges { node { ...M } } } }
      fragment M on Enterprise { meters { readings(first: $m) { readAt } } }`;
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: q, operationName: 'Heavy', variables: { m: 5000 } }),
    });
    const r = (await res.json()) as { errors?: any[] };
    expect(res.status).toBe(200);
    expect(r.errors![0].extensions.reason).toBe('COST_LIMIT');
  });

  it('still serves the dashboard query and small variable page sizes', async () => {
    const d = await t.gql(DASHBOARD, { n: 100 }, admin);
    expect(d.errors).toBeUndefined();
    expect(d.data.enterprises.edges[0].node.meters[0].meterCode).toBe('M-1');
    const r = await t.gql(HEAVY, { n: 20, m: 10 }, admin);
    expect(r.errors).toBeUndefined();
    expect(r.data.enterprises.edges).toHaveLength(1);
  });

  it('prices a page size left out at the default page the resolver serves (readings 100, enterprises 20)', async () => {
    const noReadingsPage = await t.gql(`query { enterprises(first: 500) { edges { node { meters { readings { readAt } } } } } }`, {}, admin);
    expect(noReadingsPage.status).toBe(200);
    expect(noReadingsPage.errors![0].extensions.reason).toBe('COST_LIMIT');
    expect(noReadingsPage.data).toBeUndefined();
    const noEnterprisesPage = await t.gql(`query { enterprises { edges { node { meters { readings(first: 1000) { readAt } } } } } }`, {}, admin);
    expect(noEnterprisesPage.status).toBe(200);
    expect(noEnterprisesPage.errors![0].extensions.reason).toBe('COST_LIMIT');
  });

  it('prices a null page size (variable or literal) at the default page too', async () => {
    const q = `query($n: Int, $m: Int) { enterprises(first: $n) { edges { node { meters { readings(first: $m) { readAt } } } } } }`;
    const nullVariable = await t.gql(q, { n: 500, m: null }, admin);
    expect(nullVariable.status).toBe(200);
    expect(nullVariable.errors![0].extensions.reason).toBe('COST_LIMIT');
    const nullLiteral = await t.gql(`query { enterprises(first: 500) { edges { node { meters { readings(first: null) { readAt } } } } } }`, {}, admin);
    expect(nullLiteral.status).toBe(200);
    expect(nullLiteral.errors![0].extensions.reason).toBe('COST_LIMIT');
  });

  it('still serves default page sizes where they are affordable, and the schema says the defaults', async () => {
    const r = await t.gql(`query($h: Int) { enterprises { edges { node { name ratingHistory(first: $h) { grade } } } } }`, { h: null }, admin);
    expect(r.errors).toBeUndefined();
    expect(r.data.enterprises.edges).toHaveLength(1);
    const m = await t.gql(`query($m: Int) { meter(meterCode: "M-1") { readings(first: $m) { readAt } } }`, { m: null }, admin);
    expect(m.errors).toBeUndefined();
    const i = await t.gql(`{ __type(name: "Meter") { fields { name args { name defaultValue } } } }`, {}, admin);
    const readings = i.data.__type.fields.find((f: { name: string }) => f.name === 'readings');
    expect(readings.args.find((a: { name: string }) => a.name === 'first').defaultValue).toBe('100');
  });

  it('a variable that does not coerce gets its own error, not a cost refusal', async () => {
    const r = await t.gql(HEAVY, { n: 'many', m: 10 }, admin);
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/\$n/);
  });

  it('a page size above the field maximum is BAD_USER_INPUT', async () => {
    const r = await t.gql(`query($n: Int) { enterprises(first: $n) { edges { cursor } } }`, { n: 501 }, admin);
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/first must be between 0 and 500/);
  });
});

describe('over WebSocket', () => {
  const SUB = `subscription($s: DateTime, $m: Int, $h: Int) { ratingChanged(since: $s) { eventId enterprise { ratingHistory(first: $h) { grade } meters { readings(first: $m) { readAt } } } } }`;

  it('refuses a subscription whose variable page sizes are too costly, with the same code', async () => {
    const s = subscribe(t.url, SUB, { s: new Date(Date.now() - 3_600_000).toISOString(), m: 10_000, h: 5 }, admin);
    const [r] = await s.waitFor(1);
    await s.dispose();
    expect(r.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors?.[0]?.extensions?.reason).toBe('COST_LIMIT');
    expect(r.errors?.[0]?.message).toMatch(/Cost limit of 20000 exceeded/);
  });

  it('prices a replay (since) per replayed message: a selection affordable once is refused when it may run 10,000 times', async () => {
    const q = `subscription($s: DateTime) { ratingChanged(since: $s) { eventId enterprise { meters { readings(first: 100) { readAt } } } } }`;
    const s = subscribe(t.url, q, { s: new Date(Date.now() - 3_600_000).toISOString() }, admin);
    const [r] = await s.waitFor(1);
    await s.dispose();
    expect(r.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors?.[0]?.extensions?.reason).toBe('COST_LIMIT');
    expect(r.errors?.[0]?.message).toMatch(/replay \(since\): up to 10000 messages/);
  });

  it('prices the same selection once when it does not replay (since null or left out)', async () => {
    const q = `subscription($s: DateTime) { ratingChanged(since: $s) { eventId enterprise { meters { readings(first: 100) { readAt } } } } }`;
    const schema = await hubSchema();
    const check = costChecker({ maxCost: MAX_COST, maxReplayCost: MAX_REPLAY_COST });
    const doc = parse(q);
    const op = getOperationAST(doc)!;
    expect(check(schema, doc, op, { s: null })).toBeNull();
    expect(check(schema, doc, op, {})).toBeNull();
    expect(check(schema, doc, op, { s: new Date().toISOString() })?.extensions.reason).toBe('COST_LIMIT');
  });

  it('serves the same subscription with small page sizes', async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const ev = await t.gql(`mutation($c: String!) { evaluateEnterprise(creditCode: $c) { grade } }`, { c: E }, admin); // first grade: a change
    expect(ev.errors).toBeUndefined();
    const s = subscribe(t.url, SUB, { s: since, m: 10, h: 5 }, admin);
    const [r] = await s.waitFor(1);
    await s.dispose();
    expect(r.errors).toBeUndefined();
    expect(r.data.ratingChanged.enterprise.ratingHistory).toHaveLength(1);
  });
});
