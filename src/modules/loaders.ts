import type { Queryable } from '../platform/sql';
import { candidateLoaders } from './candidate/candidate.loaders';
import { creditRecordLoaders } from './credit/credit-record.loaders';
import { dataSourceLoaders } from './datasource/datasource.loaders';
import { enforcementLoaders } from './enforcement/enforcement.loaders';
import { enterpriseLoaders } from './enterprise/enterprise.loaders';
import { meterLoaders } from './meter/meter.loaders';
import { permitLoaders } from './permit/permit.loaders';
import { planLoaders } from './plan/plan.loaders';
import { ratingLoaders } from './rating/rating.loaders';
import { objectionLoaders } from './objection/objection.loaders';
import { repairLoaders } from './repair/repair.loaders';
import { filingLoaders } from './filing/filing.loaders';
import { webhookLoaders } from './webhook/webhook.loaders';
import { grantLoaders } from './grant/grant.loaders';
import { tipLoaders } from './tip/tip.loaders';

/**
 * The hub's per-request DataLoaders, one factory per domain (each domain's `*.loaders.ts`):
 * every list field resolved for a page of parents costs one statement per field, whatever
 * the page size. Built fresh for each request (and after each write) so no cached row
 * outlives it.
 */
export function createLoaders(m: Queryable) {
  return {
    ...enterpriseLoaders(m),
    ...permitLoaders(m),
    ...planLoaders(m),
    ...meterLoaders(m),
    ...creditRecordLoaders(m),
    ...ratingLoaders(m),
    ...candidateLoaders(m),
    ...dataSourceLoaders(m),
    ...webhookLoaders(m),
    ...enforcementLoaders(m),
    ...repairLoaders(m),
    ...objectionLoaders(m),
    ...filingLoaders(m),
    ...grantLoaders(m),
    ...tipLoaders(m),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
