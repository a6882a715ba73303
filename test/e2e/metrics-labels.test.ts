import { startTestHub, TestHub } from '../support/hub';

/**
 * Issue 11 item 7 (security review): /metrics was labelled by the client-chosen operation name,
 * so anonymous requests with made-up names grew it without bound. The label now comes from the
 * schema: operation type and first root field.
 */
let t: TestHub;
beforeAll(async () => {
  t = await startTestHub('metrics-labels');
});
afterAll(() => t?.stop());

const series = (text: string) => text.split('\n').filter((l) => l.startsWith('hub_graphql_request_duration_seconds_count{'));

it('labels operations by type and root field, so 300 made-up operation names add no series', async () => {
  const names = Array.from({ length: 300 }, (_, i) => `Probe${i}x${Math.random().toString(36).slice(2, 8)}`);
  for (const name of names) {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `query ${name} { creditPolicies { version } }`, operationName: name }),
    });
    expect(res.status).toBe(200);
  }
  // A request that does not validate, with a made-up name too.
  await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `query Junk { noSuchField }`, operationName: 'Junk' }),
  });
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const lines = series(text);
  expect(lines.some((l) => l.includes('operation="query:creditPolicies"'))).toBe(true);
  expect(lines.some((l) => l.includes('operation="invalid"'))).toBe(true);
  expect(lines.filter((l) => /Probe\d+x|Junk/.test(l))).toEqual([]);
  expect(lines.length).toBeLessThanOrEqual(6);
});
