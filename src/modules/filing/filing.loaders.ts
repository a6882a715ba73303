import type { Queryable } from '../../platform/sql';
import { singleLoader } from '../../platform/dataloaders';
import { FilingRow, filingsOfRecords } from './filing.repository';
import { PlatformPushRow, determinationPushesOfRecords } from './platform-push.repository';

/** Per-request loaders: a credit record's determination filing and its platform push. */
export function filingLoaders(m: Queryable) {
  return {
    filing: singleLoader<FilingRow>(
      (ids) => filingsOfRecords(m, ids),
      (f) => f.recordId,
    ),
    platformPush: singleLoader<PlatformPushRow>(
      (ids) => determinationPushesOfRecords(m, ids),
      (p) => p.recordId,
    ),
  };
}
