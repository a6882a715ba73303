import type { Queryable } from '../../platform/sql';
import { groupLoader } from '../../platform/dataloaders';
import { PlanRow, plansOf } from './plan.repository';

/** Per-request loaders: An enterprise's water plans. */
export function planLoaders(m: Queryable) {
  return {
    plans: groupLoader<PlanRow>(
      (ids) => plansOf(m, ids),
      (r) => r.enterpriseId,
    ),
  };
}
