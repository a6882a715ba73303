import DataLoader from 'dataloader';
import { EntityManager } from 'typeorm';
import { byKey, groupBy } from './sql';
import { EnterpriseRow, findByIds } from '../modules/enterprise/enterprise.repository';
import { PermitRow, permitsOf } from '../modules/permit/permit.repository';
import { PlanRow, plansOf } from '../modules/plan/plan.repository';
import { MeterRow, ReadingRow, ReadingWindow, metersByIds, metersOf, readingsOf } from '../modules/meter/meter.repository';
import { CreditRecordRow, recordsByIds, recordsOf } from '../modules/credit/credit-record.repository';
import { RatingDetail, RatingRow, RatingSummary, historyOf, ratingDetails, ratingsByIds } from '../modules/rating/rating.repository';
import { CandidateRow, candidatesOf } from '../modules/candidate/candidate.repository';
import { AttemptRow, attemptsOf } from '../modules/notify/webhook.repository';

/** Groups loads that share arguments (a window, a limit) so each group is one statement. */
function argLoader<A, R>(fetch: (ids: readonly string[], args: A) => Promise<R[]>, keyOf: (r: R) => string) {
  const byArgs = new Map<string, DataLoader<string, R[]>>();
  return (id: string, args: A): Promise<R[]> => {
    const k = JSON.stringify(args);
    let l = byArgs.get(k);
    if (!l) {
      l = new DataLoader(async (ids) => groupBy(ids, await fetch(ids, args), keyOf));
      byArgs.set(k, l);
    }
    return l.load(id);
  };
}

/**
 * Per-request DataLoaders: every list field resolved for a page of parents costs one
 * statement per field, whatever the page size. Built fresh for each request so no
 * cached row outlives it.
 */
export function createLoaders(m: EntityManager) {
  const group = <R>(fetch: (ids: readonly string[]) => Promise<R[]>, keyOf: (r: R) => string) =>
    new DataLoader<string, R[]>(async (ids) => groupBy(ids, await fetch(ids), keyOf));
  const single = <R>(fetch: (ids: readonly string[]) => Promise<R[]>, keyOf: (r: R) => string) =>
    new DataLoader<string, R | null>(async (ids) => byKey(ids, await fetch(ids), keyOf));
  return {
    enterprise: single<EnterpriseRow>((ids) => findByIds(m, ids), (r) => r.id),
    permits: group<PermitRow>((ids) => permitsOf(m, ids), (r) => r.enterpriseId),
    plans: group<PlanRow>((ids) => plansOf(m, ids), (r) => r.enterpriseId),
    meters: group<MeterRow>((ids) => metersOf(m, ids), (r) => r.enterpriseId),
    meter: single<MeterRow>((ids) => metersByIds(m, ids), (r) => r.id),
    records: group<CreditRecordRow>((ids) => recordsOf(m, ids), (r) => r.enterpriseId),
    record: single<CreditRecordRow>((ids) => recordsByIds(m, ids), (r) => r.id),
    rating: single<RatingSummary>((ids) => ratingsByIds(m, ids), (r) => r.id),
    ratingDetail: single<RatingDetail>((ids) => ratingDetails(m, ids), (r) => r.id),
    candidates: group<CandidateRow>((ids) => candidatesOf(m, ids), (r) => r.enterpriseId),
    ratingHistory: argLoader<number, RatingRow>((ids, first) => historyOf(m, ids, first), (r) => r.enterpriseId),
    webhookAttempts: group<AttemptRow>((ids) => attemptsOf(m, ids), (r) => r.deliveryId),
    readings: argLoader<ReadingWindow, ReadingRow>((ids, w) => readingsOf(m, ids, w), (r) => r.meterId),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
