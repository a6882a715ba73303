import { DEFAULT_LIMITS, readingLimits, readingProblem } from './ingest.rules';
import { detectionThresholdsSchema } from '../detection/detection.rules';

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
    // Not physical: beyond the counter's range, a negative flow, a clock reset to year 0001 or before 2000.
    [{ cumulativeVolume: 1e308 }, /超出表计量程.*beyond the meter's range \(its counter wraps past 799999999 m³\)/],
    [{ cumulativeVolume: 800_000_000 }, /beyond the meter's range/],
    [{ flowRate: -0.1 }, /瞬时流量 -0.1 m³\/h 为负数 \/ flowRate -0.1 m³\/h is negative/],
    [{ readAt: new Date('0001-01-01T00:00:00Z') }, /早于可能的最早时间.*is before 1999-12-31T16:00:00.000Z/],
    [{ readAt: new Date('1999-12-31T15:59:59.999Z') }, /is before/],
  ])('rejects %p', (patch, reason) => {
    expect(readingProblem({ ...ok, ...patch }, now, known)).toMatch(reason);
  });
  it('accepts the bounds themselves: a full counter, zero flow, 00:00 China time on the earliest date', () => {
    expect(readingProblem({ ...ok, cumulativeVolume: 799_999_999, flowRate: 0 }, now, known)).toBeNull();
    expect(readingProblem({ ...ok, readAt: new Date('2000-01-01T00:00:00+08:00') }, now, known)).toBeNull();
  });
  it('gives every reason in Chinese first', () => {
    const reason = readingProblem({ ...ok, meterCode: 'M9' }, now, known)!;
    expect(reason.indexOf('未知表计')).toBe(0);
    expect(reason).toMatch(/ \/ unknown meter/);
  });
  it('takes its limits from the policy thresholds', () => {
    const limits = readingLimits(detectionThresholdsSchema.parse({ counterWrapM3: 99_999, earliestReadingDate: '2015-06-01' }));
    expect(limits).toEqual({ maxCumulativeM3: 99_999, earliestReadAt: new Date('2015-06-01T00:00:00+08:00') });
    expect(readingProblem({ ...ok, cumulativeVolume: 100_000 }, now, known, limits)).toMatch(/99999 m³/);
    expect(readingProblem({ ...ok, readAt: new Date('2015-05-31T23:00:00+08:00') }, now, known, limits)).toMatch(/is before/);
    expect(DEFAULT_LIMITS.maxCumulativeM3).toBe(799_999_999);
  });
});
