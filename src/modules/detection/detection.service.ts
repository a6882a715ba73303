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
import { chinaYear, chinaYearBounds } from '../../platform/china-time';
import { CandidateDraft, DEFAULT_THRESHOLDS, DetectionThresholds, detectEnterprise, detectMeter, meterWindow } from './detection.rules';

const byMeter = (readings: ReadingRow[]) => {
  const map = new Map<string, ReadingRow[]>();
  for (const r of readings) (map.get(r.meterId) ?? map.set(r.meterId, []).get(r.meterId)!).push(r);
  return map;
};

/** Thresholds of the policy in force at `asOf` (policy data), or the defaults. */
export function thresholdsAt(policies: CreditPolicy[], asOf: Date): DetectionThresholds {
  return policyInForce(policies, asOf)?.detection ?? DEFAULT_THRESHOLDS;
}

/**
 * Runs every detection rule for the given enterprises as of `asOf`, in the caller's transaction, and raises or
 * refreshes their OPEN candidates (one per enterprise, meter and kind). Loads set-based:
 * each meter's own window of readings in one statement, online meters' first reading in
 * another, and for level-1 meters the last reading before the plan year and the plan year's
 * daily first and last readings (consecutive readings across days are consecutive pairs).
 */
export async function detectFor(ctx: HubContext, enterpriseIds: string[], asOf: Date, th: DetectionThresholds): Promise<CandidateRow[]> {
  if (!enterpriseIds.length) return [];
  const meters: MeterRow[] = await metersOf(ctx.db, enterpriseIds);
  const readings = byMeter(
    await readingsInWindows(
      ctx.db,
      meters.map((t) => ({ meterId: t.id, ...meterWindow(t, asOf, th) })),
    ),
  );
  // LOW_TRANSMISSION_RATE judges an online meter from its first reading, not its registration.
  const online = meters.filter((t) => t.online).map((t) => t.id);
  const firstReadings = online.length ? await firstReadingTimes(ctx.db, online) : new Map<string, Date | null>();
  const drafts: CandidateDraft[] = meters.flatMap((t) =>
    detectMeter({ ...t, firstReadingAt: firstReadings.get(t.id) ?? null }, readings.get(t.id) ?? [], asOf, th),
  );

  const level1 = meters.filter((t) => t.level === 1);
  const level1Ids = level1.map((t) => t.id);
  const { start } = chinaYearBounds(chinaYear(asOf));
  // The reading before the plan year starts the span that runs into it (its share of the days is the year's).
  const daily = byMeter(
    level1.length ? [...(await lastReadingsBefore(ctx.db, level1Ids, start)), ...(await dailyEndpoints(ctx.db, level1Ids, start, asOf))] : [],
  );
  const group = <T extends { enterpriseId: string }>(xs: T[]) => {
    const map = new Map<string, T[]>();
    for (const x of xs) (map.get(x.enterpriseId) ?? map.set(x.enterpriseId, []).get(x.enterpriseId)!).push(x);
    return map;
  };
  const plans = group(await plansOf(ctx.db, enterpriseIds));
  const permits = group(await permitsOf(ctx.db, enterpriseIds));
  const level1By = group(level1);
  for (const id of enterpriseIds) {
    drafts.push(
      ...detectEnterprise(
        {
          enterpriseId: id,
          plans: plans.get(id) ?? [],
          permits: permits.get(id) ?? [],
          level1Readings: Object.fromEntries((level1By.get(id) ?? []).map((t) => [t.id, daily.get(t.id) ?? []])),
        },
        asOf,
        th,
      ),
    );
  }
  return upsertOpenCandidates(ctx.db, drafts);
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
