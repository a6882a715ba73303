import jwt from 'jsonwebtoken';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { ROLES as ROLE_ENUM } from '../../src/platform/auth/principal';
import { TEST_SECRET, TestHub, codeOf, startTestHub } from '../support/hub';
import { startReceiver, WebhookReceiver } from '../support/webhook-receiver';
import { eventually } from '../support/eventually';
import { subscribe } from '../support/ws';
import { inPeriod } from '../support/policy-time';

/**
 * Issue 11 item 2 (三员分立) and item 5's access auditing: for the three administrators and a
 * business role, a representative operation of each duty is allowed or refused as README
 * "Roles (三员分立)" says; every refused mutation is on the audit log with the caller's role;
 * an old ADMIN token is refused naming the new roles; the provincial authority's result reads
 * are on the Art. 23 read log with its purpose.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMINS = ['SYSTEM_ADMIN', 'SECURITY_ADMIN', 'AUDIT_ADMIN'] as const;
const ROLES = [...ADMINS, 'PROVINCE_AUTHORITY'] as const;
type Who = (typeof ROLES)[number];

let t: TestHub;
let receiver: WebhookReceiver;
let otherHook: string;
const E = withCheckChar('91130821MD0000001');
const token = (role: Who) => (role === 'PROVINCE_AUTHORITY' ? t.token(role, { regions: ['130000'], subject: 'province:duties' }) : t.token(role));
const ok = 'OK';

beforeAll(async () => {
  t = await startTestHub('separated_duties', { redisUrl: REDIS_URL });
  receiver = await startReceiver();
  const r = await t.gql(
    `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "三员测试企业", regionCode: "130821", legalRepresentative: "李明", legalRepresentativeIdNumber: "130821199001011234" }) { id } }`,
    { c: E },
    token('PROVINCE_AUTHORITY'),
  );
  expect(r.errors).toBeUndefined();
  const hook = await t.gql(
    `mutation($i: WebhookInput!) { registerWebhook(input: $i) { id } }`,
    { i: { url: receiver.url, events: ['rating.changed'] } },
    t.token('CITY_AUTHORITY', { regions: ['130800'], subject: 'city:hooks' }),
  );
  expect(hook.errors).toBeUndefined();
  otherHook = hook.data.registerWebhook.id;
});
afterAll(async () => {
  await receiver?.close();
  await t?.stop();
});

/** What an operation answered: OK, or the refusal's code. */
const outcome = (r: { errors?: { extensions?: { code?: string } }[] }) => (r.errors?.length ? codeOf(r) : ok);

/** One representative operation per duty; each answers for a role what it did (OK or the code). */
const DUTIES: Record<string, { expect: Record<Who, string>; run: (role: Who) => Promise<string> }> = {
  'business: register an enterprise': {
    expect: { SYSTEM_ADMIN: 'FORBIDDEN', SECURITY_ADMIN: 'FORBIDDEN', AUDIT_ADMIN: 'FORBIDDEN', PROVINCE_AUTHORITY: ok },
    run: async (role) =>
      outcome(
        await t.gql(
          `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: "130822" }) { id } }`,
          { c: withCheckChar(`91130822MD${String(ROLES.indexOf(role)).padStart(7, '0')}`) },
          token(role),
        ),
      ),
  },
  'business: determine a credit record': {
    expect: { SYSTEM_ADMIN: 'FORBIDDEN', SECURITY_ADMIN: 'FORBIDDEN', AUDIT_ADMIN: 'FORBIDDEN', PROVINCE_AUTHORITY: ok },
    run: async (role) =>
      outcome(
        await t.gql(
          `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { id } }`,
          { i: { creditCode: E, indicator: '2.3', level: 'GENERAL', occurredAt: inPeriod(10), basis: '第十一条' } },
          token(role),
        ),
      ),
  },
  'business: personal data unmasked': {
    expect: { SYSTEM_ADMIN: 'FORBIDDEN', SECURITY_ADMIN: 'FORBIDDEN', AUDIT_ADMIN: 'FORBIDDEN', PROVINCE_AUTHORITY: 'CLEAR' },
    run: async (role) => {
      const r = await t.gql(`query($c: String!) { enterprise(creditCode: $c) { legalRepresentativeIdNumber } }`, { c: E }, token(role));
      if (r.errors) return codeOf(r);
      return r.data.enterprise?.legalRepresentativeIdNumber === '130821199001011234' ? 'CLEAR' : 'MASKED';
    },
  },
  'business: the rating of an enterprise of the province': {
    // The administrators have no jurisdiction: an evaluation result is refused them.
    expect: { SYSTEM_ADMIN: 'FORBIDDEN', SECURITY_ADMIN: 'FORBIDDEN', AUDIT_ADMIN: 'FORBIDDEN', PROVINCE_AUTHORITY: 'RATED' },
    run: async (role) => {
      const r = await t.gql(`query($c: String!) { enterprise(creditCode: $c) { rating { grade } } }`, { c: E }, token(role));
      if (r.errors) return codeOf(r);
      return r.data.enterprise === null ? 'NONE' : r.data.enterprise.rating ? 'RATED' : 'UNRATED';
    },
  },
  'configuration: data sources': {
    expect: { SYSTEM_ADMIN: ok, SECURITY_ADMIN: 'FORBIDDEN', AUDIT_ADMIN: 'FORBIDDEN', PROVINCE_AUTHORITY: 'FORBIDDEN' },
    run: async (role) =>
      outcome(
        await t.gql(
          `mutation($i: DataSourceInput!) { createDataSource(input: $i) { id } }`,
          {
            i: {
              name: `feed-${role.toLowerCase()}`,
              connector: 'http-json',
              // A name that resolves (the outbound policy refuses hosts that do not; loopback is allow-listed in tests).
              config: { baseUrl: 'http://127.0.0.1:9/', token: 'vendor-token' },
              enabled: false,
            },
          },
          token(role),
        ),
      ),
  },
  'operations: the queue dashboard': {
    expect: { SYSTEM_ADMIN: '200', SECURITY_ADMIN: '403', AUDIT_ADMIN: '403', PROVINCE_AUTHORITY: '403' },
    run: async (role) => String((await fetch(`${t.url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${token(role)}` } })).status),
  },
  'operations: /health details': {
    expect: { SYSTEM_ADMIN: 'DETAILS', SECURITY_ADMIN: 'PLAIN', AUDIT_ADMIN: 'PLAIN', PROVINCE_AUTHORITY: 'PLAIN' },
    run: async (role) => {
      const body = (await (await fetch(`${t.url}/health`, { headers: { authorization: `Bearer ${token(role)}` } })).json()) as { work?: unknown };
      return body.work ? 'DETAILS' : 'PLAIN';
    },
  },
  "operations: list others' webhooks": {
    expect: { SYSTEM_ADMIN: 'SEES_OTHERS', SECURITY_ADMIN: 'FORBIDDEN', AUDIT_ADMIN: 'FORBIDDEN', PROVINCE_AUTHORITY: 'OWN_ONLY' },
    run: async (role) => {
      const r = await t.gql(`{ webhooks { id secret } }`, {}, token(role));
      if (r.errors) return codeOf(r);
      expect(r.data.webhooks.every((w: { secret: string | null }) => w.secret === null)).toBe(true);
      return r.data.webhooks.some((w: { id: string }) => w.id === otherHook) ? 'SEES_OTHERS' : 'OWN_ONLY';
    },
  },
  'security: list every written authorisation (Art. 23 grants)': {
    expect: { SYSTEM_ADMIN: 'FORBIDDEN', SECURITY_ADMIN: ok, AUDIT_ADMIN: 'FORBIDDEN', PROVINCE_AUTHORITY: 'FORBIDDEN' },
    run: async (role) => outcome(await t.gql(`{ resultGrants { id } }`, {}, token(role))),
  },
  "operations: deactivate another's webhook": {
    expect: { SYSTEM_ADMIN: ok, SECURITY_ADMIN: 'FORBIDDEN', AUDIT_ADMIN: 'FORBIDDEN', PROVINCE_AUTHORITY: 'NOT_FOUND' },
    run: async (role) => outcome(await t.gql(`mutation($id: ID!) { setWebhookActive(id: $id, active: false) { active } }`, { id: otherHook }, token(role))),
  },
};

describe.each(ROLES)('%s', (role) => {
  it.each(Object.keys(DUTIES))('%s', async (duty) => {
    const d = DUTIES[duty];
    expect({ role, duty, got: await d.run(role) }).toEqual({ role, duty, got: d.expect[role] });
  });
});

describe('the system administrator operates webhooks without owning them', () => {
  it('may not reactivate, replay, rotate the secret of nor register a webhook', async () => {
    const sys = token('SYSTEM_ADMIN');
    expect(codeOf(await t.gql(`mutation($id: ID!) { setWebhookActive(id: $id, active: true) { active } }`, { id: otherHook }, sys))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, { id: otherHook }, sys))).toBe('FORBIDDEN');
    const reg = await t.gql(`mutation($i: WebhookInput!) { registerWebhook(input: $i) { id } }`, { i: { url: receiver.url, events: ['rating.changed'] } }, sys);
    expect(codeOf(reg)).toBe('FORBIDDEN');
    // An authority token without regions (not mintable by the CLI, but signed all the same) would hold a scope of every region.
    const unscoped = jwt.sign({ role: 'CITY_AUTHORITY', regions: [] }, TEST_SECRET, { subject: 'city:none', expiresIn: '1h', issuer: 'water-credit-hub' });
    const none = await t.gql(
      `mutation($i: WebhookInput!) { registerWebhook(input: $i) { id } }`,
      { i: { url: receiver.url, events: ['rating.changed'] } },
      unscoped,
    );
    expect(codeOf(none)).toBe('FORBIDDEN');
    // Its owner still may.
    const owner = t.token('CITY_AUTHORITY', { regions: ['130800'], subject: 'city:hooks' });
    expect((await t.gql(`mutation($id: ID!) { setWebhookActive(id: $id, active: true) { active } }`, { id: otherHook }, owner)).data).toEqual({
      setWebhookActive: { active: true },
    });
  });
});

describe('the security administrator oversees the written authorisations', () => {
  const GRANT = `mutation($i: ResultGrantInput!) { grantResultAccess(input: $i) { id } }`;
  const REVOKE = `mutation($id: ID!) { revokeResultAccess(id: $id) { id revokedAt } }`;
  const grant = async () => {
    const i = {
      creditCode: E,
      grantee: { agency: '发改委' },
      scope: 'RESULT_ONLY',
      purpose: '评优评先审核',
      validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    };
    const r = await t.gql(GRANT, { i }, t.token('ENTERPRISE', { creditCode: E }));
    expect(r.errors).toBeUndefined();
    return r.data.grantResultAccess.id as string;
  };

  it('lists every grant with its enterprise, and revokes one; the enterprise still grants, no other administrator revokes', async () => {
    const id = await grant();
    expect(
      codeOf(
        await t.gql(
          GRANT,
          { i: { creditCode: E, grantee: { agency: 'x' }, scope: 'RESULT_ONLY', purpose: 'p', validUntil: new Date(Date.now() + 86_400_000).toISOString() } },
          token('SECURITY_ADMIN'),
        ),
      ),
    ).toBe('FORBIDDEN');
    const list = await t.gql(`{ resultGrants(activeOnly: true) { id creditCode granteeAgency purpose revokedAt } }`, {}, token('SECURITY_ADMIN'));
    expect(list.data.resultGrants).toContainEqual({ id, creditCode: E, granteeAgency: '发改委', purpose: '评优评先审核', revokedAt: null });
    for (const role of ['SYSTEM_ADMIN', 'AUDIT_ADMIN', 'PROVINCE_AUTHORITY'] as const)
      expect([role, codeOf(await t.gql(REVOKE, { id }, token(role)))]).toEqual([role, 'FORBIDDEN']);
    const revoked = await t.gql(REVOKE, { id }, token('SECURITY_ADMIN'));
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data.revokeResultAccess.revokedAt).not.toBeNull();
    const after = await t.gql(`{ resultGrants(activeOnly: true) { id } }`, {}, token('SECURITY_ADMIN'));
    expect(after.data.resultGrants.map((g: { id: string }) => g.id)).not.toContain(id);
    const [row] = await t.db.manager.query(`SELECT revoked_by FROM result_grant WHERE id = $1`, [id]);
    expect(row.revoked_by).toBe('security_admin:all');
  });
});

describe('retired ADMIN tokens', () => {
  it('are refused with UNAUTHENTICATED naming the roles its duties went to, over HTTP and on the audit log', async () => {
    const old = jwt.sign({ role: 'ADMIN', regions: [] }, TEST_SECRET, { subject: 'admin:legacy', expiresIn: '1h', issuer: 'water-credit-hub' });
    const r = await t.gql(`mutation($c: String!) { evaluateEnterprise(creditCode: $c) { grade } }`, { c: E }, old);
    expect(r.status).toBe(401);
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
    for (const role of ['PROVINCE_AUTHORITY', 'SYSTEM_ADMIN', 'SECURITY_ADMIN', 'AUDIT_ADMIN']) expect(r.errors![0].message).toContain(role);
    expect(codeOf(await t.gql(`{ dataSources { id } }`, {}, old))).toBe('UNAUTHENTICATED');
    await eventually(async () => {
      const [e] = await t.db.manager.query(
        `SELECT actor_role, outcome, detail FROM audit_log WHERE action = 'evaluateEnterprise' AND outcome = 'UNAUTHENTICATED'`,
      );
      expect(e).toMatchObject({ actor_role: 'PUBLIC', outcome: 'UNAUTHENTICATED', detail: { reason: expect.stringContaining('ADMIN') } });
    });
  });
  it('over WebSocket too: the socket closes with 4401 naming the new roles', async () => {
    const old = jwt.sign({ role: 'ADMIN', regions: [] }, TEST_SECRET, { subject: 'admin:legacy', expiresIn: '1h', issuer: 'water-credit-hub' });
    const s = subscribe(t.url, `subscription { ratingChanged { eventId } }`, {}, old);
    const closed = await s.closed;
    expect(closed.code).toBe(4401);
    for (const role of ['PROVINCE_AUTHORITY', 'SYSTEM_ADMIN', 'SECURITY_ADMIN', 'AUDIT_ADMIN']) expect(closed.reason).toContain(role);
    await s.dispose();
  });

  it('an old ADMIN read on the Art. 23 log stays history: shown by its recorded name, as no Role', async () => {
    const [{ id }] = await t.db.manager.query(`SELECT id FROM enterprise WHERE credit_code = $1`, [E]);
    await t.db.manager.query(
      `INSERT INTO result_read (enterprise_id, reader_subject, reader_role, purpose, fields, read_at) VALUES ($1, 'admin:legacy', 'ADMIN', '信用监管 / credit supervision', '{rating}', now() - interval '1 day')`,
      [id],
    );
    const r = await t.gql(
      `query($c: String!) { enterprise(creditCode: $c) { resultReads(first: 500) { edges { node { readerSubject readerRole readerRoleName } } } } }`,
      { c: E },
      token('PROVINCE_AUTHORITY'),
    );
    expect(r.errors).toBeUndefined();
    const nodes = r.data.enterprise.resultReads.edges.map((e: { node: unknown }) => e.node);
    expect(nodes).toContainEqual({ readerSubject: 'admin:legacy', readerRole: null, readerRoleName: 'ADMIN' });
    expect(nodes).toContainEqual({ readerSubject: 'province:duties', readerRole: 'PROVINCE_AUTHORITY', readerRoleName: 'PROVINCE_AUTHORITY' });
  });

  it('the GraphQL Role enum lists neither ADMIN nor the internal SYSTEM role', async () => {
    const r = await t.gql(`{ __type(name: "Role") { enumValues { name } } }`, {}, token('SYSTEM_ADMIN'));
    const names = r.data.__type.enumValues.map((v: { name: string }) => v.name);
    expect(names).toEqual(expect.arrayContaining(['SYSTEM_ADMIN', 'SECURITY_ADMIN', 'AUDIT_ADMIN', 'PROVINCE_AUTHORITY']));
    expect(names).not.toContain('ADMIN');
    expect(names).not.toContain('SYSTEM');
  });
});

describe('access on record (item 5)', () => {
  it('every refused mutation of the matrix is on the audit log with the refused role (403), and an anonymous attempt (401)', async () => {
    expect(codeOf(await t.gql(`mutation { triggerSync(sourceId: "x") { id } }`))).toBe('UNAUTHENTICATED');
    for (const role of ROLES) await DUTIES['configuration: data sources'].run(role);
    for (const role of ADMINS) await DUTIES['business: determine a credit record'].run(role);
    await eventually(async () => {
      const rows: { actor_role: string; action: string }[] = await t.db.manager.query(
        `SELECT DISTINCT actor_role, action FROM audit_log WHERE outcome = 'FORBIDDEN' ORDER BY actor_role, action`,
      );
      const refused = rows.map((r) => `${r.actor_role} ${r.action}`);
      for (const role of ADMINS) {
        expect(refused).toContain(`${role} registerEnterprise`);
        expect(refused).toContain(`${role} recordDishonesty`);
      }
      for (const role of ['SECURITY_ADMIN', 'AUDIT_ADMIN', 'PROVINCE_AUTHORITY']) expect(refused).toContain(`${role} createDataSource`);
      expect(refused).toContain('SECURITY_ADMIN setWebhookActive');
      const [anon] = await t.db.manager.query(`SELECT actor_role FROM audit_log WHERE action = 'triggerSync' AND outcome = 'UNAUTHENTICATED'`);
      expect(anon).toEqual({ actor_role: 'PUBLIC' });
    });
  });

  it('a refused mutation is on record for every role, with the role and the refusal', async () => {
    const others = ROLE_ENUM.filter((r) => r !== 'PUBLIC' && r !== 'SYSTEM_ADMIN');
    const opts = { regions: ['130821'], creditCode: E, agency: 'test-agency' };
    for (const role of others) {
      const tok = t.token(role, role.endsWith('_ADMIN') ? {} : role === 'PROVINCE_AUTHORITY' ? { regions: ['130000'] } : opts);
      const r = await t.gql(`mutation { triggerSync(sourceId: "feed-system_admin") { id } }`, {}, tok);
      expect([role, codeOf(r)]).toEqual([role, 'FORBIDDEN']);
    }
    await eventually(async () => {
      const rows: { actor_role: string }[] = await t.db.manager.query(
        `SELECT DISTINCT actor_role FROM audit_log WHERE action = 'triggerSync' AND outcome = 'FORBIDDEN' ORDER BY actor_role`,
      );
      expect(rows.map((r) => r.actor_role).sort()).toEqual([...others].sort());
    });
  });

  it("the provincial authority's reads of a result are on the Art. 23 read log with its purpose; an administrator reads none", async () => {
    const q = `query($c: String!) { enterprise(creditCode: $c) { rating { grade } } }`;
    await t.gql(`mutation($c: String!) { evaluateEnterprise(creditCode: $c) { grade } }`, { c: E }, token('PROVINCE_AUTHORITY'));
    const sys = await t.gql(q, { c: E }, token('SYSTEM_ADMIN'));
    expect(codeOf(sys)).toBe('FORBIDDEN');
    const prov = await t.gql(q, { c: E }, token('PROVINCE_AUTHORITY'));
    expect(prov.data.enterprise.rating).not.toBeNull();
    await eventually(async () => {
      const reads: { reader_role: string; purpose: string }[] = await t.db.manager.query(
        `SELECT DISTINCT r.reader_role, r.purpose FROM result_read r JOIN enterprise e ON e.id = r.enterprise_id WHERE e.credit_code = $1 AND r.reader_subject <> 'admin:legacy'`, // the legacy row inserted above
        [E],
      );
      expect(reads).toEqual([{ reader_role: 'PROVINCE_AUTHORITY', purpose: '信用监管 / credit supervision' }]);
    });
  });
});
