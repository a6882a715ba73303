import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import type { RatingChangedEvent } from '../../src/modules/outbox/outbox';
import { ratingBus } from '../../src/modules/rating-feed/rating-bus';
import { TestHub, startTestHub } from '../support/hub';
import { eventually } from '../support/eventually';
import { inPeriod } from '../support/policy-time';
import { TestSubscriber, openSubscriptions, subscribe } from '../support/ws';

/**
 * The shared fan-out (src/platform/graphql/fanout.ts) with subscribers of different roles and
 * jurisdictions on one process: each receives exactly its own changes, in order, with its own
 * subscription id, personal fields masked as its role sees them; the roles that read personal
 * data unmasked stay off the shared path; completing a subscription stops its delivery.
 */
let t: TestHub;
const E = withCheckChar('91130821MG0000001'); // region 130821
const F = withCheckChar('91130822MG0000002'); // region 130822
const ids: Record<string, string> = {};
const SUB = `subscription($r: String, $c: String) { ratingChanged(regionCode: $r, creditCode: $c) {
  eventId sequence grade enterprise { creditCode regionCode legalRepresentative } } }`;

const partner = (regions: string[], agency = '行政审批局') => t.token('PARTNER_AGENCY', { agency, regions, subject: `agency:${agency}` });

async function sharedSubscriptions(): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  return Number(/^hub_graphql_ws_shared_subscriptions (\d+)/m.exec(text)?.[1] ?? 0);
}

beforeAll(async () => {
  t = await startTestHub('fanout');
  const admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'] });
  for (const [c, r] of [
    [E, '130821'],
    [F, '130822'],
  ]) {
    const res = await t.gql(
      `mutation($c: String!, $r: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: $r, legalRepresentative: "李明" }) { id } }`,
      { c, r },
      admin,
    );
    expect(res.errors).toBeUndefined();
    ids[c] = res.data.registerEnterprise.id;
  }
});
afterAll(async () => {
  await t?.stop();
});

/** Sequence numbers per enterprise, continuing where the last burst left off. */
const sequences: Record<string, number> = {};
function change(creditCode: string): RatingChangedEvent {
  const sequence = (sequences[creditCode] = (sequences[creditCode] ?? 100) + 1);
  return {
    eventId: randomUUID(),
    type: 'rating.changed',
    sequence,
    enterpriseId: ids[creditCode],
    creditCode,
    regionCode: creditCode === E ? '130821' : '130822',
    previousGrade: 'B',
    grade: sequence % 2 ? 'D' : 'B',
    score: 700,
    policyVersion: 'p',
    asOf: '2026-01-01',
    ratingId: randomUUID(),
    evaluatedAt: '2026-01-01T00:00:00Z',
    changedAt: '2026-01-01T00:00:00Z',
  };
}

/** A raw graphql-ws socket, to see the ids on the wire. */
async function rawSocket(token: string): Promise<{ ws: WebSocket; messages: any[] }> {
  const ws = new WebSocket(t.url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
  const messages: any[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    ws.on('message', (raw) => {
      const m = JSON.parse((raw as Buffer).toString('utf8'));
      if (m.type === 'connection_ack') resolve();
      else messages.push(m);
    });
  });
  return { ws, messages };
}

const of = (s: TestSubscriber) => s.results.map((r) => r.data?.ratingChanged);

it('delivers each subscriber exactly its own changes, in order, with its id, masked as its role sees them; complete stops delivery', async () => {
  const before = await openSubscriptions(t.url);
  const shared0 = await sharedSubscriptions();
  // Three partners of 130821 on their own sockets (one share key), one of 130822, one filtered to E, and a city authority (reads unmasked: not shared).
  const a1 = subscribe(t.url, SUB, {}, partner(['130821']));
  const a2 = subscribe(t.url, SUB, {}, partner(['130821']));
  const a3 = subscribe(t.url, SUB, {}, partner(['130821'], '市场监管局'));
  const b = subscribe(t.url, SUB, {}, partner(['130822']));
  const onlyE = subscribe(t.url, SUB, { c: E }, partner(['130821']));
  const city = subscribe(t.url, SUB, {}, t.token('CITY_AUTHORITY', { regions: ['130800'] }));
  const clients = [a1, a2, a3, b, onlyE, city];
  for (const s of clients) await s.listening();
  // One socket of a province-wide partner, two subscriptions on it: "x" for 130821, "y" for 130822.
  const raw = await rawSocket(partner([]));
  raw.ws.send(JSON.stringify({ id: 'x', type: 'subscribe', payload: { query: SUB, variables: { r: '130821' } } }));
  raw.ws.send(JSON.stringify({ id: 'y', type: 'subscribe', payload: { query: SUB, variables: { r: '130822' } } }));
  await eventually(async () => expect(await openSubscriptions(t.url)).toBe(before + clients.length + 2));
  // Every partner subscription is on the shared fan-out; the city authority's is not.
  expect((await sharedSubscriptions()) - shared0).toBe(clients.length - 1 + 2);

  // One burst: 30 changes, alternating between the two enterprises.
  const burst = Array.from({ length: 30 }, (_, i) => change(i % 2 ? F : E));
  for (const e of burst) ratingBus.deliver(e);
  const eIds = burst.filter((e) => e.creditCode === E).map((e) => e.eventId);
  const fIds = burst.filter((e) => e.creditCode === F).map((e) => e.eventId);
  for (const s of [a1, a2, a3, b, onlyE]) await s.waitFor(15);
  await city.waitFor(30);
  const nexts = (id: string) => raw.messages.filter((m) => m.id === id);
  await eventually(() => expect(nexts('x').length + nexts('y').length).toBe(30));

  for (const s of [a1, a2, a3, onlyE]) {
    expect(of(s).map((c) => c.eventId)).toEqual(eIds);
    expect(of(s).every((c) => c.enterprise.creditCode === E && c.enterprise.legalRepresentative === '李*')).toBe(true);
  }
  expect(of(b).map((c) => c.eventId)).toEqual(fIds);
  expect(of(b).every((c) => c.enterprise.legalRepresentative === '李*')).toBe(true);
  expect(of(city).map((c) => c.eventId)).toEqual(burst.map((e) => e.eventId));
  expect(of(city).every((c) => c.enterprise.legalRepresentative === '李明')).toBe(true);
  expect(nexts('x').map((m) => m.payload.data.ratingChanged.eventId)).toEqual(eIds);
  expect(nexts('y').map((m) => m.payload.data.ratingChanged.eventId)).toEqual(fIds);
  expect(raw.messages.every((m) => m.type === 'next' && !m.payload.errors)).toBe(true);
  for (const s of clients) expect(s.results.every((r) => !r.errors)).toBe(true);
  // In order: sequences rise.
  expect(of(a1).map((c) => c.sequence)).toEqual([...of(a1).map((c) => c.sequence)].sort((p, q) => p - q));

  // "x" completes, a1's client goes away: the others go on, those two receive nothing more.
  raw.ws.send(JSON.stringify({ id: 'x', type: 'complete' }));
  await a1.client.dispose();
  await eventually(async () => expect(await openSubscriptions(t.url)).toBe(before + clients.length + 2 - 2));
  const later = [change(E), change(F), change(E), change(F)];
  for (const e of later) ratingBus.deliver(e);
  await a2.waitFor(17);
  await b.waitFor(17);
  await eventually(() => expect(nexts('y')).toHaveLength(17));
  // A ping answered after y's last change: anything more for x would have been written in the same burst.
  const pong = new Promise<{ type: string }>((r) => raw.ws.once('message', (d) => r(JSON.parse((d as Buffer).toString('utf8')))));
  raw.ws.send(JSON.stringify({ type: 'ping' }));
  expect(await pong).toEqual({ type: 'pong' });
  expect(nexts('x')).toHaveLength(15);
  expect(a1.results).toHaveLength(15);
  expect(
    of(a2)
      .slice(15)
      .map((c) => c.eventId),
  ).toEqual([later[0].eventId, later[2].eventId]);

  raw.ws.close();
  // Opened together, so closed together (TestSubscriber.dispose waits for the count before each one).
  for (const s of [a2, a3, b, onlyE, city]) await s.client.dispose();
  await eventually(async () => expect(await openSubscriptions(t.url)).toBe(before));
  expect(await sharedSubscriptions()).toBe(shared0);
});

it('a real grade change reaches a shared subscriber through the relay, masked', async () => {
  const s = subscribe(t.url, SUB, {}, partner(['130821']));
  await s.listening();
  const admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'] });
  await t.gql(`mutation { evaluateEnterprise(creditCode: "${E}") { grade } }`, {}, admin);
  const r = await t.gql(
    `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { id } }`,
    { i: { creditCode: E, indicator: '1.1', level: 'SEVERE', occurredAt: inPeriod(30), basis: '第十一条' } },
    admin,
  );
  expect(r.errors).toBeUndefined();
  // The first grade (B), then the determination's D.
  const results = await s.waitFor(2);
  expect(results.some((x) => x.data?.ratingChanged?.grade === 'D' && x.data.ratingChanged.enterprise.legalRepresentative === '李*')).toBe(true);
  await s.dispose();
});
