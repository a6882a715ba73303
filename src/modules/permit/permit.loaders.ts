import type { Queryable } from '../../platform/sql';
import { groupLoader } from '../../platform/dataloaders';
import { PermitRow, permitsOf } from './permit.repository';

/** Per-request loaders: An enterprise's water permits. */
export function permitLoaders(m: Queryable) {
  return {
    permits: groupLoader<PermitRow>(
      (ids) => permitsOf(m, ids),
      (r) => r.enterpriseId,
    ),
  };
}
