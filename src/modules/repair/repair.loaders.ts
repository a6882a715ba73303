import type { Queryable } from '../../platform/sql';
import { groupLoader } from '../../platform/dataloaders';
import { CreditRepairRow, repairsOfRecords } from './repair.repository';
import { noticesOfEnterprises, RepairNoticeRow } from './repair-notice.repository';

/** Per-request loaders: a credit record's repair applications, oldest first. */
export function repairLoaders(m: Queryable) {
  return {
    repairs: groupLoader<CreditRepairRow>(
      (ids) => repairsOfRecords(m, ids),
      (r) => r.recordId,
    ),
    /** An enterprise's Art. 22 repair notices, oldest first. */
    repairNotices: groupLoader<RepairNoticeRow>(
      (ids) => noticesOfEnterprises(m, ids),
      (n) => n.enterpriseId,
    ),
  };
}
