import jwt from 'jsonwebtoken';
import { subscribe } from '../support/ws';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TestHub, codeOf, startTestHub } from '../support/hub';

/**
 * The audit trail over HTTP: every executed mutation field has one entry however the operation
 * spells it, a successful change's entry commits in the change's own transaction, and refused
 * attempts are on record.
 */
let t: TestHub;
let admin: string;
const code = (n: number) => withCheckChar(`91130821MB${String(n).padStart(7, '0')}`);
const E = code(11);
const F = code(12);
let minute = 0;
/** A distinct time in the recent past for each record (never a calendar date). */
const occurredAt = () => new Date(Date.now() - 86_400_000 - ++minute * 60_000).toISOString();
const dishonesty = (creditCode = E, extra: Record<string, unknown> = {}) => ({
  creditCode,
  indicator: '1.1',
  level: 'GENERAL',
  occurredAt: occurredAt(),
  basis: '《承德市企业节约用水信用管理实施细则（试行）》第十一条',
  ...extra,
});

interface Row {
  id: string;
  outcome: string;
  target_type: string | null;
  target_id: string | null;
  detail: Record<string, unknown>;
}
/** Entries of `action` appended after entry `since`. */
const entriesSince = (since: string, action: string): Promise<Row[]> =>
  t.db.manager.query(`SELECT id::text, outcome, target_type, target_id, detail FROM audit_log WHERE id > $1 AND action = $2 ORDER BY id`, [since, action]);
const lastId = async (): Promise<string> => (await t.db.manager.query(`SELECT coalesce(max(id), 0)::text AS id FROM audit_log`))[0].id;

beforeAll(async () => {
  t = await startTestHub('audit');
  admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'] });
  for (const c of [E, F]) {
    const r = await t.gql(
      `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: "130821", legalRepresentative: "李明", contactPhone: "13912345678" }) { id } }`,
      { c },
      admin,
    );
    expect(r.errors).toBeUndefined();
  }
});
afterAll(() => t?.stop());

describe('every executed mutation field has one entry, however it is spelled', () => {
  const spellings: [string, string, number][] = [
    ['a plain field', `mutation($a: DishonestyInput!) { recordDishonesty(input: $a) { id } }`, 1],
    ['an alias', `mutation($a: DishonestyInput!) { x: recordDishonesty(input: $a) { id } }`, 1],
    [
      'two aliases of the same mutation',
      `mutation($a: DishonestyInput!, $b: DishonestyInput!) { x: recordDishonesty(input: $a) { id } y: recordDishonesty(input: $b) { id } }`,
      2,
    ],
    ['a named fragment', `mutation($a: DishonestyInput!) { ...F } fragment F on Mutation { recordDishonesty(input: $a) { id } }`, 1],
    ['an inline fragment', `mutation($a: DishonestyInput!) { ... on Mutation { recordDishonesty(input: $a) { id } } }`, 1],
    [
      'aliases inside nested fragments',
      `mutation($a: DishonestyInput!, $b: DishonestyInput!) { ...Outer } fragment Outer on Mutation { ... { x: recordDishonesty(input: $a) { id } } ...Inner } fragment Inner on Mutation { y: recordDishonesty(input: $b) { id } }`,
      2,
    ],
  ];
  it.each(spellings)('%s', async (_name, query, n) => {
    const since = await lastId();
    const r = await t.gql(query, { a: dishonesty(), b: dishonesty() }, admin);
    expect(r.errors).toBeUndefined();
    const ids = Object.values(r.data as Record<string, { id: string }>).map((v) => v.id);
    expect(ids).toHaveLength(n);
    const entries = await entriesSince(since, 'recordDishonesty');
    expect(entries.map((e) => [e.outcome, e.target_type, e.target_id])).toEqual(ids.map(() => ['OK', 'enterprise', E]));
    expect(entries.map((e) => e.detail.recordId).sort()).toEqual([...ids].sort());
  });
});

describe('refused attempts are on record', () => {
  it('FORBIDDEN, UNAUTHENTICATED and BAD_USER_INPUT each append their code, also inside a fragment', async () => {
    const viaFragment = `mutation($a: DishonestyInput!) { ...F } fragment F on Mutation { recordDishonesty(input: $a) { id } }`;
    const cases: [Record<string, unknown>, string | undefined, string][] = [
      [dishonesty(F), t.token('PARTNER_AGENCY', { agency: '工信局' }), 'FORBIDDEN'],
      [dishonesty(F), undefined, 'UNAUTHENTICATED'],
      [dishonesty(F), t.token('COUNTY_AUTHORITY', { regions: ['130822'] }), 'FORBIDDEN'],
      [dishonesty(F, { indicator: '9.9' }), admin, 'BAD_USER_INPUT'],
    ];
    for (const [input, token, expected] of cases) {
      const since = await lastId();
      expect(codeOf(await t.gql(viaFragment, { a: input }, token))).toBe(expected);
      const entries = await entriesSince(since, 'recordDishonesty');
      expect(entries.map((e) => [e.outcome, e.target_id])).toEqual([[expected, F]]);
    }
    const [{ n }] = await t.db.manager.query(
      `SELECT count(*)::int AS n FROM credit_record r JOIN enterprise e ON e.id = r.enterprise_id WHERE e.credit_code = $1`,
      [F],
    );
    expect(n).toBe(0);
  });

  it('a refused operation has one entry per mutation it would have run: none for a field @skip/@include leaves out, one for a key selected twice', async () => {
    const bad = dishonesty(F, { level: 'HUGE' }); // does not coerce: the operation is refused before any field runs
    const cases: [string, Record<string, unknown>, number][] = [
      [
        `mutation($a: DishonestyInput!) { recordDishonesty(input: $a) { id } ...F } fragment F on Mutation { recordDishonesty(input: $a) { id } }`,
        { a: bad },
        1,
      ],
      [`mutation($a: DishonestyInput!) { x: recordDishonesty(input: $a) { id } y: recordDishonesty(input: $a) @include(if: false) { id } }`, { a: bad }, 1],
      [
        `mutation($a: DishonestyInput!, $no: Boolean = true) { x: recordDishonesty(input: $a) { id } ... @skip(if: $no) { y: recordDishonesty(input: $a) { id } } }`,
        { a: bad },
        1,
      ],
      [`mutation($a: DishonestyInput!, $no: Boolean!) { x: recordDishonesty(input: $a) @skip(if: $no) { id } }`, { a: bad, no: true }, 0],
    ];
    for (const [query, variables, n] of cases) {
      const since = await lastId();
      expect(codeOf(await t.gql(query, variables, admin))).toBe('BAD_USER_INPUT');
      expect((await entriesSince(since, 'recordDishonesty')).map((e) => [e.outcome, e.target_id])).toEqual(Array(n).fill(['BAD_USER_INPUT', F]));
    }
  });

  it('a mutation refused before it ran (validation in a fragment, variables that do not coerce) names its target', async () => {
    let since = await lastId();
    const invalid = `mutation { ...F } fragment F on Mutation { recordDishonesty(input: { creditCode: "${F}", indicator: "1.1", level: HUGE, occurredAt: "${occurredAt()}" }) { id } }`;
    expect(codeOf(await t.gql(invalid, {}, admin))).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await entriesSince(since, 'recordDishonesty')).map((e) => [e.outcome, e.target_id])).toEqual([['GRAPHQL_VALIDATION_FAILED', F]]);

    since = await lastId();
    const r = await t.gql(`mutation($a: DishonestyInput!) { x: recordDishonesty(input: $a) { id } }`, { a: dishonesty(F, { level: 'HUGE' }) }, admin);
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect((await entriesSince(since, 'recordDishonesty')).map((e) => [e.outcome, e.target_id])).toEqual([['BAD_USER_INPUT', F]]);
  });
});

describe("a successful change's entry is part of its transaction", () => {
  it('commits in the same transaction as the record it describes', async () => {
    const since = await lastId();
    const r = await t.gql(`mutation($a: DishonestyInput!) { recordDishonesty(input: $a) { id } }`, { a: dishonesty() }, admin);
    const [entry] = await entriesSince(since, 'recordDishonesty');
    const [{ audit }] = await t.db.manager.query(`SELECT xmin::text AS audit FROM audit_log WHERE id = $1`, [entry.id]);
    const [{ record }] = await t.db.manager.query(`SELECT xmin::text AS record FROM credit_record WHERE id = $1`, [r.data.recordDishonesty.id]);
    expect(audit).toBe(record);
  });

  it('a transaction that fails at commit, after the service ran, leaves no OK entry but the failure', async () => {
    // A deferred check fires at COMMIT, after the mutation and its staged entry: the whole transaction rolls back.
    await t.db.manager.query(`
      CREATE FUNCTION fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.description = 'fail at commit' THEN RAISE EXCEPTION 'injected failure at commit'; END IF; RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON credit_record DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_at_commit();`);
    const since = await lastId();
    const r = await t.gql(
      `mutation($a: DishonestyInput!) { recordDishonesty(input: $a) { id } }`,
      { a: dishonesty(E, { description: 'fail at commit' }) },
      admin,
    );
    expect(codeOf(r)).toBe('INTERNAL_SERVER_ERROR');
    expect((await entriesSince(since, 'recordDishonesty')).map((e) => [e.outcome, e.target_id])).toEqual([['INTERNAL_SERVER_ERROR', E]]);
    const [{ n }] = await t.db.manager.query(`SELECT count(*)::int AS n FROM credit_record WHERE description = 'fail at commit'`);
    expect(n).toBe(0);
  });

  it('a change whose entry cannot be written does not commit', async () => {
    await t.db.manager.query(`
      CREATE FUNCTION refuse_honor_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.action = 'recordHonor' THEN RAISE EXCEPTION 'injected audit failure'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_honor_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_honor_audit();`);
    try {
      const r = await t.gql(
        `mutation($h: HonorInput!) { recordHonor(input: $h) { id } }`,
        { h: { creditCode: E, title: '节水型企业', level: 'PROVINCIAL', awardedAt: occurredAt() } },
        admin,
      );
      expect(codeOf(r)).toBe('INTERNAL_SERVER_ERROR');
      const [{ n }] = await t.db.manager.query(`SELECT count(*)::int AS n FROM credit_record WHERE kind = 'HONOR'`);
      expect(n).toBe(0);
    } finally {
      await t.db.manager.query(`DROP TRIGGER refuse_honor_audit ON audit_log`);
    }
  });
});

describe('a refused token or transport is on record', () => {
  const viaFragment = `mutation($a: DishonestyInput!) { ...F } fragment F on Mutation { recordDishonesty(input: $a) { id } }`;
  const actorOf = async (id: string) => (await t.db.manager.query(`SELECT actor, actor_role FROM audit_log WHERE id = $1`, [id]))[0];

  it('a mutation with a bad or an expired token is refused with 401 and appends UNAUTHENTICATED with the reason', async () => {
    const expired = jwt.sign(
      { sub: 'officer-1', role: 'PROVINCE_AUTHORITY', regions: ['130000'], exp: Math.floor(Date.now() / 1000) - 60 },
      t.config.jwtSecret,
      {
        algorithm: 'HS256',
      },
    );
    for (const [token, reason] of [
      ['not-a-token', /not valid/],
      [expired, /expired/],
    ] as const) {
      const since = await lastId();
      const r = await t.gql(viaFragment, { a: dishonesty(F) }, token);
      expect(r.status).toBe(401);
      expect(codeOf(r)).toBe('UNAUTHENTICATED');
      const entries = await entriesSince(since, 'recordDishonesty');
      expect(entries.map((e) => [e.outcome, e.target_id])).toEqual([['UNAUTHENTICATED', F]]);
      expect(entries[0].detail.reason).toMatch(reason);
      expect(await actorOf(entries[0].id)).toEqual({ actor: 'rejected-token', actor_role: 'PUBLIC' });
    }
  });

  it('a bad token is 401 UNAUTHENTICATED also when the operation does not validate', async () => {
    const since = await lastId();
    const r = await t.gql(
      `mutation { recordDishonesty(input: { creditCode: "${F}", indicator: "1.1", level: HUGE, occurredAt: "${occurredAt()}" }) { id } }`,
      {},
      'not-a-token',
    );
    expect(r.status).toBe(401);
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
    expect((await entriesSince(since, 'recordDishonesty')).map((e) => e.outcome)).toEqual(['UNAUTHENTICATED']);
  });

  it('a mutation sent over WebSocket is refused there and appends its entry', async () => {
    const since = await lastId();
    const s = subscribe(t.url, viaFragment, { a: dishonesty(F) }, admin);
    const [r] = await s.waitFor(1);
    await s.dispose();
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const entries = await entriesSince(since, 'recordDishonesty');
    expect(entries.map((e) => [e.outcome, e.target_id, e.detail.transport])).toEqual([['BAD_USER_INPUT', F, 'websocket']]);
    const [{ n }] = await t.db.manager.query(
      `SELECT count(*)::int AS n FROM credit_record r JOIN enterprise e ON e.id = r.enterprise_id WHERE e.credit_code = $1`,
      [F],
    );
    expect(n).toBe(0);
  });
});

describe('personal data reads', () => {
  it('a request that returned personal data unmasked is audited once, beside the mutation that returned it', async () => {
    const since = await lastId();
    const q = `{ a: enterprise(creditCode: "${E}") { legalRepresentative contactPhone } b: enterprise(creditCode: "${F}") { legalRepresentative } }`;
    const r = await t.gql(q, {}, admin);
    expect(r.data.a.legalRepresentative).toBe('李明');
    const reads = await entriesSince(since, 'readPersonalData');
    expect(reads).toHaveLength(1);
    expect((reads[0].detail.enterpriseIds as string[]).length).toBe(2);

    const since2 = await lastId();
    const g = code(13);
    const m = await t.gql(
      `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: "130821", legalRepresentative: "王芳" }) { legalRepresentative } }`,
      { c: g },
      admin,
    );
    expect(m.data.registerEnterprise.legalRepresentative).toBe('王芳');
    expect((await entriesSince(since2, 'registerEnterprise')).map((e) => [e.outcome, e.target_id])).toEqual([['OK', g]]);
    expect(await entriesSince(since2, 'readPersonalData')).toHaveLength(1);
    expect(JSON.stringify(await t.db.manager.query(`SELECT * FROM audit_log WHERE id > $1`, [since]))).not.toMatch(/王芳|李明|13912345678/);
  });
});
