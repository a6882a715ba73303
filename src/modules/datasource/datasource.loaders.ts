import type { Queryable } from '../../platform/sql';
import { groupLoader, singleLoader } from '../../platform/dataloaders';
import { DataSourceRow, SyncRunRow, lastRuns, sourcesByIds } from './datasource.repository';

/** Per-request loaders of data sources and their runs: `DataSource.lastRun` and `SyncRun.source` cost one statement per page. */
export function dataSourceLoaders(m: Queryable) {
  return {
    /** A source without its secrets. */
    dataSource: singleLoader<DataSourceRow>(
      (ids) => sourcesByIds(m, ids),
      (r) => r.id,
    ),
    lastRun: groupLoader<SyncRunRow>(
      (ids) => lastRuns(m, ids),
      (r) => r.sourceId,
    ),
  };
}
