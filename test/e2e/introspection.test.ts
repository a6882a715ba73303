import { TestHub, startTestHub } from '../support/hub';
import { subscribe } from '../support/ws';

/** Introspection only for authenticated callers in production (issue 11 item 6), over HTTP and WebSocket. */
const SCHEMA = `{ __schema { queryType { name } } }`;
const TYPE = `query { a: __typename ... on Query { __type(name: "Query") { name } } }`;
const PROD = { NODE_ENV: 'production', HUB_METRICS_PORT: '0', HUB_ALLOW_DEV_TOKENS: 'true' };

describe('introspection in production', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('introspect_prod', { env: PROD });
  });
  afterAll(() => t?.stop());

  it('refuses __schema and __type (fragments included) without a token: UNAUTHENTICATED, 401; __typename stays open', async () => {
    for (const q of [SCHEMA, TYPE]) {
      const r = await t.gql(q);
      expect([q, r.status, r.errors?.[0]?.extensions?.code, r.data]).toEqual([q, 401, 'UNAUTHENTICATED', undefined]);
    }
    expect(await t.gql(`{ __typename }`)).toMatchObject({ status: 200, data: { __typename: 'Query' } });
  });

  it('answers an authenticated caller', async () => {
    const r = await t.gql(SCHEMA, {}, t.token('COUNTY_AUTHORITY', { regions: ['130821'] }));
    expect(r).toMatchObject({ status: 200, data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('refuses it over WebSocket too', async () => {
    const s = subscribe(t.url, SCHEMA);
    const [first] = await s.waitFor(1);
    expect(first.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await s.dispose();
  });
});

describe('introspection opened by HUB_INTROSPECTION, and outside production', () => {
  let open: TestHub;
  let dev: TestHub;
  beforeAll(async () => {
    open = await startTestHub('introspect_open', { env: { ...PROD, HUB_INTROSPECTION: 'true' } });
    dev = await startTestHub('introspect_dev');
  });
  afterAll(async () => {
    await open?.stop();
    await dev?.stop();
  });

  it('answers anyone', async () => {
    expect((await open.gql(SCHEMA)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect((await dev.gql(TYPE)).data).toEqual({ a: 'Query', __type: { name: 'Query' } });
  });
});
