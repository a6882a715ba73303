import { TestHub, startTestHub } from '../support/hub';

/** Security headers on every answer (issue 11 item 6); HSTS only when configured or over TLS. */
describe('security headers', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('headers');
  });
  afterAll(() => t?.stop());

  it('sends nosniff, no framing, no referrer and the CSP on every answer, no-store on /graphql, no HSTS over plain http', async () => {
    const answers = await Promise.all([
      fetch(`${t.url}/`),
      fetch(`${t.url}/health`),
      fetch(`${t.url}/graphiql`),
      fetch(`${t.url}/nowhere`),
      fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }),
      fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad json' }),
    ]);
    for (const r of answers) {
      const h = r.headers;
      expect([r.url, h.get('x-content-type-options'), h.get('x-frame-options'), h.get('referrer-policy')]).toEqual([r.url, 'nosniff', 'DENY', 'no-referrer']);
      // Express's own 404 page narrows it further to default-src 'none'.
      expect(h.get('content-security-policy')).toMatch(r.status === 404 ? /default-src 'none'/ : /script-src 'self';.*frame-ancestors 'none'/);
      expect(h.get('strict-transport-security')).toBeNull();
    }
    expect(answers[4].headers.get('cache-control')).toBe('no-store');
    expect(answers[5].headers.get('cache-control')).toBe('no-store');
  });

  it('the hub pages need no inline script (the CSP forbids it)', async () => {
    for (const path of ['/', '/graphiql']) {
      const html = await (await fetch(`${t.url}${path}`)).text();
      // Every <script> either loads a file of the hub's own or is a JSON data block (not executed).
      for (const m of html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g))
        expect([path, /src="\/[^/]/.test(m[1]) || /type="application\/json"/.test(m[1])]).toEqual([path, true]);
      expect(html).not.toMatch(/ on[a-z]+="/); // no inline event handlers
    }
  });
});

describe('HSTS', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('headers_hsts', { env: { HUB_HSTS: 'true' } });
  });
  afterAll(() => t?.stop());

  it('is sent when HUB_HSTS=true', async () => {
    expect((await fetch(`${t.url}/health`)).headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
  });
});
