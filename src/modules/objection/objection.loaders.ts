import type { Queryable } from '../../platform/sql';
import { groupLoader, singleLoader } from '../../platform/dataloaders';
import { ObjectionRow, objectionsByIds, objectionsOfEnterprises, recordsWithOpenObjection } from './objection.repository';

/** Per-request loaders: an objection by id, an enterprise's objections (oldest first), whether a record has an open objection. */
export function objectionLoaders(m: Queryable) {
  return {
    objection: singleLoader<ObjectionRow>(
      (ids) => objectionsByIds(m, ids),
      (o) => o.id,
    ),
    enterpriseObjections: groupLoader<ObjectionRow>(
      (ids) => objectionsOfEnterprises(m, ids),
      (o) => o.enterpriseId,
    ),
    openObjectionOfRecord: singleLoader<{ recordId: string }>(
      (ids) => recordsWithOpenObjection(m, ids),
      (r) => r.recordId,
    ),
  };
}
