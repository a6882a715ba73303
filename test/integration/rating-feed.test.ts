import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { RatingChangedEvent } from '../../src/modules/outbox/outbox';
import { RatingBus, RedisRatingFeed } from '../../src/modules/rating-feed/rating-bus';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { eventually } from '../support/eventually';
import { TestHub, startTestHub } from '../support/hub';

/**
 * Redis pub/sub keeps nothing: an event published while an API process's subscriber
 * connection is down is gone from Redis. The feed then reads it from the outbox.
 */
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
let t: TestHub;
let feed: RedisRatingFeed;
const channel = `feedtest-${process.pid}:rating.changed`;
const bus = new RatingBus();
const seen: string[] = [];
let enterpriseId: string;

beforeAll(async () => {
  t = await startTestHub('feed', { relay: false });
  const c = withCheckChar('91130821MF0000009');
  const r = await t.gql(
    `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: "130821" }) { id } }`,
    { c },
    t.token('PROVINCE_AUTHORITY', { regions: ['130000'] }),
  );
  enterpriseId = r.data.registerEnterprise.id;
  feed = new RedisRatingFeed(REDIS_URL, channel, t.db, bus, 1500);
  await feed.start();
  void (async () => {
    for await (const e of bus.subscribe()) seen.push(e.eventId);
  })();
});
afterAll(async () => {
  await feed?.stop();
  await t?.stop();
});

/** An event as the relay leaves it: in the outbox, published. */
async function publishedEvent(sequence: number): Promise<RatingChangedEvent> {
  const e: RatingChangedEvent = {
    eventId: randomUUID(),
    type: 'rating.changed',
    sequence,
    enterpriseId,
    creditCode: 'x',
    regionCode: '130821',
    previousGrade: 'B',
    grade: 'D',
    score: 500,
    policyVersion: 'p',
    asOf: new Date().toISOString(),
    ratingId: randomUUID(),
    evaluatedAt: new Date().toISOString(),
    changedAt: new Date().toISOString(),
  };
  await t.db.manager.query(
    `INSERT INTO outbox_event (event_id, topic, enterprise_id, sequence, payload, published_at) VALUES ($1, 'rating.changed', $2, $3, $4::jsonb, $5)`,
    [
      // The relay stamps published_at with the hub's clock (not the database's): so does this test.
      e.eventId,
      enterpriseId,
      sequence,
      JSON.stringify(e),
      new Date(),
    ],
  );
  return e;
}

it('passes live events on once, however often they come', async () => {
  const e = await publishedEvent(1);
  const redis = new IORedis(REDIS_URL);
  const next = await publishedEvent(3);
  await redis.publish(channel, JSON.stringify(e));
  await redis.publish(channel, JSON.stringify(e));
  await redis.publish(channel, JSON.stringify(next));
  // One channel keeps its order: once the event published after them is here, the repeat had its chance.
  await eventually(() => expect(seen).toContain(next.eventId), { timeoutMs: 5000 });
  expect(seen.filter((id) => id === e.eventId)).toHaveLength(1);
  redis.disconnect();
});

it('after a lost connection, delivers what was published meanwhile from the outbox', async () => {
  const redis = new IORedis(REDIS_URL);
  const clients = String(await redis.client('LIST'));
  const line = clients.split('\n').find((l) => l.includes(`name=rating-feed:${channel}`));
  expect(line).toBeDefined();
  await redis.client('KILL', 'ID', /id=(\d+)/.exec(line!)![1]);
  // The feed waits 1.5 s before reconnecting: this one goes out while nobody listens.
  const missed = await publishedEvent(2);
  expect(await redis.publish(channel, JSON.stringify(missed))).toBe(0);
  redis.disconnect();
  await eventually(() => expect(seen).toContain(missed.eventId), { timeoutMs: 10_000 });
});
