import fs from 'node:fs';
import path from 'node:path';
import { defaultPolicyDir, loadPolicies } from './credit-policy.loader';
import { KnownPolicy, publishProblems, readPolicyDocument, refusalMessage, termOf, termsOverlap } from './policy-publish.rules';

/** The shipped assumed continuation, as a published successor would start from it. */
const shippedDoc = () => JSON.parse(fs.readFileSync(path.join(defaultPolicyDir(), 'chengde-2025-assumed.json'), 'utf8'));
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const shipped = loadPolicies();
const last = shipped.at(-1)!;
const known: KnownPolicy[] = shipped.map((policy) => ({ policy, origin: 'SHIPPED' }));
/** A successor starting the day after the last shipped policy ends, for two years. */
const successorDoc = (changes: Record<string, unknown> = {}) => {
  const from = plusDays(last.effectiveTo, 1);
  const to = plusDays(`${Number(from.slice(0, 4)) + 2}${from.slice(4)}`, -1);
  return {
    ...shippedDoc(),
    version: 'successor-test',
    assumedContinuation: false,
    effectiveFrom: from,
    effectiveTo: to,
    period: { start: from, years: 2 },
    ...changes,
  };
};
const read = (raw: unknown) => {
  const r = readPolicyDocument(raw);
  if (!r.ok) throw new Error(refusalMessage(r.problems));
  return r.policy;
};

describe('reading a document to publish', () => {
  it('reads a valid document (as an object or as JSON text) like a shipped file', () => {
    expect(read(successorDoc()).inForceFrom).toEqual(last.inForceUntil);
    expect(read(JSON.stringify(successorDoc())).version).toBe('successor-test');
  });
  it('lists every problem with its field', () => {
    const d = successorDoc({ version: 'Not A Slug', effectiveFrom: '18/10/2027' });
    delete d.thresholds;
    const r = readPolicyDocument(d);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['version', 'effectiveFrom', 'thresholds']));
    expect(r.problems.every((p) => p.reason === 'INVALID_POLICY')).toBe(true);
    const message = refusalMessage(r.problems);
    expect(message).toMatch(/^信用评价政策文件无效（3 处问题）.*not valid \(3 problems\)/);
    expect(message).toMatch(/ {2}- version: version must be a lower-case slug/);
  });
  it('refuses text that is not JSON', () => {
    const r = readPolicyDocument('{ not json');
    expect(r.ok || r.problems[0].message).toMatch(/不是有效的 JSON/);
  });
});

describe('what keeps a policy from being published', () => {
  const today = plusDays(last.effectiveTo, -30);
  it('nothing, for a successor starting after the last known policy ends', () => {
    expect(publishProblems(read(successorDoc()), known, today)).toEqual([]);
  });
  it('a version already used, shipped or published', () => {
    const p = publishProblems(read(successorDoc({ version: last.version })), known, today);
    expect(p).toEqual([expect.objectContaining({ path: 'version', reason: 'DUPLICATE', message: expect.stringContaining(`版本号 ${last.version} 已被使用`) })]);
    const published: KnownPolicy = { policy: termOf('published-one', '2099-01-01', '2099-12-31'), origin: 'PUBLISHED' };
    expect(publishProblems(read(successorDoc({ version: 'published-one' })), [...known, published], today)[0].message).toMatch(/已发布的政策/);
  });
  it('a term overlapping another by one day, naming it', () => {
    const p = publishProblems(read(successorDoc({ effectiveFrom: last.effectiveTo })), known, plusDays(last.effectiveTo, -30));
    expect(p).toEqual([
      expect.objectContaining({
        reason: 'POLICY_OVERLAP',
        message: expect.stringContaining(`${last.version}（${last.effectiveFrom}…${last.effectiveTo}）重叠`),
      }),
    ]);
  });
  it('a term that starts before today (China date): a policy may not change the past; today itself is allowed', () => {
    const from = plusDays(last.effectiveTo, 1);
    expect(publishProblems(read(successorDoc()), known, plusDays(from, 1))).toEqual([
      expect.objectContaining({
        path: 'effectiveFrom',
        reason: 'POLICY_STARTS_IN_PAST',
        message: expect.stringMatching(/不得改变过去.*may not change the past/),
      }),
    ]);
    expect(publishProblems(read(successorDoc()), known, from)).toEqual([]);
  });
  it('terms overlap when they share a day (effectiveTo inclusive)', () => {
    expect(termsOverlap(termOf('a', '2030-01-01', '2030-12-31'), termOf('b', '2030-12-31', '2031-12-31'))).toBe(true);
    expect(termsOverlap(termOf('a', '2030-01-01', '2030-12-31'), termOf('b', '2031-01-01', '2031-12-31'))).toBe(false);
  });
});
