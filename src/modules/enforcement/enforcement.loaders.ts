import type { Queryable } from '../../platform/sql';
import { groupLoader, singleLoader } from '../../platform/dataloaders';
import { EnforcementCaseRow, FineRow, NoticeRow, casesByIds, casesOf, casesOfRecords, finesOf, noticesOf } from './enforcement.repository';

/** Per-request loaders: an enterprise's cases, a case by id or by the record determined from it, a case's notices and fines. */
export function enforcementLoaders(m: Queryable) {
  return {
    enforcementCases: groupLoader<EnforcementCaseRow>(
      (ids) => casesOf(m, ids),
      (c) => c.enterpriseId,
    ),
    enforcementCase: singleLoader<EnforcementCaseRow>(
      (ids) => casesByIds(m, ids),
      (c) => c.id,
    ),
    enforcementCaseOfRecord: singleLoader<EnforcementCaseRow & { recordId: string }>(
      (ids) => casesOfRecords(m, ids),
      (c) => c.recordId,
    ),
    caseNotices: groupLoader<NoticeRow>(
      (ids) => noticesOf(m, ids),
      (n) => n.caseId,
    ),
    caseFines: groupLoader<FineRow>(
      (ids) => finesOf(m, ids),
      (f) => f.caseId,
    ),
  };
}
