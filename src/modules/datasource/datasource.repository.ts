import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';
import type { SyncStatus } from '../graphql-enums';
import { isUuid } from '../../platform/checks';
import { seal, unseal } from '../../platform/crypto/keyring';
import { CTX } from '../keys/encrypted-columns';

export interface DataSourceRow {
  id: string;
  name: string;
  connector: string;
  config: Record<string, unknown>;
  everyMs: number | null;
  enabled: boolean;
  cursor: string | null;
  createdAt: Date;
}

export interface SyncRunRow {
  id: string;
  sourceId: string;
  status: SyncStatus;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  pages: number;
  readingsIngested: number;
  readingsDuplicate: number;
  readingsRejected: number;
  rejectedSample: { position: number; reason: string }[];
  attempts: number;
  error: string | null;
  /** Backfill runs: the time range, and the run's own cursor (the source's stays put). */
  rangeFrom: Date | null;
  rangeTo: Date | null;
  backfillCursor: string | null;
}

const SOURCE = `s.id, s.name, s.connector, s.config, s.every_ms AS "everyMs", s.enabled, s.cursor, s.created_at AS "createdAt"`;
const RUN = `r.id, r.source_id AS "sourceId", r.status, r.queued_at AS "queuedAt", r.started_at AS "startedAt", r.finished_at AS "finishedAt",
  r.pages, r.readings_ingested AS "readingsIngested", r.readings_duplicate AS "readingsDuplicate", r.readings_rejected AS "readingsRejected",
  r.rejected_sample AS "rejectedSample", r.attempts, r.error, r.range_from AS "rangeFrom", r.range_to AS "rangeTo", r.backfill_cursor AS "backfillCursor"`;

export function insertSource(
  m: Queryable,
  s: { name: string; connector: string; config: object; secrets: object; everyMs: number | null; enabled: boolean },
): Promise<DataSourceRow | undefined> {
  return one<DataSourceRow>(
    m,
    `INSERT INTO data_source AS s (name, connector, config, secrets, every_ms, enabled) VALUES ($1,$2,$3::jsonb,$4,$5,$6) RETURNING ${SOURCE}`,
    // The secrets are one JSON document, encrypted at rest.
    [s.name, s.connector, JSON.stringify(s.config), seal(CTX.dataSourceSecrets, JSON.stringify(s.secrets)), s.everyMs, s.enabled],
  );
}

export function listSources(m: Queryable): Promise<DataSourceRow[]> {
  return rows<DataSourceRow>(m, `SELECT ${SOURCE} FROM data_source s ORDER BY s.name`);
}

/** A source by id or name; `withSecrets` only for the sync job that must connect. */
export async function findSource(m: Queryable, idOrName: string, lock = false): Promise<(DataSourceRow & { secrets: Record<string, unknown> }) | undefined> {
  const byId = isUuid(idOrName);
  const found = await one<DataSourceRow & { secrets: string }>(
    m,
    `SELECT ${SOURCE}, s.secrets FROM data_source s WHERE ${byId ? 's.id = $1::uuid' : 's.name = $1'}${lock ? ' FOR UPDATE' : ''}`,
    [idOrName],
  );
  // Encrypted JSON, or (written before encryption) the plain JSON text.
  return found && { ...found, secrets: JSON.parse(unseal(CTX.dataSourceSecrets, found.secrets) ?? '{}') as Record<string, unknown> };
}

/** Sources by id, without their secrets (what GraphQL may show). */
export function sourcesByIds(m: Queryable, ids: readonly string[]): Promise<DataSourceRow[]> {
  return rows<DataSourceRow>(m, `SELECT ${SOURCE} FROM data_source s WHERE s.id = ANY($1::uuid[])`, [ids]);
}

export function setSourceEnabled(m: Queryable, id: string, enabled: boolean): Promise<DataSourceRow | undefined> {
  return one<DataSourceRow>(m, `UPDATE data_source s SET enabled = $2, updated_at = now() WHERE s.id = $1 RETURNING ${SOURCE}`, [id, enabled]);
}

/** Moves the cursor only from the value this run started from: two runs never both advance it. */
export async function advanceCursor(m: Queryable, id: string, from: string | null, to: string | null): Promise<boolean> {
  const r = await rows(m, `UPDATE data_source SET cursor = $3, updated_at = now() WHERE id = $1 AND cursor IS NOT DISTINCT FROM $2 RETURNING id`, [
    id,
    from,
    to,
  ]);
  return r.length === 1;
}

export function insertRun(m: Queryable, sourceId: string, by: string, backfill?: { from: Date; to: Date; cursor: string }): Promise<SyncRunRow | undefined> {
  return one<SyncRunRow>(
    m,
    `INSERT INTO sync_run AS r (source_id, requested_by, range_from, range_to, backfill_cursor) VALUES ($1, $2, $3, $4, $5) RETURNING ${RUN}`,
    [sourceId, by, backfill?.from ?? null, backfill?.to ?? null, backfill?.cursor ?? null],
  );
}

/** A backfill run moves its own cursor, never the source's. */
export async function advanceBackfillCursor(m: Queryable, runId: string, from: string | null, to: string | null): Promise<boolean> {
  const r = await rows(m, `UPDATE sync_run SET backfill_cursor = $3 WHERE id = $1 AND backfill_cursor IS NOT DISTINCT FROM $2 RETURNING id`, [runId, from, to]);
  return r.length === 1;
}

/** The source's regular (not backfill) run that is queued or running, if any: triggering again returns it. */
export function activeRun(m: Queryable, sourceId: string): Promise<SyncRunRow | undefined> {
  return one<SyncRunRow>(
    m,
    `SELECT ${RUN} FROM sync_run r WHERE r.source_id = $1 AND r.status IN ('QUEUED','RUNNING') AND r.range_to IS NULL ORDER BY r.queued_at DESC LIMIT 1`,
    [sourceId],
  );
}

export function findRun(m: Queryable, id: string): Promise<SyncRunRow | undefined> {
  return one<SyncRunRow>(m, `SELECT ${RUN} FROM sync_run r WHERE r.id = $1`, [id]);
}

export function lastRuns(m: Queryable, sourceIds: readonly string[]): Promise<SyncRunRow[]> {
  return rows<SyncRunRow>(
    m,
    `SELECT DISTINCT ON (r.source_id) ${RUN} FROM sync_run r WHERE r.source_id = ANY($1::uuid[]) ORDER BY r.source_id, r.queued_at DESC`,
    [sourceIds],
  );
}

export function markRun(m: Queryable, id: string, patch: { status: SyncRunRow['status']; error?: string | null; finished?: boolean; started?: boolean }) {
  return m.query(
    `UPDATE sync_run SET status = $2, error = $3, heartbeat_at = now(),
       started_at = CASE WHEN $4 THEN now() ELSE started_at END,
       attempts = attempts + CASE WHEN $4 THEN 1 ELSE 0 END,
       finished_at = CASE WHEN $5 THEN now() ELSE NULL END
     WHERE id = $1`,
    [id, patch.status, patch.error ?? null, Boolean(patch.started), Boolean(patch.finished)],
  );
}

/** Enabled sources with a schedule whose interval has passed since their last run, and none queued or running. */
export function dueSources(m: Queryable): Promise<{ id: string; name: string }[]> {
  return rows<{ id: string; name: string }>(
    m,
    `SELECT s.id, s.name FROM data_source s
      WHERE s.enabled AND s.every_ms IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM sync_run r WHERE r.source_id = s.id
                         AND (r.status IN ('QUEUED','RUNNING') OR r.queued_at > now() - make_interval(secs => s.every_ms / 1000.0)))`,
  );
}

/** Marks a QUEUED or RUNNING run FAILED (keeping an error it already has). */
export function failRunIfOpen(m: Queryable, id: string, error: string): Promise<unknown> {
  return m.query(`UPDATE sync_run SET status = 'FAILED', finished_at = now(), error = coalesce(error, $2) WHERE id = $1 AND status IN ('QUEUED','RUNNING')`, [
    id,
    error,
  ]);
}

export function addRunCounts(m: Queryable, id: string, c: { ingested: number; duplicate: number; rejected: { position: number; reason: string }[] }) {
  return m.query(
    `UPDATE sync_run SET heartbeat_at = now(), pages = pages + 1, readings_ingested = readings_ingested + $2, readings_duplicate = readings_duplicate + $3,
       readings_rejected = readings_rejected + $4,
       rejected_sample = CASE WHEN jsonb_array_length(rejected_sample) >= 50 THEN rejected_sample ELSE rejected_sample || $5::jsonb END
     WHERE id = $1`,
    [id, c.ingested, c.duplicate, c.rejected.length, JSON.stringify(c.rejected.slice(0, 50))],
  );
}

/**
 * Open runs whose queue job may have been lost (Redis flushed, restarted without persistence, or down when the run was
 * queued): QUEUED for more than `queuedS` seconds, or RUNNING with no sign of life (a page stored) for `runningS`.
 */
export function silentRuns(m: Queryable, queuedS: number, runningS: number, limit = 200): Promise<{ id: string; status: SyncRunRow['status'] }[]> {
  return rows(
    m,
    `SELECT id, status FROM sync_run
      WHERE (status = 'QUEUED' AND coalesce(heartbeat_at, queued_at) < now() - make_interval(secs => $1))
         OR (status = 'RUNNING' AND coalesce(heartbeat_at, queued_at) < now() - make_interval(secs => $2))
      ORDER BY queued_at LIMIT $3`,
    [queuedS, runningS, limit],
  );
}
