import { auditDeclaration, resultFacts } from '../../src/modules/audit/audited';
import { hubSchema } from '../../src/schema';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { findByCreditCode } from '../../src/modules/enterprise/enterprise.repository';
import { ratingService } from '../../src/modules/rating/rating.service';
import { withTransaction } from '../../src/platform/context';
import { testContext } from '../support/context';
import { newSecret, verify } from '../../src/modules/webhook/standard-webhooks';
import { signToken } from '../../src/platform/auth/principal';
import { MAX_SUBSCRIPTIONS_PER_SOCKET } from '../../src/platform/graphql/subscriptions';
import { TEST_SECRET, TestHub, codeOf, startTestHub } from '../support/hub';
import { startReceiver, WebhookReceiver } from '../support/webhook-receiver';
import { eventually } from '../support/eventually';
import { openSubscriptions, subscribe } from '../support/ws';
import { fromNow, inPeriod } from '../support/policy-time';

/**
 * Issue 4 in one process (in-process queue and relay): the outbox, graphql-ws
 * subscriptions with jurisdiction and validation, Standard Webhooks deliveries with
 * retries, 410, dead letters, replay and secret rotation. Retry delays run at a millionth
 * of real time (HUB_WEBHOOK_RETRY_SCALE), so the three-day schedule takes a quarter second.
 */
let t: TestHub;
let admin: string;
let receiver: WebhookReceiver;
const code = (n: number, region = '130821') => withCheckChar(`91${region}MC${String(n).padStart(7, '0')}`);
const E = code(1);
const F = code(2, '130822');
const occurredAt = inPeriod(30);
const partner = () => t.token('PARTNER_AGENCY', { agency: '行政审批局', regions: ['130821'], subject: 'agency:approval' });
const SUB = `subscription($r: String, $c: String) { ratingChanged(regionCode: $r, creditCode: $c) {
  eventId sequence previousGrade grade changedAt enterprise { creditCode regionCode legalRepresentative } rating { grade score policyVersion } } }`;
const REGISTER = `mutation($i: WebhookInput!) { registerWebhook(input: $i) { id url events active secret regionCode agency } }`;

async function severe(creditCode: string): Promise<string> {
  const r = await t.gql(
    `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { id } }`,
    { i: { creditCode, indicator: '1.1', level: 'SEVERE', occurredAt, basis: '第十一条' } },
    admin,
  );
  expect(r.errors).toBeUndefined();
  return r.data.recordDishonesty.id;
}
async function revoke(id: string): Promise<void> {
  const r = await t.gql(`mutation($id: ID!) { setCreditRecordStatus(id: $id, status: REVOKED, reason: "异议成立") { status } }`, { id }, admin);
  expect(r.errors).toBeUndefined();
}
const outboxCount = async () => (await t.db.manager.query(`SELECT count(*)::int AS n FROM outbox_event`))[0].n as number;
/**
 * The readiness signal for "nothing more will arrive": every outbox event is published (its
 * webhook deliveries, if any, were created with it) and no delivery is still pending.
 */
const settled = () =>
  eventually(
    async () => {
      const [n] = await t.db.manager.query(
        `SELECT (SELECT count(*) FROM outbox_event WHERE published_at IS NULL)::int AS unpublished, (SELECT count(*) FROM webhook_delivery WHERE status = 'PENDING')::int AS pending`,
      );
      expect(n).toEqual({ unpublished: 0, pending: 0 });
    },
    { timeoutMs: 15_000 },
  );

beforeAll(async () => {
  t = await startTestHub('partners', { env: { HUB_WEBHOOK_RETRY_SCALE: '0.000001' } });
  admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'] });
  receiver = await startReceiver();
  for (const [c, region] of [
    [E, '130821'],
    [F, '130822'],
  ]) {
    const r = await t.gql(
      `mutation($c: String!, $r: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: $r, legalRepresentative: "李明" }) { id } }`,
      { c, r: region },
      admin,
    );
    expect(r.errors).toBeUndefined();
  }
});
afterAll(async () => {
  await t?.stop();
  await receiver?.close();
});

describe('outbox', () => {
  it('writes one event per grade change, numbered per enterprise, and none when the grade stays', async () => {
    const before = await outboxCount();
    await t.gql(`mutation { evaluateEnterprise(creditCode: "${E}") { grade } }`, {}, admin); // first grade: B
    await t.gql(`mutation { evaluateEnterprise(creditCode: "${E}") { grade } }`, {}, admin); // still B
    expect(await outboxCount()).toBe(before + 1);
    const [ev] = await t.db.manager.query(
      `SELECT sequence, payload FROM outbox_event o JOIN enterprise e ON e.id = o.enterprise_id WHERE e.credit_code = $1 ORDER BY o.id DESC LIMIT 1`,
      [E],
    );
    expect(ev.sequence).toBe(1);
    expect(ev.payload).toMatchObject({ type: 'rating.changed', creditCode: E, regionCode: '130821', previousGrade: null, grade: 'B', sequence: 1 });
    expect(JSON.stringify(ev.payload)).not.toMatch(/李明|企业/);
  });

  it('a change whose transaction fails after the re-grade leaves no event', async () => {
    const before = await outboxCount();
    let changed = false;
    await expect(
      withTransaction(testContext(t.jobs.deps), async (ctx) => {
        const e = (await findByCreditCode(ctx.db, E, true))!;
        await ctx.db.query(
          `INSERT INTO credit_record (enterprise_id, kind, indicator, level, occurred_at, determined_by, determined_at, determining_region_code,
             determining_authority_kind, conduct_region_code) VALUES ($1, 'DISHONESTY', '1.1', 'SEVERE', $2, 'test', now(), $3, 'COUNTY_WATER_AUTHORITY', $3)`,
          [e.id, inPeriod(1), e.regionCode],
        );
        changed = (await ratingService.evaluateIn(ctx, e, new Date())).changed;
        throw new Error('fails after the outbox insert');
      }),
    ).rejects.toThrow(/fails after/);
    expect(changed).toBe(true); // the event was written…
    expect(await outboxCount()).toBe(before); // …and rolled back with the change
  });
});

describe('ratingChanged over graphql-ws', () => {
  it("delivers changes in the partner's jurisdiction, masked, with sequence numbers, and nothing outside it", async () => {
    const s = subscribe(t.url, SUB, {}, partner());
    await s.listening();
    const id = await severe(F); // 130822: outside the partner's scope
    await revoke(id);
    const rec = await severe(E); // B → D
    const [first] = await s.waitFor(1);
    expect(first.errors).toBeUndefined();
    expect(first.data.ratingChanged).toMatchObject({
      previousGrade: 'B',
      grade: 'D',
      sequence: 2,
      enterprise: { creditCode: E, regionCode: '130821', legalRepresentative: '李*' },
      rating: { grade: 'D' },
    });
    await revoke(rec); // D → B
    const all = await s.waitFor(2);
    expect(all[1].data.ratingChanged).toMatchObject({ previousGrade: 'D', grade: 'B', sequence: 3 });
    expect(all.every((r) => r.data.ratingChanged.enterprise.creditCode === E)).toBe(true);
    await s.dispose();
    const [audit] = await t.db.manager.query(`SELECT outcome, detail FROM audit_log WHERE action = 'subscribe:ratingChanged' ORDER BY id DESC LIMIT 1`);
    expect(audit).toMatchObject({ outcome: 'OK', detail: { agency: '行政审批局' } });
  });

  it('logs each change a subscriber is sent as a read of the result (Art. 23), with the purpose stated in connection_init', async () => {
    const purpose = '行政审批事项信用核查';
    const s = subscribe(t.url, SUB, { c: E }, partner(), { purpose });
    await s.listening();
    const rec = await severe(E);
    await s.waitFor(1);
    await revoke(rec);
    await s.waitFor(2);
    await s.dispose();
    await eventually(async () => {
      const rows = await t.db.manager.query(
        `SELECT r.reader_subject, r.reader_role, r.reader_agency, r.purpose, r.fields FROM result_read r JOIN enterprise e ON e.id = r.enterprise_id
          WHERE e.credit_code = $1 AND 'ratingChanged' = ANY(r.fields) AND r.purpose = $2`,
        [E, purpose],
      );
      expect(rows).toEqual(
        Array(2).fill({ reader_subject: 'agency:approval', reader_role: 'PARTNER_AGENCY', reader_agency: '行政审批局', purpose, fields: ['ratingChanged'] }),
      );
    });
  });

  it('filters by creditCode', async () => {
    const s = subscribe(t.url, SUB, { c: F }, t.token('CITY_AUTHORITY', { regions: ['130800'] }));
    await s.listening();
    await revoke(await severe(E));
    const id = await severe(F);
    const [only] = await s.waitFor(1);
    expect(only.data.ratingChanged.enterprise.creditCode).toBe(F);
    await revoke(id);
    await s.waitFor(2);
    expect(s.results.every((r) => r.data.ratingChanged.enterprise.creditCode === F)).toBe(true);
    // An authority of the region sees the legal representative unmasked: audited as over HTTP.
    expect(s.results[0].data.ratingChanged.enterprise.legalRepresentative).toBe('李明');
    const [read] = await t.db.manager.query(`SELECT detail FROM audit_log WHERE action = 'readPersonalData' ORDER BY id DESC LIMIT 1`);
    expect(read.detail).toMatchObject({ operation: 'subscription' });
    await s.dispose();
  });

  it('with since, delivers the changes published meanwhile before the live ones, each once', async () => {
    const seqOf = async () =>
      (
        await t.db.manager.query(`SELECT max(o.sequence)::int AS n FROM outbox_event o JOIN enterprise e ON e.id = o.enterprise_id WHERE e.credit_code = $1`, [
          E,
        ])
      )[0].n as number;
    const before = new Date().toISOString();
    const last = await seqOf();
    const id = await severe(E); // while "disconnected"
    await settled(); // the relay published it
    const s = subscribe(
      t.url,
      `subscription($c: String, $s: DateTime) { ratingChanged(creditCode: $c, since: $s) { eventId sequence grade } }`,
      { c: E, s: before },
      partner(),
    );
    const seqs = () => s.results.map((r) => r.data.ratingChanged.sequence);
    // Changes of the minute before `since` may come too (a margin for clocks): clients deduplicate by eventId.
    await s.waitFor(1);
    await eventually(() => expect(seqs()).toContain(last + 1));
    expect(s.results.find((r) => r.data.ratingChanged.sequence === last + 1)!.data.ratingChanged.grade).toBe('D');
    await revoke(id);
    await eventually(() => expect(seqs()).toContain(last + 2));
    // A later change, once it has arrived, shows nothing more of the two was going to (one enterprise's changes come in order).
    await revoke(await severe(E));
    await eventually(() => expect(seqs()).toContain(last + 4));
    expect(seqs().filter((n) => n > last)).toEqual([last + 1, last + 2, last + 3, last + 4]);
    expect(new Set(s.results.map((r) => r.data.ratingChanged.eventId)).size).toBe(s.results.length);
    await s.dispose();
    const old = subscribe(t.url, `subscription { ratingChanged(since: "2020-01-01T00:00:00Z") { eventId } }`, {}, partner());
    const [r] = await old.waitFor(1);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await old.dispose();
  });

  it('refuses with the same codes as HTTP', async () => {
    const cases: [Record<string, unknown>, string | undefined, string][] = [
      [{}, undefined, 'UNAUTHENTICATED'],
      [{ r: '130822' }, partner(), 'FORBIDDEN'],
      [{ r: '13082' }, partner(), 'BAD_USER_INPUT'],
      [{ c: withCheckChar('91130821MC9999999') }, partner(), 'NOT_FOUND'],
      [{ c: F }, partner(), 'FORBIDDEN'],
    ];
    for (const [vars, token, expected] of cases) {
      const s = subscribe(t.url, SUB, vars, token);
      const [r] = await s.waitFor(1);
      expect([vars, r.errors?.[0]?.extensions?.code]).toEqual([vars, expected]);
      await s.dispose();
    }
  });

  it('applies the HTTP operation limits and runs only subscriptions', async () => {
    const deep = `subscription { ratingChanged { enterprise { rating { enterprise { rating { enterprise { rating { enterprise { rating { enterprise { rating { enterprise { rating { grade } } } } } } } } } } } } } }`;
    let s = subscribe(t.url, deep, {}, partner());
    let [r] = await s.waitFor(1);
    expect(r.errors?.[0]?.message).toMatch(/depth/i);
    await s.dispose();
    s = subscribe(t.url, `query { webhooks { id } }`, {}, partner());
    [r] = await s.waitFor(1);
    expect(r.errors?.[0]?.message).toMatch(/Only subscriptions run over WebSocket/);
    await s.dispose();
  });

  it('caps the subscriptions one connection may hold', async () => {
    const results: any[] = [];
    const client = subscribe(t.url, SUB, {}, partner());
    await client.listening();
    const open = await openSubscriptions(t.url);
    for (let i = 1; i <= MAX_SUBSCRIPTIONS_PER_SOCKET; i++)
      client.client.subscribe({ query: SUB }, { next: (r) => results.push(r), error: (e) => results.push({ errors: e }), complete: () => undefined });
    // Every one the server accepted listens, and the one over the cap has its answer.
    await eventually(async () => {
      expect(await openSubscriptions(t.url)).toBe(open + MAX_SUBSCRIPTIONS_PER_SOCKET - 1);
      expect(results.length).toBeGreaterThan(0);
    });
    expect(results).toHaveLength(1);
    expect(JSON.stringify(results[0].errors)).toMatch(/At most 25 subscriptions per connection/);
    await client.dispose();
  });

  it('closes the socket when the token expires', async () => {
    const s = subscribe(t.url, SUB, {}, signToken({ role: 'PARTNER_AGENCY', agency: '行政审批局', expiresIn: '2s' }, TEST_SECRET));
    await s.connected;
    const closed = await s.closed;
    expect(closed).toEqual({ code: 4401, reason: expect.stringMatching(/expired/) });
    await s.dispose();
  });

  it('closes the socket with 4401 for a bad token', async () => {
    const s = subscribe(t.url, SUB, {}, 'not-a-token');
    const closed = await s.closed;
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/not valid/);
    await s.dispose();
  });
});

describe('webhooks', () => {
  let hookId: string;
  let secret: string;

  it('refuses bad registrations clearly and stores nothing', async () => {
    const p = partner();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ url: 'http://10.1.2.3/hook', events: ['rating.changed'] }, 'BAD_USER_INPUT', /private, loopback or link-local/],
      [{ url: 'http://169.254.169.254/latest', events: ['rating.changed'] }, 'BAD_USER_INPUT', /169\.254\.169\.254/],
      [{ url: 'https://[::ffff:10.0.0.1]/hook', events: ['rating.changed'] }, 'BAD_USER_INPUT', /private/],
      [{ url: 'ftp://example.com/x', events: ['rating.changed'] }, 'BAD_USER_INPUT', /https/],
      [{ url: 'https://nothing.invalid/x', events: ['rating.changed'] }, 'BAD_USER_INPUT', /does not resolve/],
      [{ url: receiver.url, events: ['rating.deleted'] }, 'BAD_USER_INPUT', /unknown event type/],
      [{ url: receiver.url, events: [] }, 'BAD_USER_INPUT', /at least one/],
      [{ url: receiver.url, events: ['rating.changed'], secret: 'hunter2' }, 'BAD_USER_INPUT', /whsec_/],
      [{ url: receiver.url, events: ['rating.changed'], regionCode: '130822' }, 'FORBIDDEN', /outside your jurisdiction/],
    ];
    for (const [i, expected, message] of cases) {
      const r = await t.gql(REGISTER, { i }, p);
      expect([i, codeOf(r)]).toEqual([i, expected]);
      expect(r.errors![0].message).toMatch(message);
    }
    expect(codeOf(await t.gql(REGISTER, { i: { url: receiver.url, events: ['rating.changed'] } }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await t.gql(REGISTER, { i: { url: receiver.url, events: ['rating.changed'] } }, t.token('ENTERPRISE', { creditCode: E })))).toBe('FORBIDDEN');
    expect((await t.db.manager.query(`SELECT count(*)::int AS n FROM webhook`))[0].n).toBe(0);
  });

  it('registers (secret shown once, never logged), delivers signed thin payloads', async () => {
    const chosen = newSecret();
    const r = await t.gql(REGISTER, { i: { url: receiver.url + '?token=abc', events: ['rating.changed'], secret: chosen } }, partner());
    expect(r.errors).toBeUndefined();
    ({ id: hookId, secret } = r.data.registerWebhook);
    expect(secret).toBe(chosen);
    expect(r.data.registerWebhook).toMatchObject({ active: true, agency: '行政审批局', events: ['rating.changed'] });
    const list = await t.gql(`{ webhooks { id secret } }`, {}, partner());
    expect(list.data.webhooks).toEqual([{ id: hookId, secret: null }]);
    // The refused registrations above are on record too; this one has one entry, naming the new webhook.
    const audits = await t.db.manager.query(`SELECT action, outcome, target_id, detail::text FROM audit_log WHERE target_id = $1 ORDER BY id`, [hookId]);
    expect(audits.map((a: any) => [a.action, a.outcome])).toEqual([['registerWebhook', 'OK']]);
    for (const a of audits) {
      expect(a.detail).not.toContain(chosen.slice(6, 20));
      expect(a.detail).not.toContain('token=abc');
    }
    expect(JSON.parse(audits[0].detail)).toMatchObject({ origin: new URL(receiver.url).origin, agency: '行政审批局' });

    const id = await severe(E);
    await receiver.waitFor((all) => all.length >= 1);
    const hit = receiver.received[0];
    expect(() => verify(secret, hit.headers as Record<string, string>, hit.body)).not.toThrow();
    expect(() => verify(secret, hit.headers as Record<string, string>, hit.body.replace('"D"', '"A"'))).toThrow(/no webhook-signature matches/);
    const body = JSON.parse(hit.body);
    expect(body).toMatchObject({ type: 'rating.changed', data: { creditCode: E, regionCode: '130821', grade: 'D', previousGrade: 'B' } });
    expect(Object.keys(body.data).sort()).toEqual([
      'asOf',
      'creditCode',
      'eventId',
      'grade',
      'policyVersion',
      'previousGrade',
      'ratingId',
      'regionCode',
      'score',
      'sequence',
    ]);
    expect(hit.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    await revoke(id);
    await receiver.waitFor((all) => all.length >= 2);
    // F is outside the partner's region: never delivered.
    await revoke(await severe(F));
    await settled();
    expect(receiver.received.map((h) => JSON.parse(h.body).data.creditCode)).toEqual([E, E]);
    // Each delivered change is a read of E's result by the webhook's owner (Art. 23), under the partners' default purpose.
    const reads = await t.db.manager.query(
      `SELECT r.reader_subject, r.purpose FROM result_read r JOIN enterprise e ON e.id = r.enterprise_id WHERE e.credit_code = $1 AND r.fields = '{webhook}'`,
      [E],
    );
    expect(reads).toEqual(
      Array(2).fill({ reader_subject: 'agency:approval', purpose: '联合奖惩（第十八至二十一条） / joint rewards and punishments (Art. 18–21)' }),
    );
  });

  it('retries failures with the same webhook-id until delivered, and logs every attempt', async () => {
    receiver.received.length = 0;
    let calls = 0;
    receiver.respond = () => (++calls <= 2 ? { status: 503 } : { status: 200 });
    const id = await severe(E);
    await receiver.waitFor((all) => all.length >= 3);
    const ids = new Set(receiver.received.map((h) => h.headers['webhook-id']));
    expect(ids.size).toBe(1);
    // The receiver has answered the third attempt; the hub records it (and the Art. 23 read) in its own transaction just after.
    await settled();
    const log = await t.gql(
      `query($id: ID!) { webhook(id: $id) { deliveries(first: 1) { messageId status attempts attemptLog { attempt statusCode } } } }`,
      { id: hookId },
      partner(),
    );
    expect(log.data.webhook.deliveries[0]).toEqual({
      messageId: [...ids][0],
      status: 'DELIVERED',
      attempts: 3,
      attemptLog: [
        { attempt: 1, statusCode: 503 },
        { attempt: 2, statusCode: 503 },
        { attempt: 3, statusCode: 200 },
      ],
    });
    receiver.respond = () => ({ status: 200 });
    await revoke(id);
    await receiver.waitFor((all) => all.length >= 4);
  });

  it('dead-letters after the last retry; a replay sends it again with the same id', async () => {
    receiver.received.length = 0;
    receiver.respond = () => ({ status: 500 });
    const id = await severe(E);
    await receiver.waitFor((all) => all.length >= 12);
    const q = `query($id: ID!) { webhook(id: $id) { deliveries(status: DEAD) { id messageId attempts lastStatusCode } } }`;
    const dead = await eventually(async () => {
      const d = (await t.gql(q, { id: hookId }, partner())).data.webhook.deliveries;
      expect(d).not.toHaveLength(0);
      return d;
    });
    expect(dead).toEqual([expect.objectContaining({ attempts: 12, lastStatusCode: 500 })]);
    expect(receiver.received).toHaveLength(12);
    receiver.respond = () => ({ status: 204 });
    const replay = await t.gql(`mutation($id: ID!) { replayWebhookDelivery(id: $id) { status messageId } }`, { id: dead[0].id }, partner());
    expect(replay.data.replayWebhookDelivery).toEqual({ status: 'PENDING', messageId: dead[0].messageId });
    await receiver.waitFor((all) => all.length >= 13);
    expect(receiver.received[12].headers['webhook-id']).toBe(dead[0].messageId);
    await revoke(id);
    await receiver.waitFor((all) => all.length >= 14);
  });

  it('replays a time range', async () => {
    receiver.received.length = 0;
    const r = await t.gql(
      `mutation($id: ID!, $from: DateTime!, $to: DateTime!) { replayWebhookDeliveries(webhookId: $id, from: $from, to: $to) }`,
      {
        id: hookId,
        from: new Date(Date.now() - 3_600_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
      },
      partner(),
    );
    const [{ n }] = await t.db.manager.query(`SELECT count(*)::int AS n FROM webhook_delivery WHERE webhook_id = $1`, [hookId]);
    expect(r.data.replayWebhookDeliveries).toBe(n);
    await receiver.waitFor((all) => all.length >= n);
    const bad = await t.gql(
      `mutation($id: ID!) { replayWebhookDeliveries(webhookId: $id, from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z") }`,
      { id: hookId },
      partner(),
    );
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    const old = await t.gql(
      `mutation($id: ID!, $from: DateTime!, $to: DateTime!) { replayWebhookDeliveries(webhookId: $id, from: $from, to: $to) }`,
      { id: hookId, to: fromNow(365), from: new Date(Date.now() - 100 * 86_400_000).toISOString() },
      partner(),
    );
    expect(old.errors![0].message).toMatch(/last 89 days/);
  });

  it('rotates the secret: both sign during the grace period', async () => {
    receiver.received.length = 0;
    const r = await t.gql(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret previousSecretValidUntil } }`, { id: hookId }, partner());
    const fresh = r.data.rotateWebhookSecret.secret;
    expect(fresh).not.toBe(secret);
    expect(new Date(r.data.rotateWebhookSecret.previousSecretValidUntil).getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    await revoke(await severe(E));
    await receiver.waitFor((all) => all.length >= 2);
    for (const hit of receiver.received) {
      expect(String(hit.headers['webhook-signature']).split(' ')).toHaveLength(2);
      verify(fresh, hit.headers, hit.body);
      verify(secret, hit.headers, hit.body);
    }
  });

  it('waits as long as a 429 asks (Retry-After, time-scaled here)', async () => {
    receiver.received.length = 0;
    let calls = 0;
    // 86,400 s at a millionth of real time: 86 ms, where the schedule alone would wait 5 µs.
    receiver.respond = () => (++calls === 1 ? { status: 429, headers: { 'retry-after': '86400' } } : { status: 200 });
    const id = await severe(E);
    await receiver.waitFor((all) => all.length >= 2);
    expect(receiver.received[1].at - receiver.received[0].at).toBeGreaterThanOrEqual(80);
    receiver.respond = () => ({ status: 200 });
    await revoke(id);
    await receiver.waitFor((all) => all.length >= 3);
  });

  it('another owner cannot see or change it, also with default token subjects', async () => {
    const defaults = t.token('PARTNER_AGENCY', { agency: '工信局' });
    const mine = await t.gql(REGISTER, { i: { url: receiver.url, events: ['rating.changed'] } }, t.token('PARTNER_AGENCY', { agency: '发改委' }));
    expect(codeOf(await t.gql(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, { id: mine.data.registerWebhook.id }, defaults))).toBe(
      'NOT_FOUND',
    );
    await t.gql(
      `mutation($id: ID!) { setWebhookActive(id: $id, active: false) { id } }`,
      { id: mine.data.registerWebhook.id },
      t.token('PARTNER_AGENCY', { agency: '发改委' }),
    );
    const other = t.token('PARTNER_AGENCY', { agency: '工信局', subject: 'agency:industry' });
    expect(codeOf(await t.gql(`query($id: ID!) { webhook(id: $id) { id } }`, { id: hookId }, other))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(`mutation($id: ID!) { setWebhookActive(id: $id, active: false) { id } }`, { id: hookId }, other))).toBe('NOT_FOUND');
    expect((await t.gql(`{ webhooks { id } }`, {}, other)).data.webhooks).toEqual([]);
  });

  it('410 Gone deactivates the webhook; later changes are not delivered', async () => {
    receiver.received.length = 0;
    receiver.respond = () => ({ status: 410 });
    const id = await severe(E);
    await receiver.waitFor((all) => all.length >= 1);
    await eventually(async () => {
      const hook = (await t.gql(`query($id: ID!) { webhook(id: $id) { active deactivatedReason } }`, { id: hookId }, partner())).data.webhook;
      expect(hook).toEqual({ active: false, deactivatedReason: 'the receiver answered 410 Gone' });
    });
    await revoke(id);
    await settled();
    expect(receiver.received).toHaveLength(1);
    const replay = await t.gql(
      `mutation($id: ID!, $from: DateTime!, $to: DateTime!) { replayWebhookDeliveries(webhookId: $id, from: $from, to: $to) }`,
      { id: hookId, to: fromNow(365), from: new Date(Date.now() - 3_600_000).toISOString() },
      partner(),
    );
    expect(codeOf(replay)).toBe('BAD_USER_INPUT');
    expect(replay.errors![0].message).toMatch(/inactive/);
  });
});

describe('the audit trail of these mutations', () => {
  it('every OK entry carries every fact its declaration draws from the result (replayWebhookDelivery names its webhook)', async () => {
    const schema = await hubSchema();
    const rows: { action: string; target_id: string | null; detail: Record<string, unknown> }[] = await t.db.manager.query(
      `SELECT action, target_id, detail FROM audit_log WHERE outcome = 'OK'`,
    );
    const missing = rows.flatMap((r) => {
      const decl = auditDeclaration(schema, r.action);
      if (!decl) return [];
      const names = resultFacts(decl).filter((n) => r.detail[n] === undefined);
      if (decl.id?.startsWith('result.') && r.target_id === null) names.push('id');
      return names.map((n) => `${r.action}: ${n}`);
    });
    expect([...new Set(missing)]).toEqual([]);
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['replayWebhookDelivery', 'replayWebhookDeliveries', 'registerWebhook', 'recordDishonesty']),
    );
  });
});
