import { reportRateLimit } from '../../src/modules/report/report.service';
import { TestHub, startTestHub } from '../support/hub';

/**
 * Rate limits on /graphql (issue 11 item 6): per subject when authenticated, per client address otherwise, anonymous
 * submissions strictest; HTTP 429, Retry-After, code RATE_LIMITED; shared through Redis between hub processes.
 */
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const LIMITS = { HUB_RATE_LIMIT_SUBMISSIONS: '2', HUB_RATE_LIMIT_MUTATIONS: '4', HUB_RATE_LIMIT_OPERATIONS: '30' };
// Counted once resolved, whatever the input: an empty input fails on its own (BAD_USER_INPUT) below the limit.
const REPORT = `mutation($i: FalseInformationReportInput!) { reportFalseInformation(input: $i) { receiptNo } }`;
const REPORT_BY_FRAGMENT = `mutation($i: FalseInformationReportInput!) { ...R } fragment R on Mutation { reportFalseInformation(input: $i) { receiptNo } }`;
const MUTATION = `mutation { setDataSourceEnabled(id: "00000000-0000-0000-0000-000000000000", enabled: false) { id } }`;

async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables: { i: {} } }),
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), code: body.errors?.[0]?.extensions?.code, body };
}

describe('rate limits, in-process', () => {
  let t: TestHub;
  beforeAll(async () => {
    reportRateLimit.reset();
    t = await startTestHub('ratelimit_mem', { env: LIMITS });
  });
  afterAll(() => t?.stop());

  it('refuses the third anonymous submission from one address with 429, Retry-After and RATE_LIMITED, fragments included', async () => {
    expect((await post(t.url, REPORT)).status).toBe(200);
    expect((await post(t.url, REPORT_BY_FRAGMENT)).status).toBe(200);
    const refused = await post(t.url, REPORT);
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    expect(JSON.stringify(refused.body)).toMatch(/请求过于频繁/);
    // Queries of the same address are not submissions.
    expect((await post(t.url, `{ __typename }`)).status).toBe(200);
  });

  it('keys authenticated callers by subject: one subject over its mutation limit leaves another untouched', async () => {
    const a = { authorization: `Bearer ${t.token('SYSTEM_ADMIN', { subject: 'officer-a' })}` };
    const b = { authorization: `Bearer ${t.token('SYSTEM_ADMIN', { subject: 'officer-b' })}` };
    for (let i = 0; i < 4; i++) expect((await post(t.url, MUTATION, a)).code).not.toBe('RATE_LIMITED');
    expect(await post(t.url, MUTATION, a)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect((await post(t.url, MUTATION, b)).code).not.toBe('RATE_LIMITED');
  });

  it('ignores X-Forwarded-For without HUB_TRUST_PROXY (a client cannot pick a fresh address)', async () => {
    expect(await post(t.url, REPORT, { 'x-forwarded-for': '203.0.113.9' })).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });
});

describe('rate limits behind a trusted proxy', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('ratelimit_proxy', { env: { ...LIMITS, HUB_TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => t?.stop());

  it('keys anonymous callers by the forwarded client address', async () => {
    const one = { 'x-forwarded-for': '203.0.113.1' };
    for (let i = 0; i < 2; i++) expect((await post(t.url, REPORT, one)).status).toBe(200);
    expect((await post(t.url, REPORT, one)).status).toBe(429);
    expect((await post(t.url, REPORT, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(200);
  });
});

describe('rate limits shared through Redis', () => {
  let a: TestHub;
  let b: TestHub;
  beforeAll(async () => {
    // The same label: the same Redis prefix, as two processes of one hub deployment have.
    a = await startTestHub('ratelimit_redis', { redisUrl: REDIS_URL, env: LIMITS });
    b = await startTestHub('ratelimit_redis', { redisUrl: REDIS_URL, env: LIMITS });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('counts one address across hub processes', async () => {
    expect((await post(a.url, REPORT)).status).toBe(200);
    expect((await post(b.url, REPORT)).status).toBe(200);
    expect(await post(a.url, REPORT)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(await post(b.url, REPORT)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });
});

describe('rate limits over WebSocket', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('ratelimit_ws', { env: { HUB_RATE_LIMIT_OPERATIONS: '3' } });
  });
  afterAll(() => t?.stop());

  it('counts each subscription in the caller’s operations bucket, with HTTP operations: past it, RATE_LIMITED', async () => {
    const { subscribe } = await import('../support/ws');
    const token = t.token('PARTNER_AGENCY', { agency: '行政审批局', subject: 'agency:ws-limit' });
    const SUB = `subscription { ratingChanged { grade } }`;
    const first = subscribe(t.url, SUB, {}, token);
    await first.listening();
    const second = subscribe(t.url, SUB, {}, token);
    await second.listening();
    // The third operation of this subject goes over HTTP, the fourth over the socket: both over the limit of 3.
    expect((await t.gql(`{ __typename }`, {}, token)).errors).toBeUndefined();
    const third = subscribe(t.url, SUB, {}, token);
    const [r] = await third.waitFor(1);
    expect(r.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // Another subject is untouched.
    const other = subscribe(t.url, SUB, {}, t.token('PARTNER_AGENCY', { agency: '工信局', subject: 'agency:ws-other' }));
    await other.listening();
    for (const s of [other, third, second, first]) await s.dispose(); // newest first: each waits for the count it saw
  });
});
