import IORedis from 'ioredis';
import { signToken } from '../../src/platform/auth/principal';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { verify } from '../../src/modules/webhook/standard-webhooks';
import { eventually } from '../support/eventually';
import { TEST_SECRET, testDatabase } from '../support/hub';
import { inPeriod } from '../support/policy-time';
import { HubProcess, PrivateRedis, freePort, spawnHub, stopHub, within } from '../support/processes';
import { ReceivedWebhook, startReceiver, WebhookReceiver } from '../support/webhook-receiver';
import { subscribe, TestSubscriber } from '../support/ws';

/**
 * Issue 4, item 5: two API processes and one worker process on one Postgres (a schema of
 * this test) and one Redis (a redis-server of this test's own, so it can be flushed and
 * restarted without touching anyone else).
 *
 * - A subscriber on API A receives the changes made through API B.
 * - A webhook receiver is down for a stretch while changes keep coming, and Redis is
 *   FLUSHALLed in the middle of it (every queued retry job is gone): once the receiver is
 *   back it gets every event; after deduplication by webhook-id each event arrives once,
 *   and each enterprise's sequence numbers run 1, 2, 3… without a gap.
 * - Redis is stopped while changes are committed (the relay cannot publish: the events
 *   wait in the outbox) and started again: subscriber and receiver get them all.
 *
 * Webhook retries run at 1/2000 of real time (HUB_WEBHOOK_RETRY_SCALE): 5 s, 5 min, 30 min,
 * 2 h… become 2.5 ms, 150 ms, 0.9 s, 3.6 s, 9 s…
 */
jest.setTimeout(240_000);

const codes = [1, 2, 3].map((n) => withCheckChar(`91130821MX${String(n).padStart(7, '0')}`));
const admin = signToken({ role: 'PROVINCE_AUTHORITY', regions: ['130000'], subject: 'admin:test' }, TEST_SECRET);
const partner = signToken({ role: 'PARTNER_AGENCY', agency: '工信局', regions: ['130800'], subject: 'agency:industry' }, TEST_SECRET);

let redis: PrivateRedis;
let database: Awaited<ReturnType<typeof testDatabase>>;
let apiA: HubProcess;
let apiB: HubProcess;
let worker: HubProcess;
let urlA: string;
let urlB: string;
let receiver: WebhookReceiver;
let receiverPort: number;
let subscriber: TestSubscriber;
let secret: string;
/** Per enterprise, the open SEVERE record (set: the grade is D). */
const openRecord = new Map<string, string | null>();

const outputs = () => [apiA, apiB, worker].map((p) => p?.output() ?? '').join('');

async function gql(url: string, query: string, variables: Record<string, unknown> = {}, token = admin): Promise<any> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: any[] };
  if (body.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Flips an enterprise's grade through API B: B → D (a severe record) or D → B (revoked). */
async function flip(creditCode: string): Promise<void> {
  const open = openRecord.get(creditCode);
  if (open) {
    await gql(urlB, `mutation($id: ID!) { setCreditRecordStatus(id: $id, status: REVOKED, reason: "异议成立") { id } }`, { id: open });
    openRecord.set(creditCode, null);
  } else {
    const d = await gql(urlB, `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { id } }`, {
      i: { creditCode, indicator: '1.1', level: 'SEVERE', occurredAt: inPeriod(30), basis: '第十一条' },
    });
    openRecord.set(creditCode, d.recordDishonesty.id);
  }
}

async function outbox(): Promise<{ eventId: string; creditCode: string; sequence: number; published: boolean }[]> {
  return database.db.manager.query(
    `SELECT event_id::text AS "eventId", payload->>'creditCode' AS "creditCode", sequence, published_at IS NOT NULL AS published FROM outbox_event ORDER BY id`,
  );
}

/** Event ids the receiver has, once each (duplicates by webhook-id dropped), with signatures checked. */
function receivedEvents(hits: ReceivedWebhook[]): Map<string, { creditCode: string; sequence: number }> {
  const byMessage = new Map<string, ReceivedWebhook>();
  for (const h of hits) if (h.headers['webhook-id'] && !byMessage.has(String(h.headers['webhook-id']))) byMessage.set(String(h.headers['webhook-id']), h);
  const events = new Map<string, { creditCode: string; sequence: number }>();
  for (const h of byMessage.values()) {
    verify(secret, h.headers, h.body);
    const { data } = JSON.parse(h.body);
    expect(events.has(data.eventId)).toBe(false); // one webhook-id per event
    events.set(data.eventId, { creditCode: data.creditCode, sequence: data.sequence });
  }
  return events;
}

/** Waits (through `eventually`) until `check` holds; on a time-out, says what, with the deliveries and the processes' output. */
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  try {
    await eventually(
      async () => {
        if (!(await check())) throw new Error(what);
      },
      { timeoutMs: ms, intervalMs: 200 },
    );
  } catch {
    const deliveries = await database.db.manager.query(
      `SELECT status, attempts, next_attempt_at - now() AS due_in, locked_until - now() AS locked_for, last_error, count(*)::int AS n FROM webhook_delivery GROUP BY 1,2,3,4,5 ORDER BY 1,2`,
    );
    throw new Error(`${what}: not within ${ms / 1000} s\n--- deliveries ---\n${JSON.stringify(deliveries, null, 1)}${outputs()}`);
  }
}

/** Resolves once every event after the first grades has its webhook delivery and each was attempted at least once. */
const everyDeliveryTried = () =>
  eventually(
    async () => {
      const expected = (await outbox()).filter((e) => e.sequence > 1 && e.published).length;
      const [d] = await database.db.manager.query(`SELECT count(*)::int AS n, (count(*) FILTER (WHERE attempts = 0))::int AS untried FROM webhook_delivery`);
      expect({ ...d, unpublished: (await outbox()).filter((e) => !e.published).length }).toEqual({ n: expected, untried: 0, unpublished: 0 });
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );

const subscribedIds = () => new Set(subscriber.results.map((r) => r.data?.ratingChanged?.eventId).filter(Boolean));

beforeAll(async () => {
  redis = await PrivateRedis.start();
  database = await testDatabase('scaleout');
  // Every process of a deployment shares the allow-list (registration checks it, the worker connects).
  const fast = { HUB_OUTBOX_POLL_MS: '200', HUB_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' };
  apiA = spawnHub('api', 'api-A', database.schema, redis.url, { ...fast, HUB_RUN_WORKERS: 'false' });
  apiB = spawnHub('api', 'api-B', database.schema, redis.url, { ...fast, HUB_RUN_WORKERS: 'false' });
  worker = spawnHub('worker', 'worker', database.schema, redis.url, { ...fast, HUB_WEBHOOK_RETRY_SCALE: '0.0005' });
  [urlA, urlB] = await within(Promise.all([apiA.ready, apiB.ready]), 60_000, () => new Error(`API processes not ready${outputs()}`));
  for (const c of codes) {
    await gql(urlB, `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: "130821" }) { id } }`, { c });
    await gql(urlB, `mutation($c: String!) { evaluateEnterprise(creditCode: $c) { grade } }`, { c }); // first grade B: event 1
  }
  receiverPort = await freePort();
  receiver = await startReceiver(receiverPort);
});

afterAll(async () => {
  await subscriber?.dispose();
  await Promise.all([apiA, apiB, worker].map((p) => stopHub(p).catch(() => undefined)));
  await receiver?.close().catch(() => undefined);
  await redis?.down();
  await database?.drop();
});

it('a subscriber on API A receives a change made through API B', async () => {
  // The first grades' events go out before anyone listens (the worker relays them whenever it is up).
  await until('the first grades published', async () => (await outbox()).every((e) => e.published));
  subscriber = subscribe(urlA, `subscription { ratingChanged { eventId sequence grade previousGrade enterprise { creditCode } } }`, {}, partner);
  await subscriber.connected;
  const hook = await gql(
    urlB,
    `mutation($i: WebhookInput!) { registerWebhook(input: $i) { id secret } }`,
    { i: { url: receiver.url, events: ['rating.changed'] } },
    partner,
  );
  secret = hook.registerWebhook.secret;
  await subscriber.listening();
  await flip(codes[0]);
  const [first] = await subscriber.waitFor(1, 30_000);
  expect(first.data.ratingChanged).toMatchObject({ grade: 'D', previousGrade: 'B', sequence: 2, enterprise: { creditCode: codes[0] } });
  await receiver.waitFor((all) => all.length >= 1);
});

it('a receiver that was down, with Redis flushed meanwhile, gets every event once, in a recoverable order', async () => {
  await receiver.close();
  for (let i = 0; i < 6; i++) await flip(codes[i % 3]);
  await everyDeliveryTried(); // first attempts fail, retries are queued in Redis…
  const r = new IORedis(redis.url);
  expect(await r.zcard('hub:notify:delayed')).toBeGreaterThan(0);
  // …and are gone: flushed and checked in one MULTI, since the workers may queue a new retry right after the flush.
  const [[, flushed], [, left]] = (await r.multi().flushall().exists('hub:notify:delayed').exec()) as [[null, string], [null, number]];
  expect([flushed, left]).toEqual(['OK', 0]);
  r.disconnect();
  for (let i = 0; i < 6; i++) await flip(codes[i % 3]);
  await everyDeliveryTried(); // these fail too before the receiver is back
  receiver = await startReceiver(receiverPort, receiver.received);

  const all = await outbox();
  const expected = all.filter((e) => e.sequence > 1); // the first grades were given before the webhook existed
  await until('every event delivered to the webhook', () => receivedEvents(receiver.received).size >= expected.length, 120_000);
  const got = receivedEvents(receiver.received);
  expect([...got.keys()].sort()).toEqual(expected.map((e) => e.eventId).sort());
  for (const c of codes) {
    const seqs = [...got.values()]
      .filter((e) => e.creditCode === c)
      .map((e) => e.sequence)
      .sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 2));
  }
  await until('every event reached the subscriber on A', () => subscribedIds().size >= expected.length);
  expect([...subscribedIds()].sort()).toEqual(expected.map((e) => e.eventId).sort());
});

it('changes committed while Redis is down go out once it is back', async () => {
  const failedBefore = (worker.output().match(/outbox relay: publish failed/g) ?? []).length;
  await redis.down();
  for (let i = 0; i < 3; i++) await flip(codes[i]);
  // The worker's relay has tried to publish them and failed (it says so once per outage).
  await eventually(() => expect((worker.output().match(/outbox relay: publish failed/g) ?? []).length).toBeGreaterThan(failedBefore), { timeoutMs: 30_000 });
  const waiting = (await outbox()).filter((e) => !e.published);
  expect(waiting).toHaveLength(3); // nothing lost, nothing published
  await redis.up();
  const all = (await outbox()).filter((e) => e.sequence > 1);
  await until('the outbox drained', async () => (await outbox()).every((e) => e.published));
  await until('the subscriber on A caught up', () => subscribedIds().size >= all.length);
  expect([...subscribedIds()].sort()).toEqual(all.map((e) => e.eventId).sort());
  await until('the receiver caught up', () => receivedEvents(receiver.received).size >= all.length, 120_000);
  expect([...receivedEvents(receiver.received).keys()].sort()).toEqual(all.map((e) => e.eventId).sort());
});
