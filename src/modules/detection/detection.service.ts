import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { notInFuture } from '../../platform/checks';
import { jurisdictionPrefixes } from '../../platform/auth/principal';
import { CandidateRow, upsertOpenCandidates } from '../candidate/candidate.repository';
import { requireEnterprise } from '../enterprise/enterprise.service';
import {
  MeterRow,
  ReadingRow,
  dailyEndpoints,
  enterpriseIdsOfMeters,
  firstReadingTimes,
  lastReadingsBefore,
  metersOf,
  readingsInWindows,
} from '../meter/meter.repository';
import { enterpriseIdsIn } from '../enterprise/enterprise.repository';
import { permitsOf } from '../permit/permit.repository';
import { plansOf } from '../plan/plan.repository';
import { CreditPolicy, policyInForce } from '../policy/credit-policy';
import { chinaDateString, chinaDay, chinaDayByIndex, chinaDayIndex, chinaYear, chinaYearBounds, previousChinaDay } from '../../platform/china-time';
import { FLAT_EPSILON, MeterDayRow, lastReadingsBeforeDay, meterDaysIn } from '../meter/meter-day.repository';
import {
  CandidateDraft,
  DEFAULT_THRESHOLDS,
  DetectionThresholds,
  MeterFacts,
  WindowSummary,
  PlanYearState,
  copyPlanYear,
  detectEnterprise,
  detectEnterpriseYear,
  detectMeter,
  emptyPlanYear,
  foldPlanYear,
  planYearNeedsDays,
  planYearPoints,
  meterWindow,
  spikeThreshold,
} from './detection.rules';
import { CachedPlanYear, PlanYearWrite, cacheFirstReadings, cachePlanYears, cachedFirstReadings, cachedPlanYears } from './plan-year.repository';

/** The China date after `day` ('YYYY-MM-DD'). */
const nextDay = (day: string) => chinaDateString(new Date(Date.parse(`${day}T00:00:00+08:00`) + 86_400_000));

const byMeter = <T extends { meterId: string }>(readings: T[]) => {
  const map = new Map<string, T[]>();
  for (const r of readings) (map.get(r.meterId) ?? map.set(r.meterId, []).get(r.meterId)!).push(r);
  return map;
};

/** Thresholds of the policy in force at `asOf` (policy data), or the defaults. */
export function thresholdsAt(policies: CreditPolicy[], asOf: Date): DetectionThresholds {
  return policyInForce(policies, asOf)?.detection ?? DEFAULT_THRESHOLDS;
}

/** Where detection reads a meter's days: the daily summaries (`meter_day`, the default) or the readings themselves. */
export type DetectionPath = 'year' | 'days' | 'readings';

/**
 * Runs every detection rule for the given enterprises as of `asOf`, in the caller's transaction, and raises or
 * refreshes their OPEN candidates (one per enterprise, meter and kind). Both paths raise the same drafts:
 * - `days` (default): each meter's daily summaries (`meter_day`) over its rule window and, for level-1 meters,
 *   over the plan year, in one statement. A meter's window readings are read only when a summary says a pair rule
 *   could fire ({@link windowSummary} answers null); the plan and permit rules take each day's first and last reading from the
 *   summaries, and from the readings only for `asOf`'s own day when it has readings after `asOf`.
 * - `readings`: set-based over `meter_reading`: each meter's own window of readings in one statement, and for
 *   level-1 meters the plan year's daily first and last readings (consecutive readings across days are
 *   consecutive pairs). The comparison path of the detection benchmark.
 * Either way online meters' first reading comes in one more statement and the last reading before the plan year
 * (which starts the span running into it) in another; on the days path both from the summaries too.
 */
export async function detectFor(
  ctx: HubContext,
  enterpriseIds: string[],
  asOf: Date,
  th: DetectionThresholds,
  path: DetectionPath = 'year',
): Promise<CandidateRow[]> {
  if (!enterpriseIds.length) return [];
  const meters: MeterRow[] = await metersOf(ctx.db, enterpriseIds);
  // LOW_TRANSMISSION_RATE judges an online meter from its first reading, not its registration.
  const online = meters.filter((t) => t.online).map((t) => t.id);
  const asOfDayStart = chinaDay(asOf).start;
  // Days up to three before asOf's (and before now's) are settled: the triggers on meter_day move the epoch of a meter whose day before yesterday changes.
  const settledEnd = Math.min(asOfDayStart.getTime(), chinaDay(new Date()).start.getTime()) - 2 * 86_400_000;
  const settled = chinaDateString(new Date(settledEnd - 86_400_000));
  const firstReadings = !online.length
    ? new Map<string, Date | null>()
    : path === 'year'
      ? await cachedFirstReadingTimes(ctx, online, settledEnd)
      : await firstReadingTimes(ctx.db, online, path === 'readings' ? 'readings' : 'days');
  const facts = (t: MeterRow) => ({ ...t, firstReadingAt: firstReadings.get(t.id) ?? null });
  const level1 = meters.filter((t) => t.level === 1);
  const level1Ids = level1.map((t) => t.id);
  const year = chinaYear(asOf);
  const { start } = chinaYearBounds(year);
  const drafts: CandidateDraft[] = [];
  const group = <T extends { enterpriseId: string }>(xs: T[]) => {
    const map = new Map<string, T[]>();
    for (const x of xs) (map.get(x.enterpriseId) ?? map.set(x.enterpriseId, []).get(x.enterpriseId)!).push(x);
    return map;
  };
  const plans = group(await plansOf(ctx.db, enterpriseIds));
  const permits = group(await permitsOf(ctx.db, enterpriseIds));
  // Per level-1 meter: the last reading before the plan year, then the plan year's daily first and last readings.
  let daily: Map<string, ReadingRow[]>;
  // On the year path: each level-1 meter's plan-year state as of asOf (the rules' own computation, continued from its cache).
  let years: Map<string, PlanYearState> | undefined;
  if (path === 'readings') {
    const readings = byMeter(
      await readingsInWindows(
        ctx.db,
        meters.map((t) => ({ meterId: t.id, ...meterWindow(t, asOf, th) })),
      ),
    );
    for (const t of meters) drafts.push(...detectMeter(facts(t), readings.get(t.id) ?? [], asOf, th));
    daily = byMeter(level1.length ? [...(await lastReadingsBefore(ctx.db, level1Ids, start)), ...(await dailyEndpoints(ctx.db, level1Ids, start, asOf))] : []);
  } else {
    const asOfDay = chinaDateString(asOf);
    const yearStartDay = chinaDateString(start);
    // The year path: each level-1 meter's cached plan-year state (read before its days) and the days after it. A state's
    // days (`daily`) are read where the rules need them (an enterprise without a plan or one permit covering the year so
    // far) and on the meter's day of the week to cache it again (or when it lags a week); the other days OVER_PLAN needs
    // only the volume and points, and the state, continued in memory, is not cached again.
    const cache = path === 'year' ? await planYearCache(ctx, level1, year, th, asOf, settledEnd, plans, permits) : new Map<string, CachedPlanYear>();
    const cachedThrough = (id: string) => {
      const c = cache.get(id)?.cached;
      return c && c.throughDay < asOfDay ? c.throughDay : null;
    };
    const windows = new Map(meters.map((t) => [t.id, meterWindow(t, asOf, th)]));
    const days = byMeter(
      await meterDaysIn(
        ctx.db,
        meters.map((t) => {
          const fromDay = chinaDateString(windows.get(t.id)!.from);
          if (t.level !== 1) return { meterId: t.id, from: fromDay, to: asOfDay };
          const through = cachedThrough(t.id);
          const yearFrom = through === null ? yearStartDay : nextDay(through);
          return { meterId: t.id, from: yearFrom < fromDay ? yearFrom : fromDay, to: asOfDay };
        }),
      ),
    );
    const exact: MeterRow[] = [];
    for (const t of meters) {
      const w = windows.get(t.id)!;
      const fromDay = chinaDateString(w.from);
      const summary = windowSummary(
        facts(t),
        (days.get(t.id) ?? []).filter((d) => d.chinaDay >= fromDay),
        asOf,
        w.from,
        th,
      );
      if (summary) drafts.push(...detectMeter(facts(t), [], asOf, th, summary));
      else exact.push(t);
    }
    if (exact.length) {
      const readings = byMeter(
        await readingsInWindows(
          ctx.db,
          exact.map((t) => ({ meterId: t.id, ...windows.get(t.id)! })),
        ),
      );
      for (const t of exact) drafts.push(...detectMeter(facts(t), readings.get(t.id) ?? [], asOf, th));
    }
    // asOf's day from the readings only for a meter whose summary of it runs past asOf.
    const partial: string[] = [];
    const points: ReadingRow[] = [];
    for (const id of level1Ids) {
      const after = cachedThrough(id) ?? '';
      for (const d of days.get(id) ?? []) {
        if (d.chinaDay < yearStartDay || d.chinaDay <= after) continue;
        if (d.chinaDay === asOfDay && d.lastReadAt.getTime() > asOf.getTime()) {
          if (d.firstReadAt.getTime() <= asOf.getTime()) partial.push(id);
          continue;
        }
        points.push({ meterId: id, readAt: d.firstReadAt, cumulativeVolume: d.firstTotal, flowRate: d.firstFlow });
        if (d.readingCount > 1) points.push({ meterId: id, readAt: d.lastReadAt, cumulativeVolume: d.lastTotal, flowRate: d.lastFlow });
      }
    }
    const uncached = level1Ids.filter((id) => cachedThrough(id) === null);
    daily = byMeter([
      ...(uncached.length ? await lastReadingsBeforeDay(ctx.db, uncached, yearStartDay) : []),
      ...points,
      ...(partial.length ? await dailyEndpoints(ctx.db, partial, asOfDayStart, asOf) : []),
    ]);
    if (path === 'year') {
      years = new Map();
      const writes: PlanYearWrite[] = [];
      for (const id of level1Ids) {
        const through = cachedThrough(id);
        const pts = planYearPoints(daily.get(id) ?? [], asOf);
        const state = through === null ? emptyPlanYear() : cache.get(id)!.cached!.state;
        if (settled < yearStartDay || (through !== null && (through >= settled || cache.get(id)!.cached!.partial))) foldPlanYear(state, pts, start, th);
        else {
          const i = pts.findIndex((p) => p.t >= settledEnd);
          const upTo = i < 0 ? pts.length : i;
          foldPlanYear(state, pts.slice(0, upTo), start, th);
          writes.push({ meterId: id, epoch: cache.get(id)?.epoch ?? '0', throughDay: settled, state: copyPlanYear(state) });
          foldPlanYear(state, pts.slice(upTo), start, th);
        }
        years.set(id, state);
      }
      await cachePlanYears(ctx.db, year, th, writes);
    }
  }

  const level1By = group(level1);
  for (const id of enterpriseIds) {
    const facts = { enterpriseId: id, plans: plans.get(id) ?? [], permits: permits.get(id) ?? [] };
    const own = level1By.get(id) ?? [];
    drafts.push(
      ...(years
        ? detectEnterpriseYear(facts, Object.fromEntries(own.map((t) => [t.id, years.get(t.id)!])), asOf, th)
        : detectEnterprise({ ...facts, level1Readings: Object.fromEntries(own.map((t) => [t.id, daily.get(t.id) ?? []])) }, asOf, th)),
    );
  }
  return upsertOpenCandidates(ctx.db, drafts);
}

/** The day of the week (0–6, of China day indexes) on which a level-1 meter's plan-year state is cached again: from its id, so a seventh of the meters a day. */
const cacheWeekday = (meterId: string) => parseInt(meterId.slice(0, 8), 16) % 7;

/**
 * The year path's cached plan-year states of the level-1 meters `level1`, by meter: whole (with their days) for the meters
 * whose enterprise's rules need the days at `asOf`, on the meter's weekday of the last settled day, or lagging a week; the
 * others without their days (`partial`).
 */
async function planYearCache(
  ctx: HubContext,
  level1: readonly MeterRow[],
  year: number,
  th: DetectionThresholds,
  asOf: Date,
  settledEnd: number,
  plans: Map<string, { year: number }[]>,
  permits: Map<string, Parameters<typeof planYearNeedsDays>[1]>,
): Promise<Map<string, CachedPlanYear>> {
  const settledIndex = chinaDayIndex(new Date(settledEnd - 86_400_000));
  const whole = level1.filter(
    (t) => planYearNeedsDays(plans.get(t.enterpriseId) ?? [], permits.get(t.enterpriseId) ?? [], asOf) || cacheWeekday(t.id) === settledIndex % 7,
  );
  const found = await cachedPlanYears(
    ctx.db,
    level1.map((t) => t.id),
    year,
    th,
    { whole: whole.map((t) => t.id), lagBefore: chinaDayByIndex(settledIndex - 6).day },
  );
  return new Map(found.map((c) => [c.meterId, c]));
}

/**
 * Each meter's first reading as {@link firstReadingTimes} finds it in the summaries, from `meter_first_reading` while its
 * epoch holds; the others from the summaries, cached when their day ends by `settledEnd` (the epoch read first).
 */
async function cachedFirstReadingTimes(ctx: HubContext, meterIds: string[], settledEnd: number): Promise<Map<string, Date | null>> {
  const cached = await cachedFirstReadings(ctx.db, meterIds);
  const out = new Map(cached.map((c) => [c.meterId, c.firstReadAt]));
  const missing = cached.filter((c) => c.firstReadAt === null);
  if (!missing.length) return out;
  const found = await firstReadingTimes(
    ctx.db,
    missing.map((c) => c.meterId),
    'days',
  );
  const writes: { meterId: string; epoch: string; firstReadAt: Date }[] = [];
  for (const c of missing) {
    const at = found.get(c.meterId) ?? null;
    out.set(c.meterId, at);
    if (at !== null && at.getTime() < settledEnd) writes.push({ meterId: c.meterId, epoch: c.epoch, firstReadAt: at });
  }
  await cacheFirstReadings(ctx.db, writes);
  return out;
}

/**
 * What {@link detectMeter} needs of a meter's window from its daily summaries `days` (the window's days, oldest
 * first), or null when its readings must be read: a summary is marked `unordered` or holds a non-finite total;
 * `asOf`'s day has readings both before and after `asOf`; the meter has summaries but no known first reading; or a
 * pair of readings could fire a pair rule ({@link pairMayFire}). Every pair of the window's readings is a pair of
 * one day's readings or joins two consecutive summarised days, so the markers and the days' endpoints cover them all
 * (and more: pairs before the window or after `asOf` only ever send a meter to its readings).
 */
function windowSummary(meter: MeterFacts, days: MeterDayRow[], asOf: Date, from: Date, th: DetectionThresholds): WindowSummary | null {
  const [now, start] = [asOf.getTime(), from.getTime()];
  const previousDay = chinaDateString(previousChinaDay(asOf).start);
  const kept: MeterDayRow[] = [];
  for (const d of days) {
    if (d.unordered || !Number.isFinite(d.firstTotal) || !Number.isFinite(d.lastTotal)) return null;
    if (d.lastReadAt.getTime() > now) {
      if (d.firstReadAt.getTime() <= now) return null;
      continue; // only readings after asOf: none of them is in the window
    }
    kept.push(d);
  }
  if (kept.length && meter.online && meter.firstReadingAt === null) return null;
  const spike = spikeThreshold(meter, th);
  for (let i = 0; i < kept.length; i++) {
    const d = kept[i];
    if ((d.minStep !== null && !(d.minStep >= 0)) || d.flatFlowingPairs > 0 || (spike !== null && d.maxRate !== null && !(d.maxRate < spike))) return null;
    const prev = kept[i - 1];
    if (
      prev &&
      pairMayFire({ t: prev.lastReadAt.getTime(), v: prev.lastTotal, f: prev.lastFlow }, { t: d.firstReadAt.getTime(), v: d.firstTotal, f: d.firstFlow }, spike)
    )
      return null;
  }
  const last = kept.length ? kept[kept.length - 1].lastReadAt.getTime() : null;
  return {
    lastReadAt: last !== null && last >= start ? last : null,
    firstReadAt: null,
    previousDayReadings: kept.find((d) => d.chinaDay === previousDay)?.readingCount ?? 0,
  };
}

/** Whether the pair of readings `p`, `n` could fire a pair rule: a drop (rollback or wrap), a flat totaliser with flow on both, or a spike. */
function pairMayFire(p: { t: number; v: number; f: number | null }, n: { t: number; v: number; f: number | null }, spike: number | null): boolean {
  const step = n.v - p.v;
  if (!(step >= 0)) return true;
  if (Math.abs(step) <= FLAT_EPSILON && (p.f ?? 0) > 0 && (n.f ?? 0) > 0) return true;
  const ms = n.t - p.t;
  return spike !== null && ms > 0 && !(step / (ms / 3_600_000) < spike);
}

/** `detectAnomalies`: on demand, for one enterprise or every one in the caller's jurisdiction. */
export const detectionService = {
  async detectAnomalies(ctx: HubContext, creditCode?: string | null, asOf?: Date | null): Promise<CandidateRow[]> {
    const at = asOf ?? new Date();
    notInFuture(at, 'asOf');
    const th = thresholdsAt(ctx.policies, at);
    return withTransaction(ctx, async (ctx) => {
      let ids: string[];
      if (creditCode) ids = [(await requireEnterprise(ctx, creditCode, 'write')).id];
      else {
        ids = await enterpriseIdsIn(ctx.db, jurisdictionPrefixes(ctx.principal));
      }
      return detectFor(ctx, ids, at, th);
    });
  },

  /**
   * The detect job's work: the enterprises owning `meterIds` (after a sync), or every
   * enterprise (the schedule: silence needs no new data), as of now, in batches of 200,
   * each batch one transaction.
   */
  async detectQueued(ctx: HubContext, meterIds?: string[]): Promise<void> {
    const asOf = new Date();
    const ids = meterIds ? await enterpriseIdsOfMeters(ctx.db, meterIds) : await enterpriseIdsIn(ctx.db, null);
    const th = thresholdsAt(ctx.policies, asOf);
    for (let i = 0; i < ids.length; i += 200) await withTransaction(ctx, (ctx) => detectFor(ctx, ids.slice(i, i + 200), asOf, th));
  },
};
