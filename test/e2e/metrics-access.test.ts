import { TestHub, startTestHub } from '../support/hub';

/** /metrics behind a bearer token or on a port of its own (issue 11 item 6); open outside production otherwise. */
const TOKEN = 'metrics-token-0123456789abcdef';

describe('/metrics behind HUB_METRICS_TOKEN', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('metrics_token', { env: { HUB_METRICS_TOKEN: TOKEN } });
  });
  afterAll(() => t?.stop());

  it('answers 401 without the token or with another, the metrics with it', async () => {
    const none = await fetch(`${t.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.token('SYSTEM_ADMIN')}` } })).status).toBe(401);
    const ok = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/hub_graphql_request/);
  });
});

describe('/metrics on HUB_METRICS_PORT', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('metrics_port', { env: { HUB_METRICS_PORT: '0' } });
  });
  afterAll(() => t?.stop());

  it('serves /metrics only on its own port, and nothing else there', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
    const port = t.hub.metricsPort();
    expect(port).toEqual(expect.any(Number));
    const ok = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await ok.text()).toMatch(/hub_graphql_request/);
    expect((await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(404);
  });
});
