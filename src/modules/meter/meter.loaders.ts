import type { Queryable } from '../../platform/sql';
import { argLoader, groupLoader, singleLoader } from '../../platform/dataloaders';
import { MeterRow, ReadingRow, ReadingWindow, metersByIds, metersOf, readingsOf } from './meter.repository';

/** Per-request loaders: Meters of an enterprise, meters by id, and a meter's readings in a window. */
export function meterLoaders(m: Queryable) {
  return {
    meters: groupLoader<MeterRow>(
      (ids) => metersOf(m, ids),
      (r) => r.enterpriseId,
    ),
    meter: singleLoader<MeterRow>(
      (ids) => metersByIds(m, ids),
      (r) => r.id,
    ),
    readings: argLoader<ReadingWindow, ReadingRow>(
      (ids, w) => readingsOf(m, ids, w),
      (r) => r.meterId,
    ),
  };
}
