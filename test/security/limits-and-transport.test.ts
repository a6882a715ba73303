import { TestHub, startTestHub } from '../support/hub';
import { Ledger, outcome } from './ledger';

/**
 * Issue 11 items 6 and 8, security tier: the limits and transport defences under attack. SSRF through a data source or
 * a webhook (loopback in several spellings, a private range, cloud metadata, a domain outside the allow-list), a flood of
 * anonymous submissions from one address and from a spoofed X-Forwarded-For, anonymous introspection and an
 * unauthenticated scrape of /metrics on a production hub, framing and sniffing headers.
 */
const ledger = new Ledger('limits and transport');
let t: TestHub;
let prod: TestHub;
const METRICS_TOKEN = 'sec-metrics-token-0123456789';

beforeAll(async () => {
  t = await startTestHub('sec_limits', {
    env: { HUB_WEBHOOK_ALLOW_PRIVATE: '', HUB_OUTBOUND_ALLOWED_DOMAINS: 'vendor.example.cn', HUB_RATE_LIMIT_SUBMISSIONS: '3' },
  });
  prod = await startTestHub('sec_limits_prod', { env: { NODE_ENV: 'production', HUB_METRICS_TOKEN: METRICS_TOKEN, HUB_ALLOW_DEV_TOKENS: 'true' } });
});
afterAll(async () => {
  ledger.print();
  await t?.stop();
  await prod?.stop();
});

it('refuses outbound targets inside the network or outside the allowed domains, for data sources and webhooks', async () => {
  const admin = t.token('SYSTEM_ADMIN');
  const partner = t.token('PARTNER_AGENCY', { agency: 'A1' });
  const targets = [
    'http://127.0.0.1:5432/',
    'http://[::ffff:7f00:1]:6379/',
    'http://[::7f00:1]/',
    'http://[2002:7f00:1::]/',
    'https://10.0.0.8/api',
    'http://169.254.169.254/latest/meta-data/',
    'https://feed.example.com/api',
    'https://vendor.example.cn.evil.example.com/api',
  ];
  for (const [i, url] of targets.entries()) {
    const s = await t.gql(
      `mutation($i: DataSourceInput!) { createDataSource(input: $i) { id } }`,
      { i: { name: `ssrf${i}`, connector: 'http-json', config: { baseUrl: url, token: 't' } } },
      admin,
    );
    ledger.record(`data source → ${url}`, 'BAD_USER_INPUT', outcome(s));
    const w = await t.gql(`mutation($i: WebhookInput!) { registerWebhook(input: $i) { id } }`, { i: { url, events: ['rating.changed'] } }, partner);
    ledger.record(`webhook → ${url}`, 'BAD_USER_INPUT', outcome(w));
  }
  expect(ledger.failures()).toEqual([]);
});

it('stops a flood of anonymous submissions from one address, spoofed X-Forwarded-For included', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i}` },
      body: JSON.stringify({ query: `mutation($i: TipInput!) { submitTip(input: $i) { receiptNo } }`, variables: { i: {} } }),
    });
    statuses.push(res.status);
  }
  ledger.record(
    '6 anonymous tips from one address, each with another X-Forwarded-For',
    '3 answered, then 429',
    statuses.join(','),
    statuses.join(',') === '200,200,200,429,429,429',
  );
  expect(ledger.failures()).toEqual([]);
});

it('keeps the schema and the metrics from anonymous callers of a production hub, and sends the defensive headers', async () => {
  const intro = await prod.gql(`{ __schema { types { name } } }`);
  ledger.record('anonymous introspection in production', 'UNAUTHENTICATED', outcome(intro));
  const scrape = await fetch(`${prod.url}/metrics`);
  ledger.record('anonymous scrape of /metrics in production', '401', String(scrape.status));
  const forged = await fetch(`${prod.url}/metrics`, { headers: { authorization: `Bearer ${prod.token('SYSTEM_ADMIN')}` } });
  ledger.record('/metrics with a user token instead of the metrics token', '401', String(forged.status));
  const page = await fetch(`${prod.url}/`);
  ledger.record('framing the landing page', 'DENY', page.headers.get('x-frame-options') ?? 'none');
  ledger.record('MIME sniffing', 'nosniff', page.headers.get('x-content-type-options') ?? 'none');
  expect(ledger.failures()).toEqual([]);
});
