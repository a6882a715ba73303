import type { Queryable } from './sql';
import { argLoader, groupLoader as group, singleLoader as single } from './dataloaders';
import { EnterpriseRow, findByIds } from '../modules/enterprise/enterprise.repository';
import { PermitRow, permitsOf } from '../modules/permit/permit.repository';
import { PlanRow, plansOf } from '../modules/plan/plan.repository';
import { MeterRow, ReadingRow, ReadingWindow, metersByIds, metersOf, readingsOf } from '../modules/meter/meter.repository';
import { CreditRecordRow, recordsByIds, recordsOf } from '../modules/credit/credit-record.repository';
import { RatingDetail, RatingRow, RatingSummary, historyOf, ratingDetails, ratingsByIds } from '../modules/rating/rating.repository';
import { CandidateRow, candidatesOf } from '../modules/candidate/candidate.repository';
import { dataSourceLoaders } from '../modules/datasource/datasource.loaders';
import { webhookLoaders } from '../modules/webhook/webhook.loaders';

/**
 * Per-request DataLoaders: every list field resolved for a page of parents costs one
 * statement per field, whatever the page size. Built fresh for each request so no
 * cached row outlives it.
 */
export function createLoaders(m: Queryable) {
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
    readings: argLoader<ReadingWindow, ReadingRow>((ids, w) => readingsOf(m, ids, w), (r) => r.meterId),
    ...dataSourceLoaders(m),
    ...webhookLoaders(m),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
