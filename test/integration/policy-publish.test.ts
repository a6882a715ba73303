import fs from 'node:fs';
import path from 'node:path';
import { createHub, Hub } from '../../src/app';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { CreditPolicy } from '../../src/modules/policy/credit-policy';
import { defaultPolicyDir } from '../../src/modules/policy/credit-policy.loader';
import { chinaDateString } from '../../src/platform/china-time';
import { Database } from '../../src/platform/db';
import { JobsHandle, openJobs } from '../../src/workers';
import { eventually } from '../support/eventually';
import { TEST_DATABASE_URL, TestHub, codeOf, startTestHub } from '../support/hub';
import { fromNow, policyEnding, testPolicies } from '../support/policy-time';

/**
 * Issue 9 item 8: an administrator publishes a credit policy without a release; every process
 * (API replicas, workers) grades by it from its first day. Documents are a shipped file with
 * its version and term changed (so these tests follow whatever the policy schema becomes), and
 * every date comes from the policies' terms or from now.
 */
const E = withCheckChar('91130821MP0000001');
const DAY = 86_400_000;
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const plusYears = (date: string, years: number) => `${Number(date.slice(0, 4)) + years}${date.slice(4)}`;

/** The shipped assumed continuation, with a new version and a term of `years` from `from`. */
function successor(version: string, from: string, years = 2, changes: Record<string, unknown> = {}) {
  const doc = JSON.parse(fs.readFileSync(path.join(defaultPolicyDir(), 'chengde-2025-assumed.json'), 'utf8'));
  return {
    ...doc,
    version,
    title: `${doc.title}（测试后续版本）`,
    effectiveFrom: from,
    effectiveTo: plusDays(plusYears(from, years), -1),
    period: { start: from, years },
    ...changes,
  };
}

const PUBLISH = `mutation($d: JSON!) { publishCreditPolicy(document: $d) { version effectiveFrom effectiveTo origin publishedBy publishedAt } }`;
const EVALUATE = `mutation($c: String!, $a: DateTime) { evaluateEnterprise(creditCode: $c, asOf: $a) { grade policyVersion } }`;
const admin = (t: TestHub) => t.token('PROVINCE_AUTHORITY', { regions: ['130000'], subject: 'province:policy' });
/** Publishing is configuration: the system administrator's (三员分立). */
const sysadmin = (t: TestHub) => t.token('SYSTEM_ADMIN', { subject: 'admin:policy' });
const health = async (url: string) =>
  (await (await fetch(`${url}/health`)).json()) as { policy: { version: string; inForce: boolean; lastVersion: string; warning: string | null } };
const storedVersions = async (t: TestHub) =>
  (await t.db.manager.query<{ version: string }[]>(`SELECT version FROM credit_policy_version ORDER BY version`)).map((r) => r.version);

/** A second hub process on the same database (what an API replica or a worker node is): its own pool, registry and HTTP server. */
async function secondHub(t: TestHub, policies: CreditPolicy[]): Promise<{ url: string; hub: Hub; db: Database; jobs: JobsHandle; stop: () => Promise<void> }> {
  const schema = (t.db.dataSource.options as { schema?: string }).schema;
  const db = await Database.connect({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
  const jobs = await openJobs({ db, policies, queuePrefix: `${t.config.queuePrefix}-2` });
  await jobs.deps.policies.start();
  const hub = await createHub(t.config, db, policies, jobs);
  const url = await hub.listen(0);
  hub.markReady();
  return {
    url,
    hub,
    db,
    jobs,
    stop: async () => {
      await hub.stop();
      await jobs.stop();
      await db.close();
    },
  };
}

describe('publishing a successor when the last policy has ended (a gap)', () => {
  let t: TestHub;
  let other: Awaited<ReturnType<typeof secondHub>>;
  const ended = policyEnding(-10, 'test-gap-ended');
  const today = chinaDateString(new Date());
  const gql = (url: string, query: string, variables: Record<string, unknown>, token: string) =>
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    }).then((r) => r.json() as Promise<{ data?: any; errors?: any[] }>);

  beforeAll(async () => {
    t = await startTestHub('policy_publish_gap', { policies: [ended] });
    other = await secondHub(t, [ended]);
    const r = await t.gql(
      `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "政策发布测试企业", regionCode: "130821" }) { id } }`,
      { c: E },
      admin(t),
    );
    expect(r.errors).toBeUndefined();
  });
  afterAll(async () => {
    await other?.stop();
    await t?.stop();
  });

  it('refuses a non-administrator (FORBIDDEN) and stores nothing', async () => {
    const r = await t.gql(PUBLISH, { d: successor('test-gap-next', today) }, t.token('CITY_AUTHORITY', { regions: ['130800'] }));
    expect(codeOf(r)).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(PUBLISH, { d: successor('test-gap-next', today) }, admin(t)))).toBe('FORBIDDEN');
    expect(await storedVersions(t)).toEqual([]);
  });

  it('refuses an invalid document listing each problem, and stores nothing', async () => {
    const d = successor('Bad Version', today, 2, { effectiveFrom: today.replaceAll('-', '/') });
    delete d.indicators[0].nameZh;
    const r = await t.gql(PUBLISH, { d }, sysadmin(t));
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions).toEqual(expect.objectContaining({ field: 'document', reason: 'INVALID_POLICY' }));
    expect(r.errors![0].extensions.problems.map((p: { path: string }) => p.path)).toEqual(
      expect.arrayContaining(['version', 'indicators.0.nameZh', 'effectiveFrom']),
    );
    expect(r.errors![0].message).toMatch(/^信用评价政策文件无效（3 处问题）/);
    expect(r.errors![0].message).toMatch(/- effectiveFrom: must be a date YYYY-MM-DD/);
    expect(await storedVersions(t)).toEqual([]);
  });

  it('refuses a term starting before today: a policy may not change the past', async () => {
    const r = await t.gql(PUBLISH, { d: successor('test-gap-backdated', plusDays(ended.effectiveTo, 1)) }, sysadmin(t));
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions.reason).toBe('POLICY_STARTS_IN_PAST');
    expect(r.errors![0].message).toMatch(/不得改变过去.*may not change the past/s);
    expect(await storedVersions(t)).toEqual([]);
  });

  it('evaluations use the published policy from its first day, in this process and in another; earlier dates keep the old one', async () => {
    expect((await t.gql(EVALUATE, { c: E }, admin(t))).errors![0].extensions.reason).toBe('NO_POLICY_IN_FORCE');
    expect((await health(t.url)).policy).toEqual(expect.objectContaining({ inForce: false, warning: expect.stringContaining('无有效的信用评价政策') }));

    const r = await t.gql(PUBLISH, { d: successor('test-gap-next', today) }, sysadmin(t));
    expect(r.errors).toBeUndefined();
    expect(r.data.publishCreditPolicy).toEqual(
      expect.objectContaining({
        version: 'test-gap-next',
        effectiveFrom: today,
        origin: 'PUBLISHED',
        publishedBy: 'admin:policy',
        publishedAt: expect.any(String),
      }),
    );

    // This process: at once.
    expect((await t.gql(EVALUATE, { c: E }, admin(t))).data.evaluateEnterprise).toEqual({ grade: 'B', policyVersion: 'test-gap-next' });
    expect((await t.gql(EVALUATE, { c: E, a: fromNow(-11) }, admin(t))).data.evaluateEnterprise.policyVersion).toBe('test-gap-ended');
    // /health: a policy is in force again, and no end-of-term warning for a two-year term.
    expect((await health(t.url)).policy).toEqual(
      expect.objectContaining({ version: 'test-gap-next', inForce: true, lastVersion: 'test-gap-next', warning: null }),
    );

    // Another process on the same database, started before the publish: told by NOTIFY (its periodic check is 60 s away).
    const token = t.token('PROVINCE_AUTHORITY', { regions: ['130000'], subject: 'admin:other' });
    await eventually(async () =>
      expect((await gql(other.url, EVALUATE, { c: E }, token)).data?.evaluateEnterprise).toEqual({ grade: 'B', policyVersion: 'test-gap-next' }),
    );
    expect((await health(other.url)).policy.inForce).toBe(true);
    // A process started afterwards loads it at start.
    const late = await secondHub(t, [ended]);
    try {
      expect(late.jobs.deps.policies.current().map((p) => p.version)).toEqual(['test-gap-ended', 'test-gap-next']);
    } finally {
      await late.stop();
    }
  });

  it('audits the publish with the version, term and who; the stored row cannot be changed', async () => {
    const entries = await t.db.manager.query(
      `SELECT actor, outcome, target_type, target_id, detail FROM audit_log WHERE action = 'publishCreditPolicy' ORDER BY id`,
    );
    // A city and a provincial authority refused (publishing is the system administrator's), two bad documents, the publish.
    expect(entries.map((e: { outcome: string }) => e.outcome)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'OK']);
    expect(entries[4]).toEqual(
      expect.objectContaining({
        actor: 'admin:policy',
        target_type: 'credit_policy',
        target_id: 'test-gap-next',
        detail: expect.objectContaining({ version: 'test-gap-next', effectiveFrom: today, publishedBy: 'admin:policy' }),
      }),
    );
    await expect(t.db.manager.query(`UPDATE credit_policy_version SET effective_to = effective_from`)).rejects.toThrow(/append-only/);
    await expect(t.db.manager.query(`DELETE FROM credit_policy_version`)).rejects.toThrow(/append-only/);
  });
});

describe('publishing a successor of the shipped policies', () => {
  let t: TestHub;
  const policies = testPolicies();
  const last = policies.at(-1)!;
  const from = plusDays(last.effectiveTo, 1);

  beforeAll(async () => {
    t = await startTestHub('policy_publish_next', { policies });
  });
  afterAll(() => t?.stop());

  it("shows each policy's unrepairable conditions (Art. 24) with their legal basis, in the caller's language", async () => {
    const Q = `{ creditPolicies { version unrepairable { code description legalBasis descriptionEn: description(lang: EN) indicators levels basisContains } } }`;
    const zh = (await t.gql(Q)).data.creditPolicies;
    const shipped = zh.find((p: { version: string }) => p.version === 'chengde-2023');
    expect(shipped.unrepairable).toEqual([
      {
        code: 'LAW_SAYS_UNREPAIRABLE',
        description: expect.stringMatching(/^法律、法规和国家有关政策文件明确规定不可修复的失信信息/),
        legalBasis: expect.stringMatching(/第二十四条/),
        descriptionEn: expect.stringMatching(/^Dishonesty information that laws/),
        indicators: null,
        levels: null,
        basisContains: ['不可修复', '不得修复', '不予修复'],
      },
    ]);
    const en = (await t.gql(`{ creditPolicy { unrepairable { code legalBasis } } }`, {}, undefined, { 'accept-language': 'en' })).data.creditPolicy;
    expect(en.unrepairable[0].legalBasis).toMatch(/^Chengde rules Art\. 24/);
  });

  it('is served from its first day on, listed with its origin; who published it is for authorities only', async () => {
    const r = await t.gql(PUBLISH, { d: JSON.stringify(successor('test-next', from)) }, sysadmin(t));
    expect(r.errors).toBeUndefined();
    const at = (asOf: Date) => t.gql(`query($a: DateTime) { creditPolicy(asOf: $a) { version } }`, { a: asOf.toISOString() });
    const first = new Date(`${from}T00:00:00+08:00`);
    expect((await at(first)).data.creditPolicy.version).toBe('test-next');
    expect((await at(new Date(first.getTime() - 1))).data.creditPolicy.version).toBe(last.version);

    const list = `{ creditPolicies { version origin publishedBy publishedAt document } }`;
    const pub = (await t.gql(list)).data.creditPolicies;
    expect(pub.map((p: { version: string; origin: string }) => [p.version, p.origin])).toEqual([
      ...policies.map((p) => [p.version, 'SHIPPED']),
      ['test-next', 'PUBLISHED'],
    ]);
    expect(pub.at(-1)).toEqual(expect.objectContaining({ publishedBy: null, publishedAt: expect.any(String) }));
    expect(pub.at(-1).document).toEqual(expect.objectContaining({ version: 'test-next', effectiveFrom: from }));
    const byAuthority = (await t.gql(list, {}, t.token('CITY_AUTHORITY', { regions: ['130800'] }))).data.creditPolicies;
    expect(byAuthority.at(-1).publishedBy).toBe('admin:policy');
    expect((await health(t.url)).policy.lastVersion).toBe('test-next');
  });

  it('refuses a version already used (published or shipped) and any overlapping term, storing nothing more', async () => {
    const again = await t.gql(PUBLISH, { d: successor('test-next', plusDays(from, 800)) }, sysadmin(t));
    expect(again.errors![0].extensions).toEqual(expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'DUPLICATE' }));
    const shipped = await t.gql(PUBLISH, { d: successor(last.version, plusDays(from, 800)) }, sysadmin(t));
    expect(shipped.errors![0].message).toMatch(new RegExp(`版本号 ${last.version} 已被使用（随版本发布的政策）`));
    // Starting on the last day of the published one: one day of overlap.
    const overlap = await t.gql(PUBLISH, { d: successor('test-overlap', plusDays(plusYears(from, 2), -1)) }, sysadmin(t));
    expect(overlap.errors![0].extensions.reason).toBe('POLICY_OVERLAP');
    expect(overlap.errors![0].message).toMatch(/与已发布的政策 test-next（.*）重叠/);
    // Overlapping the shipped policy too.
    const early = await t.gql(PUBLISH, { d: successor('test-early', chinaDateString(new Date()), 1) }, sysadmin(t));
    expect(early.errors![0].extensions.problems.map((p: { reason: string }) => p.reason)).toContain('POLICY_OVERLAP');
    expect(await storedVersions(t)).toEqual(['test-next']);
  });
});

describe('the end-of-term warning', () => {
  let t: TestHub;
  const ending = policyEnding(100, 'test-ending-soon');
  beforeAll(async () => {
    t = await startTestHub('policy_publish_warn', { policies: [ending] });
  });
  afterAll(() => t?.stop());

  it('disappears from /health once a successor is published', async () => {
    expect((await health(t.url)).policy.warning).toMatch(/test-ending-soon 将于 .* 到期.*publishCreditPolicy/);
    const r = await t.gql(PUBLISH, { d: successor('test-after-ending', plusDays(ending.effectiveTo, 1)) }, sysadmin(t));
    expect(r.errors).toBeUndefined();
    expect((await health(t.url)).policy).toEqual(expect.objectContaining({ version: 'test-ending-soon', lastVersion: 'test-after-ending', warning: null }));
  });
});
