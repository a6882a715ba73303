import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { evaluateJob } from '../../jobs/evaluate.job';
import { TestHub, codeOf, startTestHub } from '../support/hub';
import { fromNow, policyEnding } from '../support/policy-time';

/**
 * What the hub does as its credit policies run out, with policies constructed around today
 * (the shipped ones are not touched): it keeps serving, refuses evaluations naming the last
 * policy and its end, and says so in /health from 180 days before.
 */
const E = withCheckChar('91130821MC0000001');
const admin = (t: TestHub) => t.token('PROVINCE_AUTHORITY', { regions: ['130000'], subject: 'admin:test' });
const health = async (t: TestHub) => (await (await fetch(`${t.url}/health`)).json()) as { status: string; policy: Record<string, unknown> };

describe('when the last policy has ended', () => {
  let t: TestHub;
  const ended = policyEnding(-30, 'test-ended');
  // Conduct inside the ended policy's period: 60 days before today.
  const occurredAt = fromNow(-60);
  beforeAll(async () => {
    t = await startTestHub('policy_ended', { policies: [ended] });
    const r = await t.gql(
      `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "过期政策企业", regionCode: "130821" }) { id } }`,
      { c: E },
      admin(t),
    );
    expect(r.errors).toBeUndefined();
  });
  afterAll(() => t?.stop());

  it('still starts and serves, and /health says no policy is in force', async () => {
    const h = await health(t);
    expect(h.status).toBe('ok');
    expect(h.policy).toEqual(
      expect.objectContaining({ version: 'test-ended', inForce: false, lastVersion: 'test-ended', lastEffectiveTo: ended.effectiveTo, daysLeft: -29 }),
    );
    expect(h.policy.warning).toMatch(new RegExp(`无有效的信用评价政策.*test-ended 已于 ${ended.effectiveTo} 到期.*No credit policy is in force`));
    expect((await t.gql(`{ creditPolicies { version } }`)).data.creditPolicies).toEqual([{ version: 'test-ended' }]);
  });

  it('refuses an evaluation with a clear error naming the last policy and its end', async () => {
    const r = await t.gql(`mutation($c: String!) { evaluateEnterprise(creditCode: $c) { grade } }`, { c: E }, admin(t));
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions).toEqual(
      expect.objectContaining({ reason: 'NO_POLICY_IN_FORCE', lastPolicy: expect.objectContaining({ version: 'test-ended', effectiveTo: ended.effectiveTo }) }),
    );
    expect(r.errors![0].message).toMatch(
      new RegExp(`^\\S+ 无有效的信用评价政策：最后一版 test-ended 已于 ${ended.effectiveTo} 到期.* the last one, test-ended, ended on ${ended.effectiveTo}`),
    );
    // A date inside its term is still evaluated under it.
    const past = await t.gql(
      `mutation($c: String!, $a: DateTime) { evaluateEnterprise(creditCode: $c, asOf: $a) { grade policyVersion } }`,
      { c: E, a: fromNow(-31) },
      admin(t),
    );
    expect(past.data).toEqual({ evaluateEnterprise: { grade: 'B', policyVersion: 'test-ended' } });
  });

  it('keeps a record determined now (checked against the last policy) without re-grading', async () => {
    const before = (await t.gql(`query($c: String!) { enterprise(creditCode: $c) { ratingHistory { grade } } }`, { c: E }, admin(t))).data.enterprise
      .ratingHistory;
    const r = await t.gql(
      `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { id status } }`,
      { i: { creditCode: E, indicator: '2.3', level: 'GENERAL', occurredAt, basis: '第十一条' } },
      admin(t),
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.recordDishonesty.status).toBe('ACTIVE');
    expect(
      codeOf(
        await t.gql(
          `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { id } }`,
          { i: { creditCode: E, indicator: '3.1', level: 'SEVERE', occurredAt, basis: '第十一条' } },
          admin(t),
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    const after = (await t.gql(`query($c: String!) { enterprise(creditCode: $c) { ratingHistory { grade } } }`, { c: E }, admin(t))).data.enterprise
      .ratingHistory;
    expect(after).toEqual(before);
  });

  it('the daily re-grade skips instead of failing', async () => {
    await expect(
      evaluateJob.handle({ reason: 'day:test' }, { attempt: 1, signal: new AbortController().signal, progress: () => Promise.resolve() }, t.jobs.deps),
    ).resolves.toBeUndefined();
    const [{ n }] = await t.db.manager.query(`SELECT count(*)::int AS n FROM credit_rating WHERE evaluated_by = 'system:evaluate'`);
    expect(n).toBe(0);
  });
});

describe('when the last policy ends within 180 days', () => {
  let t: TestHub;
  const ending = policyEnding(100, 'test-ending');
  beforeAll(async () => {
    t = await startTestHub('policy_ending', { policies: [ending] });
  });
  afterAll(() => t?.stop());

  it('/health carries the policy, its end, the days left and a warning; evaluations still work', async () => {
    const h = await health(t);
    expect(h.status).toBe('ok');
    expect(h.policy).toEqual(
      expect.objectContaining({
        version: 'test-ending',
        inForce: true,
        lastEffectiveTo: ending.effectiveTo,
        endsAt: ending.inForceUntil.toISOString(),
        daysLeft: 101,
      }),
    );
    expect(h.policy.warning).toMatch(
      new RegExp(`test-ending 将于 ${ending.effectiveTo} 到期（剩余 101 天）.*ends on ${ending.effectiveTo} \\(101 days left\\)`),
    );
    await t.gql(`mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "企业", regionCode: "130821" }) { id } }`, { c: E }, admin(t));
    const r = await t.gql(
      `mutation($i: DishonestyInput!) { recordDishonesty(input: $i) { enterprise { rating { grade policyVersion } } } }`,
      { i: { creditCode: E, indicator: '2.3', level: 'GENERAL', occurredAt: fromNow(-10), basis: '第十一条' } },
      admin(t),
    );
    expect(r.data.recordDishonesty.enterprise.rating).toEqual({ grade: 'C', policyVersion: 'test-ending' });
  });

  it('has no warning while more than 180 days are left', async () => {
    const far = await startTestHub('policy_far', { policies: [policyEnding(181, 'test-far')] });
    try {
      expect((await health(far)).policy).toEqual(expect.objectContaining({ version: 'test-far', daysLeft: 182, warning: null }));
    } finally {
      await far.stop();
    }
  });
});
