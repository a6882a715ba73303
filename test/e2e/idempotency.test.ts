import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { eventually } from '../support/eventually';
import { TestHub, startTestHub } from '../support/hub';

/**
 * Issue 11 item 7 (security review): a client that loses the connection after a mutation committed could not retry
 * safely. With an `Idempotency-Key` header the retry gets the same answer and nothing is written twice.
 */
let t: TestHub;
let officer: string;
const REGISTER = `mutation($i: EnterpriseInput!) { registerEnterprise(input: $i) { creditCode name legalRepresentative } }`;
const NAME = '欧阳建国';
const input = (n: number) => ({
  creditCode: withCheckChar(`91130821DP${String(n).padStart(7, '0')}`),
  name: `企业${n}`,
  regionCode: '130821',
  legalRepresentative: NAME,
});

beforeAll(async () => {
  t = await startTestHub('idempotency');
  officer = t.token('COUNTY_AUTHORITY', { regions: ['130821'], subject: 'officer-1' });
});
afterAll(() => t?.stop());

async function send(variables: Record<string, unknown>, key: string | undefined, token = officer, signal?: AbortSignal) {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify({ query: REGISTER, variables }),
    signal,
  });
  return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as { data?: any; errors?: any[] } };
}
const count = async (code: string) => (await t.db.manager.query(`SELECT count(*)::int AS n FROM enterprise WHERE credit_code = $1`, [code]))[0].n as number;
const audits = async () => (await t.db.manager.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'registerEnterprise'`))[0].n as number;

it('a retry with the same key gets the same answer, marked replayed, and writes nothing twice (nor audits it twice)', async () => {
  const i = input(1);
  const first = await send({ i }, 'key-1');
  expect(first.body.errors).toBeUndefined();
  expect(first.replayed).toBeNull();
  const before = await audits();
  const again = await send({ i }, 'key-1');
  expect(again.body).toEqual(first.body);
  expect(again.status).toBe(first.status);
  expect(again.replayed).toBe('true');
  expect(await count(i.creditCode)).toBe(1);
  expect(await audits()).toBe(before);
  // Without the key the same request is a new one: refused as a duplicate.
  expect((await send({ i }, undefined)).body.errors?.[0].extensions.reason).toBe('DUPLICATE');
});

it('keeps the answer encrypted at rest (it may hold personal data)', async () => {
  const [row] = await t.db.manager.query<{ response: string }[]>(`SELECT response FROM idempotency_key WHERE key = 'key-1'`);
  expect(row.response).toMatch(/^enc:v1:/);
  expect(row.response).not.toContain(NAME);
});

it('a client that lost the connection after sending retries safely', async () => {
  const i = input(2);
  const abort = new AbortController();
  const lost = send({ i }, 'key-lost', officer, abort.signal).catch((e: Error) => e);
  await eventually(
    async () => {
      if (!(await count(i.creditCode))) throw new Error('not stored yet');
    },
    { timeoutMs: 10_000, intervalMs: 5 },
  );
  abort.abort();
  await lost;
  const retry = await eventually(
    async () => {
      const r = await send({ i }, 'key-lost');
      if (r.status === 409) throw new Error('still in progress'); // the first attempt has not answered yet
      return r;
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );
  expect(retry.body.errors).toBeUndefined();
  expect(retry.body.data.registerEnterprise.creditCode).toBe(i.creditCode);
  expect(await count(i.creditCode)).toBe(1);
});

it('concurrent requests with one key: one write; the others are told it is in progress or get its answer', async () => {
  const i = input(3);
  const all = await Promise.all(Array.from({ length: 6 }, () => send({ i }, 'key-race')));
  expect(await count(i.creditCode)).toBe(1);
  for (const r of all) {
    if (r.status === 409) expect(r.body.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'IDEMPOTENCY_IN_PROGRESS' });
    else expect(r.body.data.registerEnterprise.creditCode).toBe(i.creditCode);
  }
  expect(all.filter((r) => r.status !== 409 && r.replayed === null)).toHaveLength(1);
});

it('the same key with another request is refused (422); keys are per caller; a bad key is refused; queries ignore it', async () => {
  const reused = await send({ i: input(4) }, 'key-1');
  expect(reused.status).toBe(422);
  expect(reused.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'IDEMPOTENCY_KEY_REUSED' });
  expect(await count(input(4).creditCode)).toBe(0);
  // Another officer's key-1 is its own.
  const other = await send({ i: input(4) }, 'key-1', t.token('COUNTY_AUTHORITY', { regions: ['130821'], subject: 'officer-2' }));
  expect(other.body.errors).toBeUndefined();
  const bad = await send({ i: input(5) }, 'x'.repeat(256));
  expect(bad.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'IDEMPOTENCY_KEY_INVALID' });
  expect(await count(input(5).creditCode)).toBe(0);
  const q = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${officer}`, 'idempotency-key': 'key-1' },
    body: JSON.stringify({ query: `{ enterprise(creditCode: "${input(1).creditCode}") { name } }` }),
  });
  expect(((await q.json()) as { data: any }).data.enterprise.name).toBe('企业1');
});

it('a refusal for what was asked is kept too: the retry gets the same refusal', async () => {
  const dup = await send({ i: input(1) }, 'key-dup');
  expect(dup.body.errors?.[0].extensions.reason).toBe('DUPLICATE');
  const again = await send({ i: input(1) }, 'key-dup');
  expect(again.replayed).toBe('true');
  expect(again.body).toEqual(dup.body);
});

it('after a crash: a committed attempt whose answer was lost is never repeated; one that died before committing runs again', async () => {
  const i = input(6);
  expect((await send({ i }, 'key-crash')).body.errors).toBeUndefined();
  // The process died between the commit (which marks the key COMMITTED with the writes) and keeping the answer.
  await t.db.manager.query(
    `UPDATE idempotency_key SET state = 'COMMITTED', response = NULL, http_status = NULL, updated_at = now() - interval '1 minute' WHERE key = 'key-crash'`,
  );
  const lostAnswer = await send({ i }, 'key-crash');
  expect(lostAnswer.status).toBe(409);
  expect(lostAnswer.body.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'IDEMPOTENCY_ANSWER_LOST' });
  expect(await count(i.creditCode)).toBe(1);
  // An attempt that took its key and died before committing: once stale, the retry takes the key over and runs.
  const j = input(7);
  await send({ i: j }, 'key-dead');
  await t.db.manager.query(`DELETE FROM enterprise WHERE credit_code = $1`, [j.creditCode]); // as if it never committed
  await t.db.manager.query(`UPDATE idempotency_key SET state = 'IN_PROGRESS', response = NULL, updated_at = now() - interval '1 hour' WHERE key = 'key-dead'`);
  const takeover = await send({ i: j }, 'key-dead');
  expect(takeover.body.errors).toBeUndefined();
  expect(takeover.replayed).toBeNull();
  expect(await count(j.creditCode)).toBe(1);
});
