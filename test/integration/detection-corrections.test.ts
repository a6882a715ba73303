import { detectionService } from '../../src/modules/detection/detection.service';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { enterpriseService } from '../../src/modules/enterprise/enterprise.service';
import { ingestService } from '../../src/modules/ingest/ingest.service';
import { meterService } from '../../src/modules/meter/meter.service';
import { permitService } from '../../src/modules/permit/permit.service';
import { planService } from '../../src/modules/plan/plan.service';
import { HubContext } from '../../src/modules/context';
import { chinaDayByIndex, chinaDayIndex, chinaYear, chinaYearBounds } from '../../src/platform/china-time';
import { Database } from '../../src/platform/db';
import { testContext, testDeps } from '../support/context';
import { testDatabase } from '../support/hub';
import { testPolicies } from '../support/policy-time';

/**
 * Issue 9, item 10 against the real Postgres: consumption between once-a-day readings, the
 * transmission rate of a meter registered today, NO_PLAN, and readings that cannot be physical.
 * Every date is computed from now: asOf is now, or, in the first week of a year (too few days
 * of it before today), noon of the previous 31 December.
 */
const H = 3_600_000;
const now = new Date();
const yearStart = chinaYearBounds(chinaYear(now)).start;
const asOf = chinaDayIndex(now) - chinaDayIndex(yearStart) >= 7 ? now : new Date(yearStart.getTime() - 12 * H);
const asOfDay = chinaDayIndex(asOf);
const year = chinaYear(asOf);
/** `hour`:00 China time, `daysBack` days before asOf's day. */
const at = (daysBack: number, hour: number) => new Date(chinaDayByIndex(asOfDay - daysBack).start.getTime() + hour * H);

const DAILY = withCheckChar('91130821MD0000901'); // a once-a-day meter, a plan, no permit
const NOPLAN = withCheckChar('91130821MD0000902'); // a permit, a plan for last year only
const LATE = withCheckChar('91130821MD0000903'); // online meters registered in the hub today
const PHYS = withCheckChar('91130821MD0000904'); // impossible readings

let db: Database;
let drop: () => Promise<void>;
let ctx: HubContext;
const detect = (creditCode: string) => detectionService.detectAnomalies(ctx, creditCode, asOf);
const readings = (meterCode: string, times: Date[], step: number) =>
  ingestService.ingestReadings(
    ctx,
    times.map((readAt, i) => ({ meterCode, readAt, cumulativeVolume: 1000 + i * step, flowRate: null })),
  );

beforeAll(async () => {
  ({ db, drop } = await testDatabase('detect_fix'));
  ctx = testContext(testDeps(db, { policies: testPolicies() }));
  for (const [creditCode, name] of [
    [DAILY, '承德县日抄表企业'],
    [NOPLAN, '承德县无计划企业'],
    [LATE, '承德县新登记表计企业'],
    [PHYS, '承德县异常读数企业'],
  ])
    await enterpriseService.register(ctx, { creditCode, name, regionCode: '130821' });
  // Years of permits around asOf, for the enterprises that have one.
  const permit = (creditCode: string, permitNo: string) =>
    permitService.register(ctx, {
      creditCode,
      permitNo,
      validFrom: new Date(asOf.getTime() - 400 * 24 * H),
      validTo: new Date(asOf.getTime() + 400 * 24 * H),
      annualQuota: 1e9,
    });
  await permit(NOPLAN, 'QS-NOPLAN');
  await permit(LATE, 'QS-LATE');
  await permit(PHYS, 'QS-PHYS');
  await planService.set(ctx, { creditCode: DAILY, year, plannedVolume: 1e9 });
  await planService.set(ctx, { creditCode: NOPLAN, year: year - 1, plannedVolume: 1e9 });
  await planService.set(ctx, { creditCode: LATE, year, plannedVolume: 1e9 });
  await planService.set(ctx, { creditCode: PHYS, year, plannedVolume: 1e9 });
});
afterAll(async () => {
  await drop?.();
});

it('a meter read once a day with no valid permit raises NO_VALID_PERMIT for every day its readings span', async () => {
  await meterService.register(ctx, { creditCode: DAILY, meterCode: 'DAILY-1', online: false, level: 1 });
  // 09:00 on each of the six days before asOf's day, 24 m³ a day: one reading a day, so no day has two.
  const r = await readings(
    'DAILY-1',
    [6, 5, 4, 3, 2, 1].map((d) => at(d, 9)),
    24,
  );
  expect(r).toMatchObject({ accepted: 6, rejected: [] });
  const found = await detect(DAILY);
  expect(found.map((c) => c.kind)).toEqual(['NO_VALID_PERMIT']);
  const [c] = found;
  expect(c).toMatchObject({ indicator: '1.2', suggestedLevel: 'SERIOUS', meterId: null });
  const evidence = c.evidence as { dayCount: number; firstDay: string; lastDay: string; totalVolume: number; rule: { zh: string; en: string } };
  expect(evidence).toMatchObject({ dayCount: 6, firstDay: chinaDayByIndex(asOfDay - 6).day, lastDay: chinaDayByIndex(asOfDay - 1).day });
  expect(evidence.totalVolume).toBeCloseTo(5 * 24, 6);
  // Stored as jsonb, which orders keys its own way: the Chinese text is `zh`, the English `en`.
  expect(evidence.rule.zh).toMatch(/^6 天（.*无有效且未被吊销的取水许可证$/);
  expect(evidence.rule.en).toMatch(/^consumption on 6 day\(s\)/);
});

it('NO_PLAN fires for withdrawal in a plan year without a plan, once per enterprise', async () => {
  await meterService.register(ctx, { creditCode: NOPLAN, meterCode: 'NOPLAN-1', online: false, level: 1 });
  expect(await readings('NOPLAN-1', [at(3, 8), at(3, 20), at(1, 8)], 50)).toMatchObject({ accepted: 3 });
  const first = await detect(NOPLAN);
  expect(first.map((c) => c.kind)).toEqual(['NO_PLAN']);
  expect(first[0]).toMatchObject({ indicator: '1.2', suggestedLevel: 'SERIOUS', meterId: null, status: 'OPEN' });
  expect(first[0].evidence).toMatchObject({ year, usedVolume: 100, plansOnFile: [year - 1], title: { zh: '未取得用水计划擅自取用水' } });
  const again = await detect(NOPLAN);
  expect(again.map((c) => c.id)).toEqual(first.map((c) => c.id));
  const [{ n }] = await ctx.db.query(`SELECT count(*)::int AS n FROM candidate_violation WHERE kind = 'NO_PLAN'`);
  expect(n).toBe(1);
  // With a plan for the year it stops being raised (the open one stays for the officer).
  await planService.set(ctx, { creditCode: NOPLAN, year, plannedVolume: 1e9 });
  expect(await detect(NOPLAN)).toEqual([]);
});

it('a meter registered today is judged for LOW_TRANSMISSION_RATE from its first reading', async () => {
  // Hourly meters registered now; they have reported since 08:00 the day before asOf (backfilled now).
  await meterService.register(ctx, { creditCode: LATE, meterCode: 'LATE-GAPPY', online: true, level: 2, reportingIntervalSeconds: 3600 });
  await meterService.register(ctx, { creditCode: LATE, meterCode: 'LATE-FULL', online: true, level: 2, reportingIntervalSeconds: 3600 });
  const since = at(1, 8).getTime();
  const hours = Math.floor((asOf.getTime() - since) / H);
  const every = (n: number) => Array.from({ length: Math.floor(hours / n) + 1 }, (_, i) => new Date(since + i * n * H));
  await readings('LATE-GAPPY', every(2), 1);
  await readings('LATE-FULL', every(1), 1);
  const found = await detect(LATE);
  expect(found.map((c) => c.kind)).toEqual(['LOW_TRANSMISSION_RATE']);
  expect(found[0].evidence).toMatchObject({
    meterCode: 'LATE-GAPPY',
    day: chinaDayByIndex(asOfDay - 1).day,
    from: at(1, 8).toISOString(),
    received: 8, // 08:00, 10:00 … 22:00
    expected: 16,
    rate: 0.5,
  });
});

it('readings that cannot be physical are rejected with their reason and nothing of them is stored', async () => {
  await meterService.register(ctx, { creditCode: PHYS, meterCode: 'PHYS-1', online: false, level: 2, maxFlowRate: 10 });
  const good = { meterCode: 'PHYS-1', readAt: new Date(asOf.getTime() - 2 * H), cumulativeVolume: 100, flowRate: 2 };
  const r = await ingestService.ingestReadings(ctx, [
    good,
    { ...good, readAt: new Date(asOf.getTime() - H), cumulativeVolume: 1e308 },
    { ...good, readAt: new Date(asOf.getTime() - 0.5 * H), cumulativeVolume: 101, flowRate: -3 },
    { ...good, readAt: new Date('0001-01-01T00:00:00Z'), cumulativeVolume: 5 },
    { ...good, readAt: new Date(Date.now() + 24 * H), cumulativeVolume: 102 },
  ]);
  expect(r.accepted).toBe(1);
  expect(r.rejected).toEqual([
    { index: 1, reason: expect.stringMatching(/^累计读数 1e\+308 m³ 超出表计量程.* \/ .*beyond the meter's range/) },
    { index: 2, reason: expect.stringMatching(/^瞬时流量 -3 m³\/h 为负数 \/ flowRate -3 m³\/h is negative/) },
    { index: 3, reason: expect.stringMatching(/^读数时间 0001-01-01T00:00:00.000Z 早于.* \/ readAt .* is before 1999-12-31T16:00:00.000Z/) },
    { index: 4, reason: expect.stringMatching(/future/) },
  ]);
  const stored = await ctx.db.query(
    `SELECT r.read_at AS "readAt", r.cumulative_volume AS v, t.last_reading_at AS "last" FROM meter_reading r JOIN meter t ON t.id = r.meter_id WHERE t.meter_code = 'PHYS-1'`,
  );
  expect(stored).toEqual([{ readAt: good.readAt, v: 100, last: good.readAt }]);
  // So no "implied flow up to Infinity" spike either.
  expect((await detect(PHYS)).map((c) => c.kind)).toEqual([]);
});
