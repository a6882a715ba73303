import { FeedError, Page } from '../connector';
import { FakeReading, FakeVendor, startFakeVendor } from './fake-vendor.server';
import { backoffMs, httpJsonConnector, HttpJsonConfig, parseRetryAfter } from './http-json.connector';
import { parseIsoDateTime } from './reading-fields';
import * as httpClient from '../../src/platform/http-client';
import { eventually } from '../../test/support/eventually';
import { AddressPolicy } from '../../src/platform/net/address-policy';

const TOKEN = 'Bearer t0ps3cret-token-value';

function reading(i: number): FakeReading {
  const readAt = new Date(Date.UTC(2025, 4, 1) + i * 15 * 60_000).toISOString();
  return { meterCode: `M${i % 7}`, readAt, cumulativeVolume: 1000 + i, flowRate: i % 3 === 0 ? null : 1.5 };
}

function connector(vendor: FakeVendor, extra: Partial<Record<keyof HttpJsonConfig, unknown>> = {}) {
  return httpJsonConnector.create(
    httpJsonConnector.parseConfig({ baseUrl: vendor.url, token: TOKEN, retryBaseMs: 10, maxRetries: 2, timeoutMs: 2000, ...extra }),
  );
}

async function failure(p: Promise<unknown>): Promise<FeedError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof FeedError)) throw new Error(`expected a FeedError, got ${String(e)}`);
  return e;
}

describe('http-json connector against the fake vendor', () => {
  let vendor: FakeVendor;

  beforeEach(async () => {
    vendor = await startFakeVendor({ token: TOKEN });
  });
  afterEach(async () => {
    await vendor.close();
  });

  it('keeps paging when the vendor caps its pages below our limit', async () => {
    const capped = await startFakeVendor({ token: TOKEN, maxLimit: 50 });
    try {
      capped.push(...Array.from({ length: 120 }, (_, i) => reading(i)));
      const c = connector(capped);
      const sizes: number[] = [];
      let cursor: string | null = null;
      for (;;) {
        const page = await c.fetchPage(cursor, { limit: 1000 });
        sizes.push(page.readings.length);
        cursor = page.nextCursor;
        if (page.done) break;
      }
      expect(sizes).toEqual([50, 50, 20, 0]);
    } finally {
      await capped.close();
    }
  });

  it('pages through 2,500 readings in pages of at most 1,000, chaining cursors, until an empty page', async () => {
    vendor.push(...Array.from({ length: 2500 }, (_, i) => reading(i)));
    const c = connector(vendor);
    const pages: Page[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page = await c.fetchPage(cursor, { limit: 1000 });
      pages.push(page);
      cursor = page.nextCursor;
      if (page.done) break;
    }
    expect(pages.map((p) => p.readings.length)).toEqual([1000, 1000, 500, 0]);
    expect(pages.map((p) => p.done)).toEqual([false, false, false, true]);
    expect(pages.every((p) => p.rejected.length === 0)).toBe(true);
    // The first call carries no cursor; each later call carries the previous page's cursor.
    expect(vendor.log.map((r) => r.after)).toEqual([null, pages[0].nextCursor, pages[1].nextCursor, pages[2].nextCursor]);
    expect(vendor.log.every((r) => r.limit === 1000 && r.url.startsWith('/api/readings?'))).toBe(true);
    expect(new Set(pages.map((p) => p.nextCursor)).size).toBe(3);

    const first = pages[0].readings[0];
    expect(first).toEqual({ meterCode: 'M0', readAt: new Date('2025-05-01T00:00:00Z'), cumulativeVolume: 1000, flowRate: null });
    expect(pages[2].readings[499].cumulativeVolume).toBe(3499);

    // Nothing new: the vendor answers nextCursor null and the cursor stays where it was.
    const again = await c.fetchPage(cursor, { limit: 1000 });
    expect(again).toEqual({ readings: [], rejected: [], nextCursor: cursor, done: true });

    // New data arrives and is picked up from the stored cursor.
    vendor.push(reading(2500));
    const more = await c.fetchPage(cursor, { limit: 1000 });
    expect(more.readings.map((r) => r.cumulativeVolume)).toEqual([3500]);
    expect(more.nextCursor).not.toBe(cursor);
    expect(more.done).toBe(false); // a short page: one more call confirms the end
  });

  it('sends the token in the configured header, and fails for good on 401 without leaking it', async () => {
    await vendor.close();
    vendor = await startFakeVendor({ token: TOKEN, authHeader: 'X-Api-Key' });
    vendor.push(reading(1));
    const ok = await connector(vendor, { authHeader: 'X-Api-Key' }).fetchPage(null, { limit: 10 });
    expect(ok.readings).toHaveLength(1);
    expect(vendor.log[0].auth).toBe(TOKEN);

    const wrong = 'Bearer wrong-token-abcdef';
    const e = await failure(connector(vendor, { authHeader: 'X-Api-Key', token: wrong }).fetchPage(null, { limit: 10 }));
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/HTTP 401/);
    expect(e.message).toMatch(/check the token/);
    expect(`${e.message} ${e.stack} ${JSON.stringify(e)}`).not.toContain('wrong-token');
    expect(vendor.requests).toBe(2); // no retry on 401
  });

  it('retries 503 with backoff and succeeds', async () => {
    vendor.push(reading(1), reading(2));
    vendor.failNext(2, 503);
    const page = await connector(vendor).fetchPage(null, { limit: 10 });
    expect(page.readings).toHaveLength(2);
    expect(vendor.log.map((r) => r.outcome)).toEqual(['failed', 'failed', 'ok']);
  });

  it('gives up after maxRetries with a retryable FeedError naming the status', async () => {
    vendor.failNext(5, 500);
    const e = await failure(connector(vendor, { maxRetries: 1 }).fetchPage(null, { limit: 10 }));
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/failed after 2 attempts: HTTP 500/);
    expect(vendor.requests).toBe(2);
  });

  it('honours Retry-After on 429', async () => {
    vendor.push(reading(1));
    vendor.failNext(1, 429, 1);
    const page = await connector(vendor, { retryBaseMs: 1 }).fetchPage(null, { limit: 10 });
    expect(page.readings).toHaveLength(1);
    expect(vendor.log).toHaveLength(2);
    expect(vendor.log[1].at - vendor.log[0].at).toBeGreaterThanOrEqual(900);
  });

  it('times out a request that never answers and fails after the retries', async () => {
    vendor.hangNext(2);
    const started = Date.now();
    const e = await failure(connector(vendor, { timeoutMs: 200, maxRetries: 1 }).fetchPage(null, { limit: 10 }));
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/timeout/);
    expect(vendor.requests).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('recovers when only the first request hangs', async () => {
    vendor.push(reading(1));
    vendor.hangNext(1);
    const page = await connector(vendor, { timeoutMs: 200 }).fetchPage(null, { limit: 10 });
    expect(page.readings).toHaveLength(1);
  });

  it("stops at once when the caller's signal aborts", async () => {
    vendor.hangNext(1);
    const ac = new AbortController();
    const pending = connector(vendor, { timeoutMs: 5000 }).fetchPage(null, { limit: 10, signal: ac.signal });
    await eventually(() => expect(vendor.requests).toBeGreaterThan(0), { intervalMs: 10 });
    const started = Date.now();
    ac.abort(new Error('shutting down'));
    await expect(pending).rejects.toThrow('shutting down');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(vendor.requests).toBe(1);
  });

  it('fails with "answered garbage" on a non-JSON body', async () => {
    vendor.garbageNext(1);
    const e = await failure(connector(vendor).fetchPage(null, { limit: 10 }));
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/answered garbage: not JSON.*Bad Gateway/);
  });

  it('rejects a malformed record and keeps the rest of its page', async () => {
    vendor.push(...Array.from({ length: 5 }, (_, i) => reading(i)));
    vendor.push({ meterCode: 'M9', readAt: '2025-05-01T00:00:00Z', cumulativeVolume: -3, flowRate: null });
    vendor.push({ meterCode: 'M9', readAt: '2025-05-01T00:00:00Z', cumulativeVolume: 'lots', flowRate: null });
    vendor.push({ meterCode: 'M9', readAt: '2025-02-30T00:00:00Z', cumulativeVolume: 1, flowRate: null });
    vendor.push({ meterCode: 'M9', readAt: '2025-05-01T00:00:00', cumulativeVolume: 1, flowRate: null });
    vendor.push({ meterCode: 'M9', readAt: '2025-05-01T00:00:00Z', cumulativeVolume: '12.5', flowRate: 'fast' });
    vendor.malformed(2);
    const page = await connector(vendor).fetchPage(null, { limit: 100 });
    expect(page.readings.map((r) => r.cumulativeVolume)).toEqual([1000, 1001, 1003, 1004]);
    expect(page.rejected).toEqual([
      { position: 3, reason: 'meterCode is missing' },
      { position: 6, reason: expect.stringMatching(/cumulativeVolume -3 is negative/) },
      { position: 7, reason: expect.stringMatching(/cumulativeVolume "lots" is not a finite number/) },
      { position: 8, reason: expect.stringMatching(/not a valid calendar/) },
      { position: 9, reason: expect.stringMatching(/no UTC offset/) },
      { position: 10, reason: expect.stringMatching(/flowRate "fast"/) },
    ]);
  });
});

describe('http-json connector against hand-written answers', () => {
  const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
    // The hub's one HTTP client is the transport; it answers by hand here.
    const header = (name: string) => headers[name.toLowerCase()] ?? null;
    return jest.spyOn(httpClient, 'request').mockResolvedValue({ status, statusText: '', header, text: body });
  };
  const c = () => httpJsonConnector.create(httpJsonConnector.parseConfig({ baseUrl: 'https://u:p@vendor.test/api/', token: TOKEN, maxRetries: 0 }));
  afterEach(() => jest.restoreAllMocks());

  it('fails with "answered garbage" when there is no readings array, without user info in the message', async () => {
    answer(200, '{"data":[1,2,3]}');
    const e = await failure(c().fetchPage(null, { limit: 10 }));
    expect(e.message).toMatch(/^https:\/\/vendor\.test\/api\/readings answered garbage: no "readings" array in \{"data":\[1,2,3\]\}/);
    expect(e.message).not.toContain('u:p');
  });

  it('treats a JSON body echoing the token as garbage without repeating the token', async () => {
    answer(200, JSON.stringify({ error: `bad token ${TOKEN}` }));
    const e = await failure(c().fetchPage(null, { limit: 10 }));
    expect(e.message).toMatch(/answered garbage/);
    expect(e.message).not.toContain('t0ps3cret');
  });

  it('refuses to follow a redirect, and names 404 as a baseUrl problem', async () => {
    answer(302, '', { location: 'https://elsewhere.test/' });
    expect((await failure(c().fetchPage(null, { limit: 10 }))).message).toMatch(/redirected.*elsewhere\.test/);
    jest.restoreAllMocks();
    answer(404, 'nope');
    const e = await failure(c().fetchPage(null, { limit: 10 }));
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/check baseUrl/);
  });

  it('builds the URL from baseUrl and the cursor', async () => {
    const spy = answer(200, '{"readings":[],"nextCursor":null}');
    await c().fetchPage('a b&c', { limit: 7 });
    const url = spy.mock.calls[0][0] as URL;
    expect(url.pathname).toBe('/api/readings');
    expect(url.searchParams.get('after')).toBe('a b&c');
    expect(url.searchParams.get('limit')).toBe('7');
    const init = spy.mock.calls[0][1];
    expect(init.headers?.Authorization).toBe(TOKEN);
  });

  it('reads done from an empty page or a cursor that did not move, not from a short page', async () => {
    const rec = { meterCode: 'M1', readAt: '2025-05-01T08:00:00+08:00', cumulativeVolume: 1, flowRate: 0.5 };
    answer(200, JSON.stringify({ readings: [rec, rec], nextCursor: 'k2' }));
    const full = await c().fetchPage('k0', { limit: 2 });
    expect(full).toMatchObject({ nextCursor: 'k2', done: false });
    expect(full.readings[0].readAt.toISOString()).toBe('2025-05-01T00:00:00.000Z');
    jest.restoreAllMocks();
    answer(200, JSON.stringify({ readings: [rec, rec], nextCursor: 'k2' }));
    expect(await c().fetchPage('k2', { limit: 2 })).toMatchObject({ nextCursor: 'k2', done: true });
  });
});

describe('http-json settings', () => {
  const parse = (c: unknown) => () => httpJsonConnector.parseConfig(c);

  it('applies the defaults and marks the token secret', () => {
    expect(httpJsonConnector.parseConfig({ baseUrl: 'https://vendor.example/api', token: 'Bearer x' })).toEqual({
      baseUrl: 'https://vendor.example/api',
      authHeader: 'Authorization',
      token: 'Bearer x',
      timeoutMs: 15000,
      maxRetries: 4,
      retryBaseMs: 500,
    });
    expect(httpJsonConnector.secretKeys).toEqual(['token']);
    expect(httpJsonConnector.type).toBe('http-json');
  });

  it('names the bad field', () => {
    expect(parse({ token: 'x' })).toThrow(/baseUrl is required/);
    expect(parse({ baseUrl: 'ftp://vendor.example', token: 'x' })).toThrow(/baseUrl must be an http/);
    expect(parse({ baseUrl: 'not a url', token: 'x' })).toThrow(/baseUrl/);
    expect(parse({ baseUrl: 'https://v.example' })).toThrow(/token is required/);
    expect(parse({ baseUrl: 'https://v.example', token: 'x', timeoutMs: -5 })).toThrow(/timeoutMs must be at least 1/);
    expect(parse({ baseUrl: 'https://v.example', token: 'x', maxRetries: 1.5 })).toThrow(/maxRetries must be a whole number/);
    expect(parse({ baseUrl: 'https://v.example', token: 'x', authHeader: 'Bad Header:' })).toThrow(/authHeader/);
    expect(parse(null)).toThrow(/baseUrl/);
    expect(parse({ baseUrl: 'https://v.example', token: 'x', retryBaseMs: 'soon' })).toThrow(FeedError);
  });

  it('never echoes the token in a settings error', () => {
    expect(parse({ baseUrl: 'https://v.example', token: 'line\nbreak-secret' })).toThrow(/token must not contain line breaks/);
    try {
      httpJsonConnector.parseConfig({ baseUrl: 'https://v.example', token: 'line\nbreak-secret' });
    } catch (e) {
      expect((e as Error).message).not.toContain('break-secret');
    }
  });
});

describe('retry timing helpers', () => {
  it('parses Retry-After as seconds or an HTTP date, capped at 60 s', () => {
    const now = Date.parse('2025-05-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('3600', now)).toBe(60_000);
    expect(parseRetryAfter('Thu, 01 May 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 30 Apr 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('whenever', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('backs off exponentially with jitter, capped at 60 s', () => {
    expect(backoffMs(0, 500, () => 0)).toBe(250);
    expect(backoffMs(0, 500, () => 1)).toBe(500);
    expect(backoffMs(3, 500, () => 1)).toBe(4000);
    expect(backoffMs(20, 500, () => 1)).toBe(60_000);
  });

  it('parses ISO 8601 with offsets', () => {
    expect((parseIsoDateTime('2025-05-01 08:00:00.250+08:00') as Date).toISOString()).toBe('2025-05-01T00:00:00.250Z');
    expect((parseIsoDateTime('2025-05-01T08:00+0800') as Date).toISOString()).toBe('2025-05-01T00:00:00.000Z');
    expect((parseIsoDateTime('2025-05-01T08:00:00', '+08:00') as Date).toISOString()).toBe('2025-05-01T00:00:00.000Z');
    expect(parseIsoDateTime('2025-05-01T24:00:00Z')).toMatch(/not a valid calendar/);
    expect(parseIsoDateTime('1714521600')).toMatch(/not an ISO 8601/);
  });
});

describe('http-json connector under the outbound address policy', () => {
  let vendor: FakeVendor;
  beforeAll(async () => {
    vendor = await startFakeVendor({ token: TOKEN });
  });
  afterAll(() => vendor.close());
  const create = (baseUrl: string, policy: AddressPolicy) =>
    httpJsonConnector.create(httpJsonConnector.parseConfig({ baseUrl, token: TOKEN, retryBaseMs: 10, maxRetries: 2, timeoutMs: 2000 }), { policy });

  it('refuses an internal address at connect time, a literal or a name resolving to it (DNS rebinding), with no retry', async () => {
    const port = new URL(vendor.url).port;
    for (const base of [vendor.url, `http://localhost:${port}`, `http://[::ffff:7f00:1]:${port}`]) {
      const e = await failure(create(base, new AddressPolicy()).fetchPage(null, { limit: 10 }));
      expect([base, e.message, e.retryable]).toEqual([base, expect.stringMatching(/outbound address policy.*internal address/), false]);
    }
    expect(vendor.requests).toBe(0);
    await expect(create(vendor.url, new AddressPolicy(['127.0.0.1'])).fetchPage(null, { limit: 10 })).resolves.toMatchObject({ done: true });
    const outside = await failure(create(`http://localhost:${port}`, new AddressPolicy(['127.0.0.1'], ['vendor.example.cn'])).fetchPage(null, { limit: 10 }));
    expect(outside.message).toMatch(/outside the allowed destination domains \(HUB_OUTBOUND_ALLOWED_DOMAINS/);
  });
});
