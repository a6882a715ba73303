import type { Queryable } from '../../platform/sql';
import { groupLoader, singleLoader } from '../../platform/dataloaders';
import { CreditRecordRow, recordsByIds, recordsOf } from './credit-record.repository';
import { CreditLetterRow, lettersOfRecords } from './credit-letter.repository';

/** Per-request loaders: An enterprise's credit records, records by id, and a record's Art. 9 letters. */
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
    letters: groupLoader<CreditLetterRow>(
      (ids) => lettersOfRecords(m, ids),
      (l) => l.recordId,
    ),
  };
}
