import { chinaDay, chinaDayByIndex, chinaYear, chinaYearBounds, previousChinaDay } from '../../platform/china-time';
import {
  ANOMALY_KINDS,
  ATTRIBUTION,
  CandidateDraft,
  dailyConsumption,
  DEFAULT_THRESHOLDS,
  detectEnterprise,
  detectionThresholdsSchema,
  detectMeter,
  EnterpriseFacts,
  isCounterWrap,
  KIND_TITLES,
  MeterFacts,
  pairVolume,
  planYearNeedsDays,
  meterWindow,
  Reading,
} from './detection.rules';

const at = (s: string) => new Date(s);
const H = 3_600_000;
const ASOF = at('2025-03-10T12:00:00+08:00');
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);

function meter(over: Partial<MeterFacts> = {}): MeterFacts {
  return {
    id: 'm1',
    meterCode: 'MC-001',
    enterpriseId: 'e1',
    online: true,
    level: 1,
    reportingIntervalSeconds: 900,
    maxFlowRate: null,
    calibrationExpiresAt: null,
    createdAt: at('2025-01-01T00:00:00+08:00'),
    lastReadingAt: null,
    firstReadingAt: null,
    ...over,
  };
}

/** `count` readings every `intervalS` from `start`, totaliser `v0 + i × step`, flow `flow`. */
function series(start: Date, count: number, intervalS: number, v0 = 100, step = 1, flow: number | null = 4): Reading[] {
  return Array.from({ length: count }, (_, i) => ({ readAt: plus(start, i * intervalS * 1000), cumulativeVolume: v0 + i * step, flowRate: flow }));
}
const r = (iso: string, v: number, flow: number | null = 4): Reading => ({ readAt: at(iso), cumulativeVolume: v, flowRate: flow });
const kinds = (c: CandidateDraft[]) => c.map((x) => x.kind).sort();
const find = (c: CandidateDraft[], kind: string) => c.find((x) => x.kind === kind);

/** A healthy 15-minute meter: a reading every interval from the window start to asOf. */
function healthy(m = meter()): Reading[] {
  const w = meterWindow(m, ASOF);
  const n = Math.floor((ASOF.getTime() - w.from.getTime()) / 900_000) + 1;
  return series(w.from, n, 900, 100, 1);
}

describe('china-time', () => {
  it('puts 23:59 +08:00 in that day and 00:00 +08:00 in the next', () => {
    expect(chinaDay(at('2025-03-01T23:59:00+08:00')).day).toBe('2025-03-01');
    expect(chinaDay(at('2025-03-02T00:00:00+08:00')).day).toBe('2025-03-02');
    const d = chinaDay(at('2025-03-01T23:59:00+08:00'));
    expect(d.start.toISOString()).toBe('2025-02-28T16:00:00.000Z');
    expect(d.end.toISOString()).toBe('2025-03-01T16:00:00.000Z');
  });
  it('gives the previous full day and China plan-year bounds', () => {
    expect(previousChinaDay(ASOF).day).toBe('2025-03-09');
    expect(previousChinaDay(at('2025-03-10T00:00:00+08:00')).day).toBe('2025-03-09');
    expect(chinaYear(at('2024-12-31T15:59:59Z'))).toBe(2024);
    expect(chinaYear(at('2024-12-31T16:00:00Z'))).toBe(2025);
    expect(chinaYearBounds(2025).start.toISOString()).toBe('2024-12-31T16:00:00.000Z');
    expect(chinaYearBounds(2025).end.toISOString()).toBe('2025-12-31T16:00:00.000Z');
  });
});

describe('thresholds', () => {
  it('default to the issue 3 table', () => {
    expect(DEFAULT_THRESHOLDS).toMatchObject({
      silenceMinHours: 24,
      silenceIntervals: 3,
      neverReportedGraceHours: 24,
      transmissionRateMin: 0.9,
      rollbackToleranceM3: 0.001,
      counterWrapM3: 799_999_999,
      stuckMinReadings: 6,
      spikeFactor: 1.5,
      overPlanSeriousRatio: 0.3,
      overPlanBeyondLevel: 'SERIOUS',
      earliestReadingDate: '2000-01-01',
    });
    expect(DEFAULT_THRESHOLDS.indicators).toEqual({
      NON_NETWORKED: '2.3',
      LOW_TRANSMISSION_RATE: '2.3',
      COUNTER_ROLLBACK: '2.2',
      STUCK_READING: '2.2',
      FLOW_SPIKE: '2.2',
      CALIBRATION_EXPIRED: '2.2',
      OVER_PLAN: '1.2',
      NO_VALID_PERMIT: '1.2',
      NO_PLAN: '1.2',
    });
  });
  it('keep defaults for fields not given and reject nonsense', () => {
    const th = detectionThresholdsSchema.parse({ spikeFactor: 2, indicators: { OVER_PLAN: '1.3' } });
    expect(th.spikeFactor).toBe(2);
    expect(th.stuckMinReadings).toBe(6);
    expect(th.indicators.OVER_PLAN).toBe('1.3');
    expect(th.indicators.NO_VALID_PERMIT).toBe('1.2');
    expect(detectionThresholdsSchema.safeParse({ transmissionRateMin: -1 }).success).toBe(false);
    expect(detectionThresholdsSchema.safeParse({ stuckMinReadings: 1.5 }).success).toBe(false);
    expect(detectionThresholdsSchema.safeParse({ earliestReadingDate: '2000-13-45' }).success).toBe(false);
    expect(detectionThresholdsSchema.safeParse({ overPlanBeyondLevel: 'SEVERE' }).success).toBe(false);
  });
});

describe('evidence texts', () => {
  it('give every kind a title, Chinese first', () => {
    for (const kind of ANOMALY_KINDS) {
      expect(Object.keys(KIND_TITLES[kind])).toEqual(['zh', 'en']);
      expect(KIND_TITLES[kind].zh).toMatch(/[\u4e00-\u9fff]/);
    }
  });
  it('state the rule in Chinese first on every candidate', () => {
    const m = meter({ online: false, maxFlowRate: 10, calibrationExpiresAt: plus(ASOF, -1), lastReadingAt: plus(ASOF, -30 * H) });
    const all = detectMeter(m, [r('2025-03-10T10:00:00+08:00', 100), r('2025-03-10T10:15:00+08:00', 50), r('2025-03-10T10:30:00+08:00', 500)], ASOF);
    expect(kinds(all)).toEqual(['CALIBRATION_EXPIRED', 'COUNTER_ROLLBACK', 'FLOW_SPIKE']);
    for (const c of all) {
      expect(Object.keys(c.evidence).slice(0, 1)).toEqual(['title']);
      const rule = c.evidence.rule as { zh: string; en: string };
      expect(Object.keys(rule)).toEqual(['zh', 'en']);
      expect(rule.zh).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('meterWindow', () => {
  it('starts at the previous China day for frequent meters', () => {
    const w = meterWindow(meter(), ASOF);
    expect(w.from.toISOString()).toBe(at('2025-03-09T00:00:00+08:00').toISOString());
    expect(w.to.getTime()).toBe(ASOF.getTime());
  });
  it('reaches back stuckMinReadings + 1 intervals for slow meters', () => {
    const w = meterWindow(meter({ reportingIntervalSeconds: 86_400 }), ASOF);
    expect(w.from.getTime()).toBe(ASOF.getTime() - 7 * 24 * H);
  });
});

describe('detectMeter', () => {
  it('finds nothing on a healthy meter, whatever the order of readings', () => {
    expect(detectMeter(meter(), healthy(), ASOF)).toEqual([]);
    expect(detectMeter(meter(), healthy().reverse(), ASOF)).toEqual([]);
  });

  describe('NON_NETWORKED', () => {
    it('does not fire at exactly 24 h of silence, fires one second later, and then suppresses LOW_TRANSMISSION_RATE', () => {
      const exactly = detectMeter(meter({ lastReadingAt: plus(ASOF, -24 * H) }), [], ASOF);
      expect(kinds(exactly)).toEqual(['LOW_TRANSMISSION_RATE']);
      const above = detectMeter(meter({ lastReadingAt: plus(ASOF, -24 * H - 1000) }), [], ASOF);
      expect(kinds(above)).toEqual(['NON_NETWORKED']);
      const c = above[0];
      expect(c).toMatchObject({ indicator: '2.3', suggestedLevel: 'GENERAL', meterId: 'm1', enterpriseId: 'e1' });
      expect(c.evidence).toMatchObject({
        lastReadingAt: plus(ASOF, -24 * H - 1000).toISOString(),
        silentForSeconds: 86_401,
        thresholdSeconds: 86_400,
        asOf: ASOF.toISOString(),
      });
    });
    it('uses 3 × interval when longer than 24 h', () => {
      const m = (last: Date) => meter({ reportingIntervalSeconds: 43_200, lastReadingAt: last });
      expect(find(detectMeter(m(plus(ASOF, -36 * H)), [], ASOF), 'NON_NETWORKED')).toBeUndefined();
      const c = find(detectMeter(m(plus(ASOF, -36 * H - 1000)), [], ASOF), 'NON_NETWORKED');
      expect(c?.evidence).toMatchObject({ thresholdSeconds: 129_600, silentForSeconds: 129_601 });
    });
    it('trusts a newer reading over a stale lastReadingAt, and ignores readings after asOf', () => {
      const m = meter({ lastReadingAt: plus(ASOF, -48 * H) });
      expect(find(detectMeter(m, [r('2025-03-10T11:00:00+08:00', 5)], ASOF), 'NON_NETWORKED')).toBeUndefined();
      expect(find(detectMeter(m, [r('2025-03-10T13:00:00+08:00', 5)], ASOF), 'NON_NETWORKED')).toBeDefined();
    });
    it('fires on a replay when the meter reported only after asOf', () => {
      const c = find(detectMeter(meter({ lastReadingAt: plus(ASOF, 24 * H) }), [], ASOF), 'NON_NETWORKED');
      expect(c?.evidence).toMatchObject({ lastReadingAt: null, silentSince: 'before window' });
      expect(c?.evidence.silentForSeconds as number).toBeGreaterThanOrEqual(86_400);
    });
    it('gives a never-reported meter 24 h of grace after registration', () => {
      expect(detectMeter(meter({ createdAt: plus(ASOF, -24 * H) }), [], ASOF)).toEqual([]);
      const c = detectMeter(meter({ createdAt: plus(ASOF, -24 * H - 1000) }), [], ASOF);
      expect(kinds(c)).toEqual(['NON_NETWORKED']);
      expect(c[0].evidence).toMatchObject({ lastReadingAt: null, neverReported: true, silentForSeconds: 86_401, thresholdSeconds: 86_400 });
    });
    it('never fires for offline meters (nor does LOW_TRANSMISSION_RATE)', () => {
      expect(detectMeter(meter({ online: false, lastReadingAt: plus(ASOF, -30 * 24 * H) }), [], ASOF)).toEqual([]);
    });
  });

  describe('LOW_TRANSMISSION_RATE', () => {
    // interval 8640 s → 10 readings expected per day; the last reading is within 24 h of asOf.
    const m = meter({ reportingIntervalSeconds: 8640 });
    const day = (n: number) => series(at('2025-03-09T00:00:00+08:00'), n, 8640);
    it('does not fire at exactly 90 %, fires below', () => {
      expect(detectMeter(m, day(9), ASOF)).toEqual([]);
      const c = detectMeter(m, day(8), ASOF);
      expect(kinds(c)).toEqual(['LOW_TRANSMISSION_RATE']);
      expect(c[0]).toMatchObject({ indicator: '2.3', suggestedLevel: 'GENERAL' });
      expect(c[0].evidence).toMatchObject({ day: '2025-03-09', received: 8, expected: 10, rate: 0.8, threshold: 0.9 });
    });
    it('counts a reading at 23:59 +08:00 in that day but not one at 00:00 the next', () => {
      const eight = day(8);
      expect(detectMeter(m, [...eight, r('2025-03-09T23:59:00+08:00', 200)], ASOF)).toEqual([]);
      const c = detectMeter(m, [...eight, r('2025-03-10T00:00:00+08:00', 200)], ASOF);
      expect(find(c, 'LOW_TRANSMISSION_RATE')?.evidence).toMatchObject({ received: 8 });
    });
    it('counts distinct instants only and ignores non-finite totalisers', () => {
      const eight = day(8);
      const c1 = detectMeter(m, [...eight, { ...eight[3] }], ASOF);
      expect(find(c1, 'LOW_TRANSMISSION_RATE')?.evidence).toMatchObject({ received: 8 });
      const c2 = detectMeter(m, [...eight, r('2025-03-09T23:00:00+08:00', NaN)], ASOF);
      expect(find(c2, 'LOW_TRANSMISSION_RATE')?.evidence).toMatchObject({ received: 8 });
    });
    it('judges a meter registered in the hub today from its first reading, not from its registration', () => {
      // Registered at 11:30 on asOf's day; it has reported since 12:00 the day before (a backfill): 5 readings expected in 12 h.
      const late = (firstReadingAt: Date | null) => meter({ reportingIntervalSeconds: 8640, createdAt: at('2025-03-10T11:30:00+08:00'), firstReadingAt });
      const noon = at('2025-03-09T12:00:00+08:00');
      expect(detectMeter(late(noon), series(noon, 5, 8640), ASOF)).toEqual([]);
      const c = detectMeter(late(noon), series(noon, 4, 8640), ASOF);
      expect(kinds(c)).toEqual(['LOW_TRANSMISSION_RATE']);
      expect(c[0].evidence).toMatchObject({
        day: '2025-03-09',
        from: noon.toISOString(),
        firstReadingAt: noon.toISOString(),
        received: 4,
        expected: 5,
        rate: 0.8,
      });
      expect((c[0].evidence.rule as { zh: string }).zh).toMatch(/自首次读数/);
      // The window's own first reading bounds the start too, when the stored first reading is not known.
      expect(find(detectMeter(late(null), series(noon, 4, 8640), ASOF), 'LOW_TRANSMISSION_RATE')?.evidence).toMatchObject({ expected: 5 });
    });
    it('judges a meter that has reported for longer over the whole day, however late it was registered', () => {
      const c = detectMeter(
        meter({ reportingIntervalSeconds: 8640, createdAt: at('2025-03-10T11:30:00+08:00'), firstReadingAt: at('2025-02-01T00:00:00+08:00') }),
        day(8).slice(2),
        ASOF,
      );
      expect(find(c, 'LOW_TRANSMISSION_RATE')?.evidence).toMatchObject({ received: 6, expected: 10, from: at('2025-03-09T00:00:00+08:00').toISOString() });
    });
    it('skips a meter whose first reading came after the day', () => {
      const today = at('2025-03-10T08:00:00+08:00');
      expect(
        detectMeter(meter({ reportingIntervalSeconds: 8640, createdAt: plus(today, -H), firstReadingAt: today }), [r(today.toISOString(), 5)], ASOF),
      ).toEqual([]);
    });
  });

  describe('COUNTER_ROLLBACK', () => {
    const base = (a: number, b: number) => [r('2025-03-10T10:00:00+08:00', a), r('2025-03-10T10:15:00+08:00', b)];
    const rollback = (a: number, b: number) => find(detectMeter(meter({ lastReadingAt: ASOF }), base(a, b), ASOF), 'COUNTER_ROLLBACK');
    it('tolerates a drop of exactly 0.001 m³, fires beyond', () => {
      expect(rollback(100, 99.999)).toBeUndefined();
      const c = rollback(100, 99.99);
      expect(c).toMatchObject({ indicator: '2.2', suggestedLevel: 'GENERAL', meterId: 'm1' });
      expect(c?.evidence).toMatchObject({ count: 1, toleranceM3: 0.001 });
      const [first] = c?.evidence.rollbacks as { from: { cumulativeVolume: number }; to: { cumulativeVolume: number }; dropM3: number }[];
      expect(first.from.cumulativeVolume).toBe(100);
      expect(first.to.cumulativeVolume).toBe(99.99);
      expect(first.dropM3).toBeCloseTo(0.01, 9);
    });
    it('treats a wrap past 799,999,999 m³ as no rollback, but not drops from or to mid-range', () => {
      expect(isCounterWrap(799_999_000, 5)).toBe(true);
      expect(rollback(799_999_000, 5)).toBeUndefined();
      expect(rollback(700_000_000, 5)).toBeDefined(); // prev not above 90 % of the wrap point
      expect(rollback(799_999_000, 80_000_000)).toBeDefined(); // next not below 10 %
      const both = detectMeter(
        meter({ lastReadingAt: ASOF }),
        [r('2025-03-10T10:00:00+08:00', 799_999_000), r('2025-03-10T10:15:00+08:00', 5), r('2025-03-10T10:30:00+08:00', 1)],
        ASOF,
      );
      expect(find(both, 'COUNTER_ROLLBACK')?.evidence).toMatchObject({ count: 1, wrapsIgnored: 1 });
    });
    it('caps the listed rollbacks at 20 and keeps the count', () => {
      const saw = Array.from({ length: 51 }, (_, i) => ({
        readAt: plus(at('2025-03-10T00:00:00+08:00'), i * 600_000),
        cumulativeVolume: i % 2 ? 10 : 20,
        flowRate: 1,
      }));
      const c = find(detectMeter(meter(), saw, ASOF), 'COUNTER_ROLLBACK');
      expect(c?.evidence.count).toBe(25);
      expect(c?.evidence.rollbacks).toHaveLength(20);
    });
  });

  describe('STUCK_READING', () => {
    const stuck = (flows: (number | null)[], th = DEFAULT_THRESHOLDS) =>
      find(
        detectMeter(
          meter({ lastReadingAt: ASOF }),
          flows.map((f, i) => ({ readAt: plus(at('2025-03-10T09:00:00+08:00'), i * 900_000), cumulativeVolume: 500.25, flowRate: f })),
          ASOF,
          th,
        ),
        'STUCK_READING',
      );
    it('fires on 6 identical readings reporting flow, not on 5', () => {
      expect(stuck([2, 2, 2, 2, 2])).toBeUndefined();
      const c = stuck([2, 2, 2, 2, 2, 2]);
      expect(c).toMatchObject({ indicator: '2.2', suggestedLevel: 'GENERAL' });
      expect(c?.evidence).toMatchObject({
        count: 6,
        value: 500.25,
        from: at('2025-03-10T09:00:00+08:00').toISOString(),
        to: at('2025-03-10T10:15:00+08:00').toISOString(),
        minReadings: 6,
      });
    });
    it('does not fire when flowRate is 0 or missing', () => {
      expect(stuck([0, 0, 0, 0, 0, 0, 0, 0])).toBeUndefined();
      expect(stuck([null, null, null, null, null, null])).toBeUndefined();
      expect(stuck([2, 2, 2, 0, 2, 2, 2])).toBeUndefined();
    });
    it('counts only the flowing readings of a run', () => {
      expect(stuck([0, 2, 2, 2, 2, 2, 2])?.evidence).toMatchObject({ count: 6, from: at('2025-03-10T09:15:00+08:00').toISOString() });
    });
    it('treats values within 1e-9 as identical and follows the threshold', () => {
      const nearly = [0, 1e-10, 0, 1e-10, 0, 1e-10].map((d, i) => ({
        readAt: plus(at('2025-03-10T09:00:00+08:00'), i * 900_000),
        cumulativeVolume: 7 + d,
        flowRate: 1,
      }));
      expect(find(detectMeter(meter({ lastReadingAt: ASOF }), nearly, ASOF), 'STUCK_READING')).toBeDefined();
      expect(stuck([2, 2, 2], detectionThresholdsSchema.parse({ stuckMinReadings: 3 }))?.evidence.count).toBe(3);
    });
  });

  describe('FLOW_SPIKE', () => {
    // maxFlowRate 10 m³/h → threshold 15 m³/h; 15 minutes apart → 3.75 m³ is exactly 15 m³/h.
    const spike = (dv: number, maxFlowRate: number | null = 10) =>
      find(
        detectMeter(meter({ maxFlowRate, lastReadingAt: ASOF }), [r('2025-03-10T10:00:00+08:00', 100), r('2025-03-10T10:15:00+08:00', 100 + dv)], ASOF),
        'FLOW_SPIKE',
      );
    it('does not fire at exactly 1.5 × maxFlowRate, fires above', () => {
      expect(spike(3.75)).toBeUndefined();
      const c = spike(4);
      expect(c).toMatchObject({ indicator: '2.2', suggestedLevel: 'GENERAL' });
      expect(c?.evidence).toMatchObject({ threshold: 15, maxFlowRate: 10, count: 1, maxImpliedFlow: 16 });
      expect((c?.evidence.pairs as { impliedFlow: number; hours: number }[])[0]).toMatchObject({ impliedFlow: 16, hours: 0.25, volumeM3: 4 });
    });
    it('needs a maxFlowRate and ignores drops', () => {
      expect(spike(400, null)).toBeUndefined();
      expect(spike(-50)).toBeUndefined();
    });
    it('lists the worst pairs first, at most 20', () => {
      const rs = Array.from({ length: 30 }, (_, i) => r(plus(at('2025-03-10T00:00:00+08:00'), i * 900_000).toISOString(), i * i * 10));
      const c = find(detectMeter(meter({ maxFlowRate: 10 }), rs, ASOF), 'FLOW_SPIKE');
      const pairs = c?.evidence.pairs as { impliedFlow: number }[];
      expect(c?.evidence.count).toBe(29); // every step from i=1 on is ≥ 40 m³/h
      expect(pairs).toHaveLength(20);
      expect(pairs[0].impliedFlow).toBeCloseTo(((29 * 29 - 28 * 28) * 10) / 0.25, 6);
      expect(pairs[0].impliedFlow).toBeGreaterThan(pairs[19].impliedFlow);
    });
  });

  describe('CALIBRATION_EXPIRED', () => {
    it('fires when the calibration expired before asOf, also on offline meters', () => {
      expect(detectMeter(meter({ calibrationExpiresAt: ASOF }), healthy(), ASOF)).toEqual([]);
      const c = detectMeter(meter({ online: false, calibrationExpiresAt: plus(ASOF, -1) }), [], ASOF);
      expect(kinds(c)).toEqual(['CALIBRATION_EXPIRED']);
      expect(c[0]).toMatchObject({ indicator: '2.2', suggestedLevel: 'GENERAL', meterId: 'm1' });
      expect(c[0].evidence).toMatchObject({ calibrationExpiresAt: plus(ASOF, -1).toISOString() });
    });
  });
});

describe('detectEnterprise', () => {
  const JUNE = at('2025-06-15T12:00:00+08:00');
  const always = [{ permitNo: 'P-1', validFrom: at('2020-01-01T00:00:00+08:00'), validTo: at('2030-01-01T00:00:00+08:00'), revokedAt: null }];
  const facts = (level1Readings: Record<string, Reading[]>, over: Partial<EnterpriseFacts> = {}): EnterpriseFacts => ({
    enterpriseId: 'e1',
    plans: [{ year: 2025, plannedVolume: 1000 }],
    permits: always,
    level1Readings,
    ...over,
  });
  const twoMeters = (bEnd: number) => ({
    a: [r('2025-01-01T08:00:00+08:00', 100), r('2025-06-15T08:00:00+08:00', 700)],
    b: [r('2025-06-15T09:00:00+08:00', 50 + bEnd), r('2025-01-02T08:00:00+08:00', 50)],
  });

  describe('OVER_PLAN', () => {
    it('does not fire at exactly the plan; GENERAL just above and at +30 %; SERIOUS beyond', () => {
      expect(detectEnterprise(facts(twoMeters(400)), JUNE)).toEqual([]);
      const general = detectEnterprise(facts(twoMeters(401)), JUNE);
      expect(general).toHaveLength(1);
      expect(general[0]).toMatchObject({ kind: 'OVER_PLAN', indicator: '1.2', suggestedLevel: 'GENERAL', meterId: null, enterpriseId: 'e1' });
      expect(general[0].evidence).toMatchObject({ year: 2025, plannedVolume: 1000, usedVolume: 1001, ratio: 1.001 });
      expect(general[0].evidence.perMeter).toEqual([
        expect.objectContaining({ meterId: 'a', first: 100, last: 700, volume: 600 }),
        expect.objectContaining({ meterId: 'b', first: 50, last: 451, volume: 401 }),
      ]);
      expect(detectEnterprise(facts(twoMeters(700)), JUNE)[0].suggestedLevel).toBe('GENERAL');
      const serious = detectEnterprise(facts(twoMeters(701)), JUNE);
      expect(serious[0]).toMatchObject({ kind: 'OVER_PLAN', suggestedLevel: 'SERIOUS' });
      expect(serious[0].evidence).toMatchObject({ usedVolume: 1301, seriousAbove: 1300 });
    });
    it('ignores meters with fewer than 2 readings, readings outside the China plan year, and years without a plan', () => {
      const rs = {
        a: [r('2024-12-31T23:59:00+08:00', 0), r('2025-01-01T00:00:00+08:00', 100), r('2025-06-15T08:00:00+08:00', 1050), r('2025-06-15T12:00:01+08:00', 5000)],
        lone: [r('2025-03-01T00:00:00+08:00', 999_999)],
      };
      expect(detectEnterprise(facts(rs), JUNE)).toEqual([]); // 950 ≤ 1000
      const c = detectEnterprise(facts(rs, { plans: [{ year: 2025, plannedVolume: 900 }] }), JUNE);
      expect(c[0].evidence).toMatchObject({ usedVolume: 950, plannedVolume: 900 });
      expect(c[0].evidence.perMeter).toEqual([expect.objectContaining({ meterId: 'a', first: 100, last: 1050 })]);
      // A plan for another year only: no OVER_PLAN, but NO_PLAN.
      expect(kinds(detectEnterprise(facts(twoMeters(900), { plans: [{ year: 2024, plannedVolume: 1 }] }), JUNE))).toEqual(['NO_PLAN']);
    });
    it('counts a meter read once a day, and the share of the span from the last reading before the year', () => {
      // Read at 20:00 every day from 2024-12-31 on, 10 m³ a day: 20 h of the first span lie in 2025 (10 × 20/24).
      const rs: Reading[] = [];
      for (let d = 0; d <= 10; d++) rs.push({ readAt: plus(at('2024-12-31T20:00:00+08:00'), d * 24 * H), cumulativeVolume: 500 + d * 10, flowRate: null });
      const c = detectEnterprise(facts({ a: rs }, { plans: [{ year: 2025, plannedVolume: 50 }] }), JUNE);
      expect(c[0]).toMatchObject({ kind: 'OVER_PLAN', suggestedLevel: 'SERIOUS' });
      expect(c[0].evidence.usedVolume).toBeCloseTo(90 + (10 * 20) / 24, 9);
      expect(c[0].evidence.perMeter).toEqual([
        expect.objectContaining({
          meterId: 'a',
          first: 510,
          last: 600,
          before: { readAt: at('2024-12-31T20:00:00+08:00').toISOString(), cumulativeVolume: 500 },
        }),
      ]);
      expect(c[0].evidence.attribution).toEqual(ATTRIBUTION);
    });
    it('says in Chinese first that the level beyond 30 % is the officer’s call, and follows the configured level', () => {
      const [serious] = detectEnterprise(facts(twoMeters(701)), JUNE);
      const note = serious.evidence.levelNote as { zh: string; en: string };
      expect(Object.keys(note)).toEqual(['zh', 'en']);
      expect(note.zh).toMatch(/由执法人员决定/);
      expect(note.en).toMatch(/officer's call/);
      const general = detectEnterprise(facts(twoMeters(701)), JUNE, detectionThresholdsSchema.parse({ overPlanBeyondLevel: 'GENERAL' }));
      expect(general[0]).toMatchObject({ kind: 'OVER_PLAN', suggestedLevel: 'GENERAL' });
      const within = detectEnterprise(facts(twoMeters(700)), JUNE)[0];
      expect((within.evidence.levelNote as { zh: string }).zh).toMatch(/一般失信/);
    });
    it('uses the Asia/Shanghai calendar year of asOf', () => {
      const newYear = at('2026-01-01T00:30:00+08:00'); // still 2025 in UTC
      const rs = { a: [r('2026-01-01T00:05:00+08:00', 0), r('2026-01-01T00:20:00+08:00', 20)] };
      const c = detectEnterprise(facts(rs, { plans: [{ year: 2026, plannedVolume: 10 }] }), newYear);
      expect(c[0]).toMatchObject({ kind: 'OVER_PLAN', suggestedLevel: 'SERIOUS' });
      expect(c[0].evidence).toMatchObject({ year: 2026, usedVolume: 20, ratio: 2 });
    });
    it('adds a counter wrap to the volume', () => {
      const rs = { a: [r('2025-02-01T00:00:00+08:00', 799_999_990), r('2025-03-01T00:00:00+08:00', 500)] };
      const c = detectEnterprise(facts(rs, { plans: [{ year: 2025, plannedVolume: 400 }] }), JUNE);
      expect(c[0].evidence).toMatchObject({ usedVolume: 510 });
    });
  });

  describe('NO_PLAN', () => {
    it('fires SERIOUS on 1.2 for withdrawal in a plan year with no plan, in Chinese first', () => {
      const c = detectEnterprise(facts(twoMeters(100), { plans: [{ year: 2024, plannedVolume: 10 }] }), JUNE);
      expect(c).toHaveLength(1);
      expect(c[0]).toMatchObject({ kind: 'NO_PLAN', indicator: '1.2', suggestedLevel: 'SERIOUS', meterId: null, enterpriseId: 'e1' });
      expect(c[0].evidence).toMatchObject({ year: 2025, usedVolume: 700, firstDay: '2025-01-01', plansOnFile: [2024] });
      expect(c[0].evidence.title).toEqual({ zh: '未取得用水计划擅自取用水', en: 'Withdrawal in a plan year with no water plan' });
      expect((c[0].evidence.rule as { zh: string }).zh).toMatch(/^2025 年无用水计划/);
    });
    it('is quiet with a plan for the year (even of 0 m³: that is OVER_PLAN), without withdrawal, and follows the policy indicator', () => {
      expect(kinds(detectEnterprise(facts(twoMeters(100), { plans: [{ year: 2025, plannedVolume: 0 }] }), JUNE))).toEqual(['OVER_PLAN']);
      const flat = { a: [r('2025-01-01T08:00:00+08:00', 100), r('2025-06-15T08:00:00+08:00', 100)] };
      expect(detectEnterprise(facts(flat, { plans: [] }), JUNE)).toEqual([]);
      expect(detectEnterprise(facts({ a: [r('2024-06-01T08:00:00+08:00', 0), r('2024-12-01T08:00:00+08:00', 100)] }, { plans: [] }), JUNE)).toEqual([]);
      const th = detectionThresholdsSchema.parse({ indicators: { NO_PLAN: '1.1' } });
      expect(detectEnterprise(facts(twoMeters(100), { plans: [] }), JUNE, th)[0]).toMatchObject({ kind: 'NO_PLAN', indicator: '1.1' });
    });
  });

  describe('dailyConsumption', () => {
    const pts = (...xs: [string, number][]) => xs.map(([t, v]) => ({ t: at(t).getTime(), v }));
    const days = (m: Map<number, number>) => Object.fromEntries([...m].map(([d, v]) => [chinaDayByIndex(d).day, v]));
    const ALL = [-Infinity, Infinity] as const;
    it('spreads each difference over the China days it spans, pro rata by time', () => {
      const m = dailyConsumption(pts(['2025-03-01T08:00:00+08:00', 100], ['2025-03-02T08:00:00+08:00', 124]), ...ALL);
      expect(days(m)).toEqual({ '2025-03-01': 16, '2025-03-02': 8 });
      const gap = dailyConsumption(pts(['2025-03-01T00:00:00+08:00', 0], ['2025-03-04T00:00:00+08:00', 30]), ...ALL);
      expect(days(gap)).toEqual({ '2025-03-01': 10, '2025-03-02': 10, '2025-03-03': 10 });
    });
    it('adds the modulus for a wrap, counts a rollback as 0, and keeps only [from, to]', () => {
      expect(pairVolume(799_999_990, 5)).toBe(15);
      expect(pairVolume(100, 50)).toBe(0);
      const m = dailyConsumption(pts(['2025-03-01T00:00:00+08:00', 100], ['2025-03-01T12:00:00+08:00', 50], ['2025-03-02T00:00:00+08:00', 60]), ...ALL);
      expect(days(m)).toEqual({ '2025-03-01': 10 });
      const clip = dailyConsumption(
        pts(['2025-03-01T00:00:00+08:00', 0], ['2025-03-04T00:00:00+08:00', 30]),
        at('2025-03-02T12:00:00+08:00').getTime(),
        at('2025-03-03T06:00:00+08:00').getTime(),
      );
      expect(days(clip)).toEqual({ '2025-03-02': 5, '2025-03-03': 2.5 });
    });
  });

  describe('NO_VALID_PERMIT', () => {
    const MARCH20 = at('2025-03-20T12:00:00+08:00');
    const ample = [{ year: 2025, plannedVolume: 1e9 }];
    /** 20 m³ a day on meter a from 03-01 to 03-20: readings at 08:00 and 20:00 China time, 10 m³ between each. */
    const daily = () => {
      const rs: Reading[] = [];
      for (let d = 1; d <= 20; d++) {
        const dd = String(d).padStart(2, '0');
        rs.push(r(`2025-03-${dd}T08:00:00+08:00`, 1000 + d * 20), r(`2025-03-${dd}T20:00:00+08:00`, 1010 + d * 20));
      }
      return { a: rs };
    };
    const permit = (revokedAt: Date | null) => [
      { permitNo: 'P-9', validFrom: at('2025-01-01T00:00:00+08:00'), validTo: at('2026-01-01T00:00:00+08:00'), revokedAt },
    ];

    it('is quiet while a permit covers every day (validFrom exactly at day start)', () => {
      expect(detectEnterprise(facts(daily(), { plans: ample, permits: permit(null) }), MARCH20)).toEqual([]);
    });
    it.each([
      ['at midnight starting 03-10', '2025-03-10T00:00:00+08:00'],
      ['during 03-10', '2025-03-10T10:00:00+08:00'],
    ])('fires SERIOUS from the day of a mid-year revocation (%s) to the last full day before asOf', (_, revoked) => {
      const c = detectEnterprise(facts(daily(), { plans: ample, permits: permit(at(revoked)) }), MARCH20);
      expect(c).toHaveLength(1);
      expect(c[0]).toMatchObject({ kind: 'NO_VALID_PERMIT', indicator: '1.2', suggestedLevel: 'SERIOUS', meterId: null });
      expect(c[0].evidence).toMatchObject({ dayCount: 10, firstDay: '2025-03-10', lastDay: '2025-03-19' });
      expect(c[0].evidence.totalVolume).toBeCloseTo(200, 9);
      const [first] = c[0].evidence.days as { day: string; volume: number }[];
      expect(first.day).toBe('2025-03-10');
      expect(first.volume).toBeCloseTo(20, 9);
    });
    it('needs one permit for the whole day: a hand-over at noon leaves that day uncovered', () => {
      const permits = [
        { permitNo: 'A', validFrom: at('2025-01-01T00:00:00+08:00'), validTo: at('2025-03-05T12:00:00+08:00'), revokedAt: null },
        { permitNo: 'B', validFrom: at('2025-03-05T12:00:00+08:00'), validTo: at('2026-01-01T00:00:00+08:00'), revokedAt: null },
      ];
      const c = detectEnterprise(facts(daily(), { plans: ample, permits }), MARCH20);
      expect(c[0].evidence).toMatchObject({ dayCount: 1, firstDay: '2025-03-05', lastDay: '2025-03-05' });
    });
    it('assigns a reading at 23:59 +08:00 to that China day and skips days without consumption', () => {
      const rs = {
        a: [r('2025-03-09T00:00:00+08:00', 0), r('2025-03-09T23:59:00+08:00', 5), r('2025-03-10T00:00:00+08:00', 5), r('2025-03-10T08:00:00+08:00', 5)],
      };
      const c = detectEnterprise(facts(rs, { plans: ample, permits: [] }), MARCH20);
      expect(c[0].evidence).toMatchObject({ dayCount: 1, days: [{ day: '2025-03-09', volume: 5 }] });
    });
    it('fires for a meter read once a day: each reading-to-reading difference is consumption on the days it spans', () => {
      // Before: a day's use was last − first within the day, so one reading a day meant no use at all.
      const rs: Reading[] = [];
      for (let d = 1; d <= 19; d++) rs.push(r(`2025-03-${String(d).padStart(2, '0')}T09:00:00+08:00`, 5000 + d * 24));
      const c = detectEnterprise(facts({ a: rs }, { plans: ample, permits: [] }), MARCH20);
      expect(c).toHaveLength(1);
      expect(c[0]).toMatchObject({ kind: 'NO_VALID_PERMIT', suggestedLevel: 'SERIOUS' });
      expect(c[0].evidence).toMatchObject({ dayCount: 19, firstDay: '2025-03-01', lastDay: '2025-03-19', attribution: ATTRIBUTION });
      const listed = c[0].evidence.days as { day: string; volume: number }[];
      expect(listed[0].volume).toBeCloseTo(15, 9); // 09:00 to midnight of the 24 m³ a day
      expect(listed[1].volume).toBeCloseTo(24, 9);
      expect(c[0].evidence.totalVolume).toBeCloseTo(18 * 24, 9);
      expect((c[0].evidence.rule as { zh: string }).zh).toMatch(/无有效/);
    });
    it("ignores asOf's own day and caps the listed days at 31", () => {
      const today = { a: [r('2025-03-20T01:00:00+08:00', 0), r('2025-03-20T11:00:00+08:00', 50)] };
      expect(detectEnterprise(facts(today, { plans: ample, permits: [] }), MARCH20)).toEqual([]);
      const rs: Reading[] = [];
      for (let d = 0; d < 40; d++) {
        const start = plus(at('2025-01-01T00:00:00+08:00'), d * 24 * H);
        rs.push({ readAt: plus(start, H), cumulativeVolume: d * 10, flowRate: 1 }, { readAt: plus(start, 2 * H), cumulativeVolume: d * 10 + 1, flowRate: 1 });
      }
      const c = detectEnterprise(facts({ a: rs }, { plans: ample, permits: [] }), MARCH20);
      expect(c[0].evidence).toMatchObject({ dayCount: 40, firstDay: '2025-01-01', lastDay: '2025-02-09' });
      expect(c[0].evidence.days).toHaveLength(31);
    });
  });
});

describe('planYearNeedsDays', () => {
  const asOf = new Date('2025-03-06T01:00:00+08:00');
  const plan2025 = [{ year: 2025 }];
  const permit = (from: string, to: string, revoked: string | null = null) => ({
    permitNo: 'P',
    validFrom: new Date(from),
    validTo: new Date(to),
    revokedAt: revoked ? new Date(revoked) : null,
  });
  const whole = permit('2024-01-01T00:00:00+08:00', '2027-01-01T00:00:00+08:00');
  it('answers false only with a plan for the year and one permit valid and unrevoked from the year start to asOf’s day', () => {
    expect(planYearNeedsDays(plan2025, [whole], asOf)).toBe(false);
    // The permit ends, or is revoked, exactly at asOf's day's start: the last day judged is still covered.
    expect(planYearNeedsDays(plan2025, [permit('2025-01-01T00:00:00+08:00', '2025-03-06T00:00:00+08:00')], asOf)).toBe(false);
    expect(planYearNeedsDays(plan2025, [permit('2024-01-01T00:00:00+08:00', '2027-01-01T00:00:00+08:00', '2025-03-06T00:00:00+08:00')], asOf)).toBe(false);
  });
  it('answers true without a plan for the year (NO_PLAN) or without one permit covering the year so far (NO_VALID_PERMIT)', () => {
    expect(planYearNeedsDays([{ year: 2024 }], [whole], asOf)).toBe(true);
    expect(planYearNeedsDays(plan2025, [], asOf)).toBe(true);
    expect(planYearNeedsDays(plan2025, [permit('2025-01-02T00:00:00+08:00', '2027-01-01T00:00:00+08:00')], asOf)).toBe(true);
    expect(planYearNeedsDays(plan2025, [permit('2024-01-01T00:00:00+08:00', '2025-03-05T23:59:59+08:00')], asOf)).toBe(true);
    expect(planYearNeedsDays(plan2025, [permit('2024-01-01T00:00:00+08:00', '2027-01-01T00:00:00+08:00', '2025-03-05T12:00:00+08:00')], asOf)).toBe(true);
    // Two permits covering the year between them: the days are read (the rule judges day by day).
    expect(
      planYearNeedsDays(
        plan2025,
        [permit('2024-01-01T00:00:00+08:00', '2025-02-01T00:00:00+08:00'), permit('2025-02-01T00:00:00+08:00', '2027-01-01T00:00:00+08:00')],
        asOf,
      ),
    ).toBe(true);
  });
});
