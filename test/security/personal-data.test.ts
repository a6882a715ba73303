import IORedis from 'ioredis';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TestHub, startTestHub } from '../support/hub';
import { inPeriod } from '../support/policy-time';
import { WebhookReceiver, startReceiver } from '../support/webhook-receiver';
import { subscribe } from '../support/ws';
import { Ledger } from './ledger';

/**
 * Issue 11 item 8, security tier: an enterprise's legal representative (name, ID number, phone) and a tipster's identity
 * are given to a hub on BullMQ; a grade change then reaches a partner's webhook and subscription. The personal data is
 * searched for everywhere it must not be: the answers of every role that may not see it, webhook bodies, subscription
 * messages, the jobs in Redis, the outbox, the audit trail, and the raw database rows (encrypted at rest). (The hub's logs
 * are searched by test/security/no-personal-data-in-logs.test.ts, over a process of its own.)
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ledger = new Ledger('personal data');
const NAME = '司马相如';
const ID_NUMBER = '130821197705128888';
const PHONE = '13788889999';
const TIPSTER = '欧阳修文';
const TIPSTER_PHONE = '13600001111';
const PERSONAL = [NAME, ID_NUMBER, PHONE, TIPSTER, TIPSTER_PHONE];
const E = withCheckChar('91130821PD0000001');

let t: TestHub;
let receiver: WebhookReceiver;
let county: string;
const messages: unknown[] = [];

/** Which personal values a text holds (empty: none). */
const leaks = (text: string) => PERSONAL.filter((p) => text.includes(p));
const check = (where: string, text: string) =>
  ledger.record(where, 'no personal data', leaks(text).length ? `holds ${leaks(text).join(', ')}` : 'no personal data');

beforeAll(async () => {
  t = await startTestHub('sec_pii', { redisUrl: REDIS_URL, env: { HUB_WEBHOOK_RETRY_SCALE: '0.000001' } });
  county = t.token('COUNTY_AUTHORITY', { regions: ['130821'] });
  receiver = await startReceiver();
  const e = await t.gql(
    `mutation($i: EnterpriseInput!) { registerEnterprise(input: $i) { id } }`,
    {
      i: {
        creditCode: E,
        name: '承德某水务公司',
        regionCode: '130821',
        legalRepresentative: NAME,
        legalRepresentativeIdNumber: ID_NUMBER,
        contactPhone: PHONE,
      },
    },
    county,
  );
  expect(e.errors).toBeUndefined();
  const partner = t.token('PARTNER_AGENCY', { agency: '行政审批局', regions: ['130821'], subject: 'agency:sec' });
  const w = await t.gql(`mutation($i: WebhookInput!) { registerWebhook(input: $i) { id } }`, { i: { url: receiver.url, events: ['rating.changed'] } }, partner);
  expect(w.errors).toBeUndefined();
  const s = subscribe(
    t.url,
    `subscription($c: String) { ratingChanged(creditCode: $c) { grade enterprise { name legalRepresentative contactPhone legalRepresentativeIdNumber } } }`,
    { c: E },
    partner,
  );
  await s.listening();
  const tip = await t.gql(`mutation($i: TipInput!) { submitTip(input: $i) { receiptNo } }`, {
    i: { creditCode: E, content: '该企业夜间偷采地下水', sourceKind: 'NEWS_MEDIA', tipsterName: TIPSTER, tipsterContact: TIPSTER_PHONE },
  });
  expect(tip.errors).toBeUndefined();
  const r = await t.gql(
    `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { id } }`,
    { i: { creditCode: E, indicator: '1.1', level: 'SEVERE', occurredAt: inPeriod(30), basis: '第十一条' } },
    county,
  );
  expect(r.errors).toBeUndefined();
  await receiver.waitFor((all) => all.length > 0);
  messages.push(...(await s.waitFor(1)));
  await s.dispose();
}, 60_000);
afterAll(async () => {
  ledger.print();
  await receiver?.close();
  await t?.stop();
});

it('answers no personal data to a role that may not see it (masked or refused)', async () => {
  const Q = `query($c: String!) { enterprise(creditCode: $c) { legalRepresentative legalRepresentativeIdNumber contactPhone } }`;
  const callers: [string, string | undefined][] = [
    ['anonymous', undefined],
    ['a partner agency', t.token('PARTNER_AGENCY', { agency: '工信局', regions: ['130821'] })],
    ['the credit authority', t.token('CREDIT_AUTHORITY', { regions: ['130800'] })],
    ['another county', t.token('COUNTY_AUTHORITY', { regions: ['130822'] })],
    ['another enterprise', t.token('ENTERPRISE', { creditCode: withCheckChar('91130821PD0000002') })],
    ['the system administrator', t.token('SYSTEM_ADMIN')],
    ['the security administrator', t.token('SECURITY_ADMIN')],
    ['the audit administrator', t.token('AUDIT_ADMIN')],
  ];
  for (const [who, token] of callers) check(`enterprise query as ${who}`, JSON.stringify(await t.gql(Q, { c: E }, token)));
  // The supervising county sees them (the positive control: the search would find them).
  const own = JSON.stringify(await t.gql(Q, { c: E }, county));
  ledger.record(
    'enterprise query as the supervising county (control)',
    'sees them',
    leaks(own).length === 3 ? 'sees them' : `sees ${leaks(own).join(', ') || 'none'}`,
  );
  expect(ledger.failures()).toEqual([]);
});

it('sends none in webhook bodies or subscription messages to a partner agency', () => {
  for (const [i, w] of receiver.received.entries()) check(`webhook delivery ${i + 1} (${w.body.length} bytes)`, w.body);
  for (const [i, m] of messages.entries()) check(`ratingChanged message ${i + 1}`, JSON.stringify(m));
  expect(ledger.failures()).toEqual([]);
});

it('keeps none in the queued jobs in Redis, the outbox or the audit trail', async () => {
  const redis = new IORedis(REDIS_URL);
  try {
    const keys = await redis.keys(`hubtest-sec_pii-${process.pid}:*`);
    let text = '';
    for (const k of keys) {
      const type = await redis.type(k);
      if (type === 'hash') text += JSON.stringify(await redis.hgetall(k));
      else if (type === 'string') text += (await redis.get(k)) ?? '';
      else if (type === 'list') text += JSON.stringify(await redis.lrange(k, 0, -1));
    }
    ledger.record(`jobs in Redis (${keys.length} keys) hold job data`, 'yes', keys.length > 0 && text.length > 0 ? 'yes' : 'no');
    check(`jobs in Redis (${keys.length} keys)`, text);
  } finally {
    redis.disconnect();
  }
  check('outbox events', JSON.stringify(await t.db.manager.query(`SELECT row_to_json(o)::text AS j FROM outbox_event o`)));
  check('audit trail', JSON.stringify(await t.db.manager.query(`SELECT row_to_json(a)::text AS j FROM audit_log a`)));
  expect(ledger.failures()).toEqual([]);
});

it('stores none in clear in the database rows (encrypted at rest)', async () => {
  for (const table of ['enterprise', 'tip', 'webhook_delivery', 'credit_rating'])
    check(`table ${table}, raw rows`, JSON.stringify(await t.db.manager.query(`SELECT row_to_json(x)::text AS j FROM ${table} x`)));
  expect(ledger.failures()).toEqual([]);
});
