import type { Queryable } from '../../platform/sql';
import { groupLoader } from '../../platform/dataloaders';
import { CandidateRow, candidatesOf } from './candidate.repository';

/** Per-request loaders: An enterprise's candidate violations. */
export function candidateLoaders(m: Queryable) {
  return {
    candidates: groupLoader<CandidateRow>(
      (ids) => candidatesOf(m, ids),
      (r) => r.enterpriseId,
    ),
  };
}
