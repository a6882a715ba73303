import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { logger } from '../../platform/logger';
import { defaultPolicyDir, loadPolicies, warnOfPolicyEnd } from './credit-policy.loader';
import { noPolicyInForce, parsePolicy, policyFor, policyOutlook, unrepairableCondition } from './credit-policy';

const doc = () => JSON.parse(fs.readFileSync(path.join(defaultPolicyDir(), 'chengde-2023.json'), 'utf8'));

describe('credit policy documents', () => {
  it('ships the 2023 rules and the assumed continuation, in term order', () => {
    expect(loadPolicies().map((p) => p.version)).toEqual(['chengde-2023', 'chengde-2025-assumed']);
  });
  it('resolves the period: 2023-10-18 (UTC+8) for two years', () => {
    const p = parsePolicy(doc());
    expect(p.periodStart.toISOString()).toBe('2023-10-17T16:00:00.000Z');
    expect(p.periodEnd.toISOString()).toBe('2025-10-17T16:00:00.000Z');
    expect(p.honorWindowStart.toISOString()).toBe('2021-10-17T16:00:00.000Z');
  });
  it('rejects a table that does not add up to the full score, naming the field', () => {
    const d = doc();
    d.indicators[0].maxScore = 90;
    d.indicators[0].levels.TRUSTWORTHY = 90;
    expect(() => parsePolicy(d, 'x.json')).toThrow(/thresholds\.full: indicators sum to 990/);
  });
  it('rejects level scores that rise with severity', () => {
    const d = doc();
    d.indicators[1].levels.SEVERE = 50;
    expect(() => parsePolicy(d)).toThrow(/must not rise with severity/);
  });
  it('detection thresholds are policy data and must name indicators of the table', () => {
    expect(parsePolicy(doc()).detection.spikeFactor).toBe(1.5);
    const d = doc();
    d.detection.indicators.FLOW_SPIKE = '9.9';
    expect(() => parsePolicy(d)).toThrow(/detection\.indicators\.FLOW_SPIKE: indicator 9\.9/);
    delete d.detection;
    expect(parsePolicy(d).detection.stuckMinReadings).toBe(6);
  });
  it('a new version is a new file: overlapping terms are refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pol-'));
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify(doc()));
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ ...doc(), version: 'chengde-2023b' }));
    expect(() => loadPolicies(dir)).toThrow(/both in force/);
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ ...doc(), version: 'next', effectiveFrom: '2025-10-18', effectiveTo: '2030-01-01' }));
    expect(loadPolicies(dir).map((p) => p.version)).toEqual(['chengde-2023', 'next']);
  });
});

describe('the term of the policies, seen from a date', () => {
  const shipped = loadPolicies();
  // Fixed instants around the shipped terms: the outlook is a pure function of them.
  const at = (iso: string) => new Date(iso);
  it('gives no warning while the last policy has more than 180 days to run', () => {
    const o = policyOutlook(shipped, at('2027-04-20T12:00:00+08:00'));
    expect(o).toEqual({
      version: 'chengde-2025-assumed',
      inForce: true,
      lastVersion: 'chengde-2025-assumed',
      lastEffectiveTo: '2027-10-17',
      endsAt: '2027-10-17T16:00:00.000Z',
      daysLeft: 181,
      warning: null,
    });
  });
  it('warns from 180 days before the last policy ends, naming it and its end, in Chinese then English', () => {
    const o = policyOutlook(shipped, at('2027-04-21T00:00:00+08:00'));
    expect(o.daysLeft).toBe(180);
    expect(o.warning).toMatch(
      /^最后一版信用评价政策 chengde-2025-assumed 将于 2027-10-17 到期（剩余 180 天）.*The last credit policy chengde-2025-assumed ends on 2027-10-17 \(180 days left\)/,
    );
    expect(policyOutlook(shipped, at('2027-10-17T23:59:59+08:00'))).toEqual(expect.objectContaining({ inForce: true, daysLeft: 1 }));
  });
  it('says that no policy is in force once the last has ended, and which one it was', () => {
    const o = policyOutlook(shipped, at('2027-10-18T00:00:00+08:00'));
    expect(o).toEqual(expect.objectContaining({ version: 'chengde-2025-assumed', inForce: false, daysLeft: 0 }));
    expect(o.warning).toMatch(
      /^2027-10-17T16:00:00.000Z 无有效的信用评价政策：最后一版 chengde-2025-assumed 已于 2027-10-17 到期.*No credit policy is in force .* the last one, chengde-2025-assumed, ended on 2027-10-17/,
    );
  });
  it('refuses an evaluation with no policy in force as BAD_USER_INPUT naming the last policy', () => {
    const e = noPolicyInForce(shipped, at('2028-01-01T00:00:00+08:00'));
    expect(e.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'asOf',
      reason: 'NO_POLICY_IN_FORCE',
      lastPolicy: { version: 'chengde-2025-assumed', effectiveTo: '2027-10-17', endsAt: '2027-10-17T16:00:00.000Z' },
    });
    expect(noPolicyInForce(shipped, at('2020-01-01T00:00:00+08:00')).message).toMatch(/first, chengde-2023, takes effect on 2023-10-18/);
  });
  it('checks records against the policy of their date, else today’s, else the latest begun', () => {
    expect(policyFor(shipped, at('2024-01-01T00:00:00+08:00'), at('2026-01-01T00:00:00+08:00')).version).toBe('chengde-2023');
    expect(policyFor(shipped, at('2020-01-01T00:00:00+08:00'), at('2026-01-01T00:00:00+08:00')).version).toBe('chengde-2025-assumed');
    expect(policyFor(shipped, at('2020-01-01T00:00:00+08:00'), at('2030-01-01T00:00:00+08:00')).version).toBe('chengde-2025-assumed');
    const future = parsePolicy({
      ...doc(),
      version: 'future',
      effectiveFrom: '2031-01-01',
      effectiveTo: '2032-12-31',
      period: { start: '2031-01-01', years: 2 },
    });
    expect(policyFor([...shipped, future], at('2030-01-01T00:00:00+08:00'), at('2030-01-01T00:00:00+08:00')).version).toBe('chengde-2025-assumed');
  });
  it('logs the warning at start (pino), without it while the term is long', () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      warnOfPolicyEnd(shipped, at('2026-01-01T00:00:00+08:00'));
      expect(warn).not.toHaveBeenCalled();
      warnOfPolicyEnd(shipped, at('2027-06-01T00:00:00+08:00'));
      expect(warn).toHaveBeenCalledWith(
        { policy: expect.objectContaining({ lastVersion: 'chengde-2025-assumed', daysLeft: 139 }) },
        expect.stringMatching(/2027-10-17/),
      );
    } finally {
      warn.mockRestore();
    }
  });
});

describe('unrepairable records (Art. 24)', () => {
  it('ships the one condition the original states, with its legal basis and a note saying so', () => {
    for (const p of loadPolicies()) {
      expect(p.unrepairable.map((u) => u.code)).toEqual(['LAW_SAYS_UNREPAIRABLE']);
      expect(p.unrepairable[0].legalBasis.zh).toContain('第二十四条');
      expect(p.notes.some((n) => n.zh.includes('第二十四条未列举'))).toBe(true);
    }
  });
  it('matches a record on every matcher given', () => {
    const p = parsePolicy(doc());
    const facts = { indicator: '1.1', level: 'GENERAL' as const, basis: '依据某法规定，该失信信息不可修复' };
    expect(unrepairableCondition(p, facts)?.code).toBe('LAW_SAYS_UNREPAIRABLE');
    expect(unrepairableCondition(p, { ...facts, basis: '承水节〔2023〕15号第十一条' })).toBeUndefined();
    expect(unrepairableCondition(p, { ...facts, basis: null })).toBeUndefined();
    const d = doc();
    d.unrepairable = [{ ...d.unrepairable[0], code: 'SEVERE_ON_1_1', indicators: ['1.1'], levels: ['SEVERE'], basisContains: undefined }];
    const q = parsePolicy(d);
    expect(unrepairableCondition(q, { ...facts, level: 'SEVERE' })?.code).toBe('SEVERE_ON_1_1');
    expect(unrepairableCondition(q, facts)).toBeUndefined();
  });
  it('defaults to none and refuses a condition without a matcher, a duplicate code, an unknown indicator or a missing legal basis', () => {
    const d = doc();
    delete d.unrepairable;
    expect(parsePolicy(d).unrepairable).toEqual([]);
    const base = doc().unrepairable[0];
    const bad = (u: unknown[]) => () => parsePolicy({ ...doc(), unrepairable: u });
    expect(bad([{ ...base, basisContains: undefined }])).toThrow(/needs indicators, levels or basisContains/);
    expect(bad([base, base])).toThrow(/duplicate unrepairable condition LAW_SAYS_UNREPAIRABLE/);
    expect(bad([{ ...base, indicators: ['9.9'] }])).toThrow(/unrepairable\.0\.indicators: indicator 9\.9/);
    expect(bad([{ ...base, legalBasis: undefined }])).toThrow(/unrepairable\.0\.legalBasis/);
  });
});
