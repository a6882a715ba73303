import type { Queryable } from '../../platform/sql';
import { groupLoader, singleLoader } from '../../platform/dataloaders';
import { CandidateRow, candidatesByIds, candidatesOf } from './candidate.repository';

/** Per-request loaders: an enterprise's candidate violations; a candidate by id (Tip.candidate). */
export function candidateLoaders(m: Queryable) {
  return {
    candidates: groupLoader<CandidateRow>(
      (ids) => candidatesOf(m, ids),
      (r) => r.enterpriseId,
    ),
    candidate: singleLoader<CandidateRow>(
      (ids) => candidatesByIds(m, ids),
      (r) => r.id,
    ),
  };
}
