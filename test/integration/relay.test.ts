import { randomUUID } from 'node:crypto';
import { RatingChangedEvent } from '../../src/modules/outbox/outbox';
import { pruneOutbox } from '../../src/modules/outbox/outbox.repository';
import { EventPublisher, OutboxRelay } from '../../src/modules/outbox/relay';
import { attemptDelivery } from '../../src/modules/webhook/webhook.delivery';
import { AddressPolicy } from '../../src/modules/webhook/url-guard';
import { newSecret } from '../../src/modules/webhook/standard-webhooks';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { testContext } from '../support/context';
import { TestHub, startTestHub } from '../support/hub';
import { startReceiver } from '../support/webhook-receiver';

/** Several relays and several senders on one outbox: each event published, each attempt made, once. */
let t: TestHub;
let enterpriseId: string;

beforeAll(async () => {
  t = await startTestHub('relay', { relay: false });
  const r = await t.gql(
    `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: "130821" }) { id } }`,
    { c: withCheckChar('91130821MR0000001') },
    t.token('PROVINCE_AUTHORITY', { regions: ['130000'] }),
  );
  enterpriseId = r.data.registerEnterprise.id;
});
afterAll(() => t?.stop());

let seq = 0;
async function addEvents(n: number): Promise<void> {
  const values = Array.from({ length: n }, () => {
    const s = ++seq;
    return {
      eventId: randomUUID(),
      type: 'rating.changed',
      sequence: s,
      enterpriseId,
      creditCode: 'c',
      regionCode: '130821',
      previousGrade: 'B',
      grade: 'D',
      score: 1,
      policyVersion: 'p',
      asOf: '',
      ratingId: randomUUID(),
      evaluatedAt: '',
      changedAt: '',
    };
  });
  await t.db.manager.query(
    `INSERT INTO outbox_event (event_id, topic, enterprise_id, sequence, payload)
     SELECT (p->>'eventId')::uuid, 'rating.changed', $1, (p->>'sequence')::int, p FROM jsonb_array_elements($2::jsonb) p`,
    [enterpriseId, JSON.stringify(values)],
  );
}

/** Records what it is given; can be told to fail. */
class CountingPublisher implements EventPublisher {
  published: string[] = [];
  failNext = 0;
  async publish(events: RatingChangedEvent[]): Promise<void> {
    await new Promise((r) => setTimeout(r, 5)); // a network round trip, so relays overlap
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('redis is down');
    }
    this.published.push(...events.map((e) => e.eventId));
  }
  async close(): Promise<void> {}
}

it('three relays draining at once publish every event exactly once', async () => {
  await addEvents(1000);
  const pubs = [new CountingPublisher(), new CountingPublisher(), new CountingPublisher()];
  const relays = pubs.map((p) => new OutboxRelay(t.db, p, () => Promise.resolve(), { pollMs: 60_000, batch: 50 }));
  await Promise.all(relays.map((r) => r.drain()));
  const all = pubs.flatMap((p) => p.published);
  expect(all).toHaveLength(1000);
  expect(new Set(all).size).toBe(1000);
  expect(pubs.filter((p) => p.published.length > 0).length).toBeGreaterThan(1); // they shared the work
  const [{ n }] = await t.db.manager.query(`SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL`);
  expect(n).toBe(0);
});

it('a failed publish leaves the events in the outbox; the next pass sends them', async () => {
  await addEvents(10);
  const pub = new CountingPublisher();
  pub.failNext = 1;
  const relay = new OutboxRelay(t.db, pub, () => Promise.resolve(), { pollMs: 60_000 });
  await expect(relay.drain()).rejects.toThrow(/redis is down/);
  const [{ n }] = await t.db.manager.query(`SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL`);
  expect(n).toBe(10);
  expect(await relay.drain()).toBe(10);
  expect(pub.published).toHaveLength(10);
});

it('two workers attempting the same delivery at once make one request', async () => {
  const receiver = await startReceiver();
  try {
    receiver.respond = () => ({ status: 200 });
    const [w] = await t.db.manager.query(
      `INSERT INTO webhook (owner_subject, owner_role, url, events, secret) VALUES ('s', 'ADMIN', $1, '{rating.changed}', $2) RETURNING id`,
      [receiver.url, newSecret()],
    );
    const [d] = await t.db.manager.query(`INSERT INTO webhook_delivery (webhook_id, event_id) SELECT $1, max(id) FROM outbox_event RETURNING id`, [w.id]);
    const ctx = () => testContext({ ...t.jobs.deps, webhooks: { policy: new AddressPolicy(['127.0.0.1']), retryScale: 1 } });
    const results = await Promise.all([attemptDelivery(ctx(), d.id), attemptDelivery(ctx(), d.id), attemptDelivery(ctx(), d.id)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['delivered', 'skipped', 'skipped']);
    expect(receiver.received).toHaveLength(1);
  } finally {
    await receiver.close();
  }
});

it('an endpoint that answers 429 holds back its other pending deliveries for as long as it asked', async () => {
  const receiver = await startReceiver();
  try {
    receiver.respond = () => ({ status: 429, headers: { 'retry-after': '3600' } });
    await addEvents(3);
    const [w] = await t.db.manager.query(
      `INSERT INTO webhook (owner_subject, owner_role, url, events, secret) VALUES ('s', 'ADMIN', $1, '{rating.changed}', $2) RETURNING id`,
      [receiver.url, newSecret()],
    );
    const ds = await t.db.manager.query(
      `INSERT INTO webhook_delivery (webhook_id, event_id) SELECT $1, id FROM outbox_event ORDER BY id DESC LIMIT 3 RETURNING id`,
      [w.id],
    );
    const ctx = () => testContext({ ...t.jobs.deps, webhooks: { policy: new AddressPolicy(['127.0.0.1']), retryScale: 1 } });
    expect(await attemptDelivery(ctx(), ds[0].id)).toMatchObject({ outcome: 'retry', retryInMs: 3_600_000 });
    const waits = await t.db.manager.query(`SELECT extract(epoch FROM next_attempt_at - now())::int AS s FROM webhook_delivery WHERE webhook_id = $1`, [w.id]);
    for (const { s } of waits) expect(s).toBeGreaterThan(3500);
    expect(await attemptDelivery(ctx(), ds[1].id)).toEqual({ outcome: 'skipped' }); // not due
    expect(receiver.received).toHaveLength(1);
  } finally {
    await receiver.close();
  }
});

it('prunes published events past the retention with their finished deliveries, keeping pending ones', async () => {
  await addEvents(2);
  const [a, b] = await t.db.manager.query(`SELECT id FROM outbox_event ORDER BY id DESC LIMIT 2`);
  await t.db.manager.query(`UPDATE outbox_event SET published_at = now() - interval '100 days' WHERE id IN ($1, $2)`, [a.id, b.id]);
  const [w] = await t.db.manager.query(
    `INSERT INTO webhook (owner_subject, owner_role, url, events, secret) VALUES ('s', 'ADMIN', 'https://x.example/', '{rating.changed}', $1) RETURNING id`,
    [newSecret()],
  );
  const [done] = await t.db.manager.query(`INSERT INTO webhook_delivery (webhook_id, event_id, status) VALUES ($1, $2, 'DELIVERED') RETURNING id`, [
    w.id,
    a.id,
  ]);
  await t.db.manager.query(`INSERT INTO webhook_attempt (delivery_id, attempt, status_code, duration_ms) VALUES ($1, 1, 200, 5)`, [done.id]);
  await t.db.manager.query(`INSERT INTO webhook_delivery (webhook_id, event_id) VALUES ($1, $2)`, [w.id, b.id]); // still pending
  expect(await pruneOutbox(t.db.manager)).toBe(1);
  const left = await t.db.manager.query(`SELECT id::text FROM outbox_event WHERE id IN ($1, $2)`, [a.id, b.id]);
  expect(left.map((r: any) => r.id)).toEqual([String(b.id)]);
  expect((await t.db.manager.query(`SELECT count(*)::int AS n FROM webhook_attempt WHERE delivery_id = $1`, [done.id]))[0].n).toBe(0);
});
