import { EntityManager } from 'typeorm';
import { HubContext, inTransaction } from '../../platform/context';
import { jurisdictionPrefixes } from '../../platform/auth/principal';
import { rows } from '../../platform/sql';
import { CandidateRow, upsertOpenCandidates } from '../candidate/candidate.repository';
import { requireEnterprise } from '../enterprise/enterprise.service';
import { MeterRow, ReadingRow, dailyEndpoints, metersOf, readingsInWindows } from '../meter/meter.repository';
import { permitsOf } from '../permit/permit.repository';
import { plansOf } from '../plan/plan.repository';
import { CreditPolicy, policyInForce } from '../policy/credit-policy';
import { chinaYear, chinaYearBounds } from '../../platform/china-time';
import { CandidateDraft, DEFAULT_THRESHOLDS, DetectionThresholds, detectEnterprise, detectMeter, meterWindow } from './detection.rules';
import { notInFuture } from '../../platform/checks';

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
 * Runs every detection rule for the given enterprises as of `asOf`, in `m`, and raises or
 * refreshes their OPEN candidates (one per enterprise, meter and kind). Loads set-based:
 * each meter's own window of readings in one statement, the plan year's daily first and
 * last readings of level-1 meters in another.
 */
export async function detectFor(m: EntityManager, enterpriseIds: string[], asOf: Date, th: DetectionThresholds): Promise<CandidateRow[]> {
  if (!enterpriseIds.length) return [];
  const meters: MeterRow[] = await metersOf(m, enterpriseIds);
  const readings = byMeter(await readingsInWindows(m, meters.map((t) => ({ meterId: t.id, ...meterWindow(t, asOf, th) }))));
  const drafts: CandidateDraft[] = meters.flatMap((t) => detectMeter(t, readings.get(t.id) ?? [], asOf, th));

  const level1 = meters.filter((t) => t.level === 1);
  const { start } = chinaYearBounds(chinaYear(asOf));
  const daily = byMeter(level1.length ? await dailyEndpoints(m, level1.map((t) => t.id), start, asOf) : []);
  const group = <T extends { enterpriseId: string }>(xs: T[]) => {
    const map = new Map<string, T[]>();
    for (const x of xs) (map.get(x.enterpriseId) ?? map.set(x.enterpriseId, []).get(x.enterpriseId)!).push(x);
    return map;
  };
  const plans = group(await plansOf(m, enterpriseIds));
  const permits = group(await permitsOf(m, enterpriseIds));
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
  return upsertOpenCandidates(m, drafts);
}

/** `detectAnomalies`: on demand, for one enterprise or every one in the caller's jurisdiction. */
export const detectionService = {
  async detectAnomalies(ctx: HubContext, creditCode?: string | null, asOf?: Date | null): Promise<CandidateRow[]> {
    const at = asOf ?? new Date();
    notInFuture(at, 'asOf');
    const th = thresholdsAt(ctx.policies, at);
    return inTransaction(ctx, async (m) => {
      let ids: string[];
      if (creditCode) ids = [(await requireEnterprise(ctx, m, creditCode, 'write')).id];
      else {
        const scope = jurisdictionPrefixes(ctx.principal);
        ids = (
          await rows<{ id: string }>(m, `SELECT id FROM enterprise WHERE $1::text[] IS NULL OR region_code LIKE ANY($1::text[])`, [
            scope?.map((p) => `${p}%`) ?? null,
          ])
        ).map((r) => r.id);
      }
      return detectFor(m, ids, at, th);
    });
  },
};
