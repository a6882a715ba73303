import { JSONResolver as GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { SyncStatus } from '../graphql-enums';
import type { DataSourceRow } from './datasource.repository';

@ObjectType({ simpleResolvers: true })
export class DataSource {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field({ description: 'Connector type, e.g. http-json, sensorthings, csv.' }) connector: string;
  @Field(() => GraphQLJSON, { description: 'Connector settings; secrets are never returned.' }) config: unknown;
  @Field(() => Int, { nullable: true, description: 'Milliseconds between scheduled pulls; null = manual only.' }) everyMs: number | null;
  @Field() enabled: boolean;
  @Field(() => SyncRun, { nullable: true }) lastRun: SyncRun | null;
}

@ObjectType({ simpleResolvers: true })
export class SyncRun {
  @Field(() => ID) id: string;
  @Field(() => SyncStatus) status: SyncStatus;
  @Field(() => Date, { nullable: true }) startedAt: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt: Date | null;
  @Field(() => Int) readingsIngested: number;
  @Field(() => Int) readingsRejected: number;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => DataSource) source: DataSource;
}

/**
 * The parent object of a `DataSource`: the row's shown fields only, so a row read with its
 * secrets (the sync job's `findSource`) cannot hand them to a field resolver or a response.
 */
export function toDataSourceParent(row: DataSourceRow): DataSourceRow {
  const { id, name, connector, config, everyMs, enabled, cursor, createdAt } = row;
  return { id, name, connector, config, everyMs, enabled, cursor, createdAt };
}
