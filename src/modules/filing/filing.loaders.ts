import type { Queryable } from '../../platform/sql';
import { groupLoader, singleLoader } from '../../platform/dataloaders';
import { FilingRow, filingsOfRecords } from './filing.repository';
import { PlatformPushRow, determinationPushesOfRecords, pushesOfRecords } from './platform-push.repository';

/** Per-request loaders: a credit record's determination filing, its determination's platform push, and all its pushes. */
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
    platformPushes: groupLoader<PlatformPushRow>(
      (ids) => pushesOfRecords(m, ids),
      (p) => p.recordId,
    ),
  };
}
