import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreditPolicy, PolicyDocument, checkPolicySet, parsePolicy, policyDocumentSchema, policyInForce } from '../../src/modules/policy/credit-policy';
import { defaultPolicyDir, loadPolicies } from '../../src/modules/policy/credit-policy.loader';
import { chinaDateString } from '../../src/platform/china-time';

/**
 * Dates for tests, computed from now and the policy in force, so the suite passes on any day
 * (`faketime '2027-03-01' npm test`, see README). Nothing in a test names a calendar year
 * unless it is about a shipped policy's fixed term.
 */

const DAY = 86_400_000;

/** The document (JSON form) of a loaded policy, with `changes` applied; `parsePolicy` of it gives a policy again. */
export function policyDocument(p: CreditPolicy, changes: Partial<PolicyDocument> = {}): PolicyDocument {
  return policyDocumentSchema.parse({ ...p, ...changes });
}

/** `YYYY-MM-DD` plus whole years / days (calendar dates, no time zone involved). */
const plusYears = (date: string, years: number) => `${Number(date.slice(0, 4)) + years}${date.slice(4)}`;
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/**
 * The policies the suite runs the hub with: the shipped ones (`schema/policies/`) and, once
 * the last of them has ended with no successor shipped, a continuation of the last one for
 * the term (of the same length, back to back) that contains `now`. Grading tests then keep
 * exercising the shipped rules after their term; what the hub itself does when no policy is
 * in force is tested with policies constructed to have ended (`test/e2e/policy-term.test.ts`).
 */
export function testPolicies(now = new Date()): CreditPolicy[] {
  const shipped = loadPolicies();
  const last = shipped.reduce((a, b) => (b.inForceUntil > a.inForceUntil ? b : a));
  if (policyInForce(shipped, now) || now < last.inForceUntil) return shipped;
  const years = last.period.years;
  let start = plusDays(last.effectiveTo, 1);
  while (
    parsePolicy(policyDocument(last, { effectiveFrom: start, effectiveTo: plusDays(plusYears(start, years), -1), period: { start, years } })).inForceUntil <=
    now
  )
    start = plusYears(start, years);
  const continuation = parsePolicy(
    policyDocument(last, {
      version: `${last.version}-test-${start}`,
      title: `${last.title} — test continuation`,
      assumedContinuation: true,
      effectiveFrom: start,
      effectiveTo: plusDays(plusYears(start, years), -1),
      period: { start, years },
      notes: [
        ...last.notes,
        {
          zh: `测试构造：${last.version} 已于 ${last.effectiveTo} 到期，未随附后续政策。`,
          en: `Constructed by the test suite: ${last.version} ended on ${last.effectiveTo} and no successor is shipped.`,
        },
      ],
    }),
    'test continuation',
  );
  return checkPolicySet([...shipped, continuation]);
}

/** The policy in force now among {@link testPolicies}. */
export function policyNow(now = new Date()): CreditPolicy {
  const p = policyInForce(testPolicies(now), now);
  if (!p) throw new Error(`no test policy is in force at ${now.toISOString()}`);
  return p;
}

/**
 * A directory of policy documents for hub processes the tests spawn (`HUB_POLICY_DIR`):
 * the shipped directory, or a temporary one with {@link testPolicies} when they add a
 * continuation.
 */
export function testPolicyDir(now = new Date()): string {
  const policies = testPolicies(now);
  if (policies.length === loadPolicies().length) return defaultPolicyDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-test-policies-'));
  for (const p of policies) fs.writeFileSync(path.join(dir, `${p.version}.json`), JSON.stringify(policyDocument(p), null, 2));
  return dir;
}

/**
 * An instant inside the evaluation period of the policy in force, `daysAgo` days before now,
 * as an ISO string. When the period began fewer days ago, the instant is moved forward into it,
 * keeping the order: more days ago is always earlier, and every result lies after the period's
 * start and before now.
 *
 * @example recordDishonesty(input: { …, occurredAt: inPeriod(30) })
 */
export function inPeriod(daysAgo: number, now = new Date()): string {
  if (!(daysAgo > 0)) throw new RangeError('daysAgo must be above 0');
  const policy = policyNow(now);
  const elapsed = now.getTime() - Math.max(policy.periodStart.getTime(), policy.inForceFrom.getTime());
  const back = Math.min(daysAgo * DAY, (elapsed * daysAgo) / (daysAgo + 1));
  return new Date(Math.floor(now.getTime() - back)).toISOString();
}

/**
 * The environment variables of `faketime` (libfaketime's LD_PRELOAD and its offset), for test
 * processes spawned with an environment of their own: they keep the clock of the suite.
 */
export function clockEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => isFaketimeVar(k)));
}

/** This process's environment without `faketime`'s variables: for servers that keep the real clock (redis-server). */
export function realClockEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !isFaketimeVar(k)));
}

const isFaketimeVar = (k: string) => k === 'LD_PRELOAD' || k.startsWith('FAKETIME');

/** An ISO instant `days` days from now (negative: ago), e.g. a permit's term around today. */
export function fromNow(days: number, now = new Date()): string {
  return new Date(now.getTime() + days * DAY).toISOString();
}

/**
 * A policy not of today's calendar: a copy of the one in force, renamed `version`, whose term
 * (and evaluation period, of the same length) ends `daysFromNow` days from today, Asia/Shanghai
 * (negative: it has ended). For tests of what the hub does as the last policy runs out.
 *
 * @example startTestHub('ended', { policies: [policyEnding(-30)] })  // no policy in force
 */
export function policyEnding(daysFromNow: number, version = `test-ends-${daysFromNow}`, now = new Date()): CreditPolicy {
  const base = policyNow(now);
  const effectiveTo = chinaDateString(new Date(now.getTime() + daysFromNow * DAY));
  const start = plusDays(plusYears(effectiveTo, -base.period.years), 1);
  return parsePolicy(policyDocument(base, { version, effectiveFrom: start, effectiveTo, period: { start, years: base.period.years } }), version);
}
