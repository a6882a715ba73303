import { TestHub, codeOf, startTestHub } from '../support/hub';

/**
 * One outbound address policy for webhooks and data sources (issue 11 item 6): internal targets refused unless
 * allow-listed (HUB_OUTBOUND_ALLOW_PRIVATE, alias HUB_WEBHOOK_ALLOW_PRIVATE), and with HUB_OUTBOUND_ALLOWED_DOMAINS
 * only those domains (数据出境 management).
 */
const SOURCE = `mutation($i: DataSourceInput!) { createDataSource(input: $i) { id } }`;
const WEBHOOK = `mutation($i: WebhookInput!) { registerWebhook(input: $i) { id } }`;
const source = (name: string, baseUrl: string) => ({ i: { name, connector: 'http-json', config: { baseUrl, token: 't' } } });
const sensorThings = (name: string, baseUrl: string) => ({ i: { name, connector: 'sensorthings', config: { baseUrl } } });

describe('outbound address policy, strict (nothing allow-listed)', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('outbound_strict', { env: { HUB_WEBHOOK_ALLOW_PRIVATE: '' } });
  });
  afterAll(() => t?.stop());

  it('refuses data sources pointing at loopback (in every spelling) or a private 10.x address', async () => {
    const admin = t.token('SYSTEM_ADMIN');
    for (const [i, url] of [
      'http://127.0.0.1:9/api',
      'http://[::ffff:7f00:1]:9/api',
      'http://[::7f00:1]:9/api',
      'https://10.1.2.3/api',
      'http://localhost:9/api',
    ].entries()) {
      const r = await t.gql(SOURCE, source(`s${i}`, url), admin);
      expect([url, codeOf(r), r.errors?.[0]?.message]).toEqual([
        url,
        'BAD_USER_INPUT',
        expect.stringMatching(/outbound address policy.*HUB_OUTBOUND_ALLOW_PRIVATE/),
      ]);
    }
    expect(codeOf(await t.gql(SOURCE, sensorThings('st', 'http://192.168.1.5/FROST-Server/v1.1'), admin))).toBe('BAD_USER_INPUT');
    expect((await t.gql(`{ dataSources { id } }`, {}, admin)).data.dataSources).toEqual([]);
  });
});

describe('outbound address policy, with an allow-private list and destination domains', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('outbound_domains', {
      env: { HUB_WEBHOOK_ALLOW_PRIVATE: '', HUB_OUTBOUND_ALLOW_PRIVATE: '10.0.0.0/8', HUB_OUTBOUND_ALLOWED_DOMAINS: 'vendor.example.cn' },
    });
  });
  afterAll(() => t?.stop());

  it('accepts an allow-listed private address, still refuses loopback', async () => {
    const admin = t.token('SYSTEM_ADMIN');
    expect((await t.gql(SOURCE, source('intranet', 'http://10.1.2.3:8080/api'), admin)).errors).toBeUndefined();
    expect(codeOf(await t.gql(SOURCE, source('loop', 'http://127.0.0.1:9/api'), admin))).toBe('BAD_USER_INPUT');
  });

  it('refuses a domain outside the allow-list, for data sources and for webhooks, naming the rule', async () => {
    const r = await t.gql(SOURCE, source('abroad', 'https://feed.example.com/api'), t.token('SYSTEM_ADMIN'));
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/数据出境.*HUB_OUTBOUND_ALLOWED_DOMAINS: vendor\.example\.cn/);
    const w = await t.gql(WEBHOOK, { i: { url: 'https://hooks.example.com/in', events: ['rating.changed'] } }, t.token('PARTNER_AGENCY', { agency: 'A1' }));
    expect(codeOf(w)).toBe('BAD_USER_INPUT');
    expect(w.errors?.[0]?.message).toMatch(/HUB_OUTBOUND_ALLOWED_DOMAINS/);
    // An address stands for no domain: refused too unless allow-listed as internal.
    expect(codeOf(await t.gql(SOURCE, source('ip', 'https://8.8.8.8/api'), t.token('SYSTEM_ADMIN')))).toBe('BAD_USER_INPUT');
  });
});
