import type { Queryable } from '../../platform/sql';
import { groupLoader, singleLoader } from '../../platform/dataloaders';
import { CreditRecordRow, recordsByIds, recordsOf } from './credit-record.repository';

/** Per-request loaders: An enterprise's credit records, and records by id. */
export function creditRecordLoaders(m: Queryable) {
  return {
    records: groupLoader<CreditRecordRow>(
      (ids) => recordsOf(m, ids),
      (r) => r.enterpriseId,
    ),
    record: singleLoader<CreditRecordRow>(
      (ids) => recordsByIds(m, ids),
      (r) => r.id,
    ),
  };
}
