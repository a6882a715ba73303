import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput, duplicate, isUniqueViolation, notFound } from '../../platform/errors';
import { CONNECTORS } from '../../../connectors/registry';
import { DataSourceInput } from './datasource.input';
import { isUuid, notInFuture, requireFound } from '../../platform/checks';
import { logger } from '../../platform/logger';
import { targetProblem } from '../../platform/net/address-policy';
import {
  DataSourceRow,
  SyncRunRow,
  activeRun,
  findRun,
  findSource,
  insertRun,
  insertSource,
  listSources,
  setSourceEnabled,
  silentRuns,
} from './datasource.repository';

/** A QUEUED run is looked after once it has waited this long without a worker taking it… */
export const QUEUED_GRACE_S = 60;
/** …a RUNNING one once it has stored no page for this long (longer than a feed's slowest page). */
export const RUNNING_GRACE_S = 600;

/** Splits settings into what may be shown and what is write-only (the connector names its secrets). */
export function splitSecrets(connector: string, config: unknown): { config: Record<string, unknown>; secrets: Record<string, unknown> } {
  const def = CONNECTORS[connector];
  if (!def) throw badInput(`Unknown connector ${connector}; known: ${Object.keys(CONNECTORS).join(', ')}`, 'connector');
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw badInput('config must be a JSON object', 'config');
  try {
    def.parseConfig(config);
  } catch (e) {
    throw badInput(`config for ${connector}: ${(e as Error).message}`, 'config');
  }
  const shown: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) (def.secretKeys.includes(k) ? secrets : shown)[k] = v;
  return { config: shown, secrets };
}

/**
 * Refuses settings whose URLs the outbound address policy forbids (an internal address not allow-listed, a domain outside
 * HUB_OUTBOUND_ALLOWED_DOMAINS); checked again at every connection (sync.service passes the policy to the connector).
 */
async function checkTargets(ctx: HubContext, connector: string, config: unknown): Promise<void> {
  const def = CONNECTORS[connector];
  if (!def?.targets) return;
  for (const url of def.targets(def.parseConfig(config))) {
    const target = await targetProblem(url, ctx.webhooks.policy);
    if ('problem' in target)
      throw badInput(`数据源地址被出站地址策略拒绝 / Data source URL refused by the outbound address policy: ${target.problem}.`, 'config');
  }
}

/** Data sources and sync runs: what data teams register, run and watch. */
export const dataSourceService = {
  async create(ctx: HubContext, input: DataSourceInput): Promise<DataSourceRow> {
    const name = input.name.trim();
    if (!name || name.length > 100) throw badInput('name must have 1 to 100 characters', 'name');
    if (input.everyMs != null && (!Number.isInteger(input.everyMs) || input.everyMs < 1000)) throw badInput('everyMs must be at least 1000', 'everyMs');
    const { config, secrets } = splitSecrets(input.connector, input.config);
    await checkTargets(ctx, input.connector, input.config);
    try {
      return (await withTransaction(ctx, (ctx) =>
        insertSource(ctx.db, { name, connector: input.connector, config, secrets, everyMs: input.everyMs ?? null, enabled: input.enabled ?? true }),
      ))!;
    } catch (e) {
      if (isUniqueViolation(e)) throw duplicate(`A data source named ${name} already exists.`);
      throw e;
    }
  },

  list(ctx: HubContext): Promise<DataSourceRow[]> {
    return listSources(ctx.db);
  },

  async setEnabled(ctx: HubContext, id: string, enabled: boolean): Promise<DataSourceRow> {
    const s = requireFound(await findSource(ctx.db, id), 'data source', id);
    return requireFound(await withTransaction(ctx, (ctx) => setSourceEnabled(ctx.db, s.id, enabled)), 'data source', id);
  },

  /** Queues a sync of the source; while one is queued or running, returns that run instead (a repeat is a no-op). */
  async trigger(ctx: HubContext, idOrName: string): Promise<SyncRunRow> {
    const run = await withTransaction(ctx, async (ctx) => {
      const s = await findSource(ctx.db, idOrName, true);
      if (!s) throw notFound(`No data source ${idOrName}`);
      if (!s.enabled) throw badInput(`Data source ${s.name} is disabled; enable it first`, 'sourceId');
      return (await activeRun(ctx.db, s.id)) ?? (await insertRun(ctx.db, s.id, ctx.principal.subject))!;
    });
    await ctx.jobs.add('sync', { runId: run.id });
    return run;
  },

  /**
   * Queues a backfill of [from, to] for a connector whose cursors are times; it moves its
   * own cursor, so the source's regular syncs carry on untouched.
   */
  async backfill(ctx: HubContext, idOrName: string, from: Date, to: Date): Promise<SyncRunRow> {
    if (!(from < to)) throw badInput('from must be before to', 'from');
    notInFuture(to, 'to');
    const run = await withTransaction(ctx, async (ctx) => {
      const s = await findSource(ctx.db, idOrName, true);
      if (!s) throw notFound(`No data source ${idOrName}`);
      const connector = CONNECTORS[s.connector];
      if (!connector?.cursorAt) throw badInput(`Connector ${s.connector} has no time-based cursor, so it cannot backfill a time range`, 'sourceId');
      return (await insertRun(ctx.db, s.id, ctx.principal.subject, { from, to, cursor: connector.cursorAt(from) }))!;
    });
    await ctx.jobs.add('sync', { runId: run.id });
    return run;
  },

  /**
   * Queues again the open runs whose job was lost with Redis (flushed, restarted without persistence, down when the run
   * was queued), which would otherwise stay QUEUED or RUNNING for ever and block their source's schedule (security
   * review, issue 11). A run whose job is still waiting or running is left alone (same natural job id); a run taken
   * twice is safe, as each page moves the cursor only from where it was. Called by every scheduler tick.
   */
  /** Returns how many runs were queued again. */
  async requeueSilent(ctx: HubContext): Promise<number> {
    let requeued = 0;
    for (const r of await silentRuns(ctx.db, QUEUED_GRACE_S, RUNNING_GRACE_S)) if (await ctx.jobs.requeue('sync', { runId: r.id })) requeued++;
    if (requeued) logger.warn({ runs: requeued }, 'sync runs whose queue job was lost are queued again');
    return requeued;
  },

  async run(ctx: HubContext, id: string): Promise<SyncRunRow | null> {
    if (!isUuid(id)) return null;
    return (await findRun(ctx.db, id)) ?? null;
  },
};
