import type { Queryable } from '../../platform/sql';
import { singleLoader } from '../../platform/dataloaders';
import { EnterpriseRow, findByIds } from './enterprise.repository';

/** Per-request loaders: Enterprises by id (a record's or a candidate's enterprise). */
export function enterpriseLoaders(m: Queryable) {
  return {
    enterprise: singleLoader<EnterpriseRow>(
      (ids) => findByIds(m, ids),
      (r) => r.id,
    ),
  };
}
