import type { Queryable } from '../../platform/sql';
import { groupLoader } from '../../platform/dataloaders';
import { CreditRepairRow, repairsOfRecords } from './repair.repository';

/** Per-request loaders: a credit record's repair applications, oldest first. */
export function repairLoaders(m: Queryable) {
  return {
    repairs: groupLoader<CreditRepairRow>(
      (ids) => repairsOfRecords(m, ids),
      (r) => r.recordId,
    ),
  };
}
