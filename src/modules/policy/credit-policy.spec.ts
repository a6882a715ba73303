import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPolicyDir, loadPolicies } from './credit-policy.loader';
import { parsePolicy } from './credit-policy';

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
