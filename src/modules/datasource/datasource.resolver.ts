import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireFound } from '../../platform/checks';
import { HubContext } from '../context';
import { DataSourceInput } from './datasource.input';
import { DataSource, SyncRun, toDataSourceParent } from './datasource.type';
import { RejectedReading } from '../ingest/ingest.type';
import type { DataSourceRow, SyncRunRow } from './datasource.repository';
import { dataSourceService } from './datasource.service';
import { Audited } from '../audit/audited';
import { SYSTEM_ADMINS } from '../../platform/auth/roles';

/** Data sources are infrastructure: the system administrator (系统管理员) only. */
const DATA_TEAM = [...SYSTEM_ADMINS];

@Resolver(() => DataSource)
export class DataSourceResolver {
  @Authorized(DATA_TEAM)
  @Query(() => [DataSource])
  async dataSources(@Ctx() ctx: HubContext) {
    return (await dataSourceService.list(ctx)).map(toDataSourceParent);
  }

  @Authorized(DATA_TEAM)
  @Query(() => SyncRun, { nullable: true })
  syncRun(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string) {
    return dataSourceService.run(ctx, id);
  }

  @Authorized(DATA_TEAM)
  @Audited({ target: 'data_source', id: 'result.id', detail: ['input.connector', 'input.everyMs', 'input.enabled'] })
  @Mutation(() => DataSource, { description: 'Registers a feed. Secret settings (e.g. token) are stored write-only and never returned.' })
  async createDataSource(@Ctx() ctx: HubContext, @Arg('input', () => DataSourceInput) input: DataSourceInput) {
    return toDataSourceParent(await dataSourceService.create(ctx, input));
  }

  @Authorized(DATA_TEAM)
  @Audited({ target: 'data_source', id: 'id', detail: ['enabled'] })
  @Mutation(() => DataSource, { description: 'Enables or disables scheduled and manual syncs of a source.' })
  async setDataSourceEnabled(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string, @Arg('enabled') enabled: boolean) {
    return toDataSourceParent(await dataSourceService.setEnabled(ctx, id, enabled));
  }

  @Authorized(DATA_TEAM)
  @Audited({ target: 'data_source', id: 'sourceId', detail: [['runId', 'result.id']] })
  @Mutation(() => SyncRun, { description: "Queues a sync from the source's cursor; while one is queued or running, returns that run." })
  triggerSync(@Ctx() ctx: HubContext, @Arg('sourceId', () => ID) sourceId: string) {
    return dataSourceService.trigger(ctx, sourceId);
  }

  @Authorized(DATA_TEAM)
  @Audited({ target: 'data_source', id: 'sourceId', detail: [['runId', 'result.id'], 'from', 'to'] })
  @Mutation(() => SyncRun, {
    description: "Queues a backfill of readings in [from, to] (connectors with time cursors: sensorthings, simulator); the source's cursor is not moved.",
  })
  backfillDataSource(@Ctx() ctx: HubContext, @Arg('sourceId', () => ID) sourceId: string, @Arg('from') from: Date, @Arg('to') to: Date) {
    return dataSourceService.backfill(ctx, sourceId, from, to);
  }

  @FieldResolver(() => SyncRun, { nullable: true })
  async lastRun(@Ctx() ctx: HubContext, @Root() s: DataSourceRow) {
    return (await ctx.loaders.lastRun.load(s.id))[0] ?? null;
  }
}

@Resolver(() => SyncRun)
export class SyncRunResolver {
  @FieldResolver(() => DataSource)
  async source(@Ctx() ctx: HubContext, @Root() r: SyncRunRow) {
    return toDataSourceParent(requireFound(await ctx.loaders.dataSource.load(r.sourceId), 'data source', r.sourceId));
  }

  @FieldResolver(() => Int, { description: 'Valid readings that were already stored.' })
  readingsDuplicate(@Root() r: SyncRunRow) {
    return r.readingsDuplicate;
  }

  @FieldResolver(() => Int, { description: 'Pages stored so far.' })
  pages(@Root() r: SyncRunRow) {
    return r.pages;
  }

  @FieldResolver(() => [RejectedReading], { description: 'The first rejected records with their reasons (up to 50).' })
  rejectedSample(@Root() r: SyncRunRow) {
    return r.rejectedSample.map((x) => ({ index: x.position, reason: x.reason }));
  }
}
