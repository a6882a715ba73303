import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';
import type { PushSubject } from './filing.rules';

export const PUSH_STATES = ['NOT_CONFIGURED', 'PENDING', 'DELIVERED', 'DEAD'] as const;
export type PushState = (typeof PUSH_STATES)[number];

/** One document queued for the city credit platform, with where its delivery stands. */
export interface PlatformPushRow {
  id: string;
  subjectKind: PushSubject;
  recordId: string;
  repairId: string | null;
  document: Record<string, unknown>;
  state: PushState;
  attempts: number;
  lastError: string | null;
  receipt: string | null;
  pushedAt: Date | null;
  createdAt: Date;
}

const COLUMNS = `p.id, p.subject_kind AS "subjectKind", p.record_id AS "recordId", p.repair_id AS "repairId", p.document, p.state, p.attempts,
  p.last_error AS "lastError", p.receipt, p.pushed_at AS "pushedAt", p.created_at AS "createdAt"`;

export function insertPush(
  m: Queryable,
  p: Pick<PlatformPushRow, 'subjectKind' | 'recordId' | 'repairId' | 'document' | 'state'>,
): Promise<PlatformPushRow | undefined> {
  return one<PlatformPushRow>(
    m,
    `INSERT INTO platform_push AS p (subject_kind, record_id, repair_id, document, state) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING ${COLUMNS}`,
    [p.subjectKind, p.recordId, p.repairId, JSON.stringify(p.document), p.state],
  );
}

/**
 * Takes up to `limit` pushes that are due (queued or waiting for a retry), skipping those another
 * process holds, and leases them for `leaseS` seconds: a crashed sender's push is due again after it.
 */
export function claimDuePushes(m: Queryable, limit: number, leaseS: number): Promise<PlatformPushRow[]> {
  return rows<PlatformPushRow>(
    m,
    `UPDATE platform_push p SET lease_until = now() + make_interval(secs => $2), state = 'PENDING'
     WHERE p.id IN (SELECT id FROM platform_push WHERE state IN ('NOT_CONFIGURED','PENDING') AND next_attempt_at <= now()
                      AND (lease_until IS NULL OR lease_until < now()) ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING ${COLUMNS}`,
    [limit, leaseS],
  );
}

export interface PushAttempt {
  pushId: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  receipt: string | null;
  durationMs: number;
  state: 'PENDING' | 'DELIVERED' | 'DEAD';
  retryInMs: number | null;
}

/** Stores an attempt and moves the push on (delivered with its receipt, a retry later, or dead). */
export async function recordPushAttempt(m: Queryable, a: PushAttempt): Promise<void> {
  await m.query(`INSERT INTO platform_push_attempt (push_id, attempt, status_code, error, receipt, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)`, [
    a.pushId,
    a.attempt,
    a.statusCode,
    a.error,
    a.receipt,
    Math.round(a.durationMs),
  ]);
  await m.query(
    `UPDATE platform_push SET attempts = $2, state = $3, last_error = $4, receipt = COALESCE($5, receipt),
       pushed_at = CASE WHEN $3 = 'DELIVERED' THEN now() ELSE NULL END, lease_until = NULL,
       next_attempt_at = CASE WHEN $6::int IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $6::int / 1000.0) END
     WHERE id = $1`,
    [a.pushId, a.attempt, a.state, a.error, a.receipt, a.retryInMs],
  );
}

/** The push of each record's determination. */
export function determinationPushesOfRecords(m: Queryable, recordIds: readonly string[]): Promise<PlatformPushRow[]> {
  return rows<PlatformPushRow>(m, `SELECT ${COLUMNS} FROM platform_push p WHERE p.record_id = ANY($1::uuid[]) AND p.subject_kind = 'DETERMINATION'`, [
    recordIds,
  ]);
}

/** Every push of each record (determination, repair decision, status changes), oldest first. */
export function pushesOfRecords(m: Queryable, recordIds: readonly string[]): Promise<PlatformPushRow[]> {
  return rows<PlatformPushRow>(m, `SELECT ${COLUMNS} FROM platform_push p WHERE p.record_id = ANY($1::uuid[]) ORDER BY p.created_at, p.id`, [recordIds]);
}
