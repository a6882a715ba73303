import type { Queryable } from '../../platform/sql';
import { argLoader, groupLoader } from '../../platform/dataloaders';
import { ResultGrantRow, ResultReadRow, grantsOf, pageReads } from './grant.repository';

/** Per-request loaders: an enterprise's grants, and a page of its result read log (Art. 23). */
export function grantLoaders(m: Queryable) {
  return {
    resultGrants: groupLoader<ResultGrantRow>(
      (ids) => grantsOf(m, ids),
      (g) => g.enterpriseId,
    ),
    resultReads: argLoader<{ limit: number; before: string | null }, ResultReadRow>(
      (ids, a) => pageReads(m, ids, a.limit, a.before),
      (r) => r.enterpriseId,
    ),
  };
}
