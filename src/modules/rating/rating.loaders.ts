import type { Queryable } from '../../platform/sql';
import { argLoader, singleLoader } from '../../platform/dataloaders';
import { RatingDetail, RatingRow, RatingSummary, confirmationsOf, historyOf, ratingDetails, ratingsByIds } from './rating.repository';

/** Per-request loaders: Ratings by id (summary, detail and last confirmation), and an enterprise's rating history. */
export function ratingLoaders(m: Queryable) {
  return {
    rating: singleLoader<RatingSummary>(
      (ids) => ratingsByIds(m, ids),
      (r) => r.id,
    ),
    ratingDetail: singleLoader<RatingDetail>(
      (ids) => ratingDetails(m, ids),
      (r) => r.id,
    ),
    ratingConfirmation: singleLoader<{ id: string; confirmedAt: Date }>(
      (ids) => confirmationsOf(m, ids),
      (r) => r.id,
    ),
    ratingHistory: argLoader<number, RatingRow>(
      (ids, first) => historyOf(m, ids, first),
      (r) => r.enterpriseId,
    ),
  };
}
