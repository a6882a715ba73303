import { readingProblem } from './ingest.rules';

const now = new Date('2026-01-01T00:00:00Z');
const known = (c: string) => c === 'M1';
const ok = { meterCode: 'M1', readAt: new Date('2025-12-31T23:45:00Z'), cumulativeVolume: 10, flowRate: 1 };

describe('reading validation', () => {
  it('accepts a sound reading, also 10 minutes ahead of the clock', () => {
    expect(readingProblem(ok, now, known)).toBeNull();
    expect(readingProblem({ ...ok, readAt: new Date('2026-01-01T00:10:00Z') }, now, known)).toBeNull();
  });
  it.each([
    [{ readAt: new Date('2026-01-01T00:10:01Z') }, /future/],
    [{ cumulativeVolume: Number.NaN }, /finite/],
    [{ cumulativeVolume: Infinity }, /finite/],
    [{ cumulativeVolume: -0.5 }, /negative/],
    [{ flowRate: Number.POSITIVE_INFINITY }, /flowRate/],
    [{ meterCode: 'M9' }, /unknown meter M9/],
    [{ meterCode: ' ' }, /empty/],
    [{ readAt: new Date('nope') }, /valid date/],
  ])('rejects %p', (patch, reason) => {
    expect(readingProblem({ ...ok, ...patch }, now, known)).toMatch(reason);
  });
});
