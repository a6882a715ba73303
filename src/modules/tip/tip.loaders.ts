import type { Queryable } from '../../platform/sql';
import { singleLoader } from '../../platform/dataloaders';
import { TipRow, tipsByIds } from './tip.repository';

/** Per-request loaders: a tip by id (CandidateViolation.tip). */
export function tipLoaders(m: Queryable) {
  return {
    tip: singleLoader<TipRow>(
      (ids) => tipsByIds(m, ids),
      (r) => r.id,
    ),
  };
}
