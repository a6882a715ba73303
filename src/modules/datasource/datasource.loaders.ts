import { EntityManager } from 'typeorm';
import { groupLoader, singleLoader } from '../../platform/dataloaders';
import { DataSourceRow, SyncRunRow, lastRuns, sourcesByIds } from './datasource.repository';

/** Per-request loaders of data sources and their runs: `DataSource.lastRun` and `SyncRun.source` cost one statement per page. */
export function dataSourceLoaders(m: EntityManager) {
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
