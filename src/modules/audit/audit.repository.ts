import { Conditions, Queryable, rows } from '../../platform/sql';
import { Principal } from '../../platform/auth/principal';
import { inTransaction } from '../../platform/context';
import { safeDetail, safeText } from './audit.sanitize';
import { AT_TEXT, entryHash } from './audit.chain';

export interface AuditEntry {
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  /** OK, or the error code that refused the action. */
  outcome: string;
  /** Codes, ids, levels and reasons only; never personal data. */
  detail?: Record<string, unknown>;
}

/** The row an entry becomes: every text safe for Postgres (no NUL, bounded), a field that had to be cut named with its digest in `detail.cut`. */
export function auditRow(actor: Principal, e: AuditEntry) {
  const cut: Record<string, { sm3: string; length: number }> = {};
  const text = (field: string, s: string | null | undefined) => {
    const t = safeText(s);
    if (t.digest) cut[field] = { sm3: t.digest.sm3, length: t.digest.length };
    return t.value;
  };
  const row = {
    actor: text('actor', actor.subject) ?? '',
    actorRole: text('actorRole', actor.role) ?? '',
    action: text('action', e.action) ?? '',
    targetType: text('targetType', e.targetType),
    targetId: text('targetId', e.targetId),
    outcome: text('outcome', e.outcome) ?? '',
    detail: safeDetail(e.detail ?? {}),
  };
  if (Object.keys(cut).length) row.detail = { ...row.detail, cut };
  return row;
}

/**
 * Appends one entry and returns its id; the table refuses UPDATE, DELETE and TRUNCATE (migration trigger). A NUL byte or a
 * huge argument never loses the entry: such strings are stored as a cut with their SM3 digest and length.
 *
 * The entry joins the hash chain (issue 11 item 4): under the lock of the one-row `audit_chain_head`, taken in the writer's
 * transaction (the caller's, or a short one of its own), it gets the next `seq`, the head's hash as `prev_hash` and
 * `hash` = SM3(prev_hash ‖ canonical fields). Concurrent writers take turns at the head, so seq is gapless in chain order;
 * a transaction that rolls back takes its entry and its head update with it. The lock is held to the writer's commit:
 * audited changes append last, just before committing.
 */
export async function appendAudit(m: Queryable, actor: Principal, e: AuditEntry): Promise<string> {
  const r = auditRow(actor, e);
  const detailText = JSON.stringify(r.detail);
  // What jsonb will read back (undefined dropped, dates as text): the hash covers the entry as stored.
  const detail = JSON.parse(detailText) as unknown;
  return inTransaction(m, async (tx) => {
    const [head] = await rows<{ seq: string; hash: string; at: string }>(
      tx,
      `SELECT seq::text AS seq, hash, ${AT_TEXT('clock_timestamp()')} AS at FROM audit_chain_head WHERE id = 1 FOR UPDATE`,
    );
    if (!head) throw new Error('audit_chain_head has no row: the audit chain migration has not run');
    const seq = (BigInt(head.seq) + 1n).toString();
    const hash = entryHash(head.hash, { seq, at: head.at, ...r, detail });
    const inserted = await rows<{ id: string }>(
      tx,
      `INSERT INTO audit_log (actor, actor_role, action, target_type, target_id, outcome, detail, seq, prev_hash, hash, at)
       VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8::bigint,$9,$10,$11::timestamptz) RETURNING id`,
      [r.actor, r.actorRole, r.action, r.targetType, r.targetId, r.outcome, detailText, seq, head.hash, hash, head.at],
    );
    await tx.query(`UPDATE audit_chain_head SET seq = $1::bigint, hash = $2 WHERE id = 1`, [seq, hash]);
    return String(inserted[0].id);
  });
}

/** Whether an entry is on record (an entry written inside a transaction that then failed to commit is not). */
export async function auditEntryExists(m: Queryable, id: string): Promise<boolean> {
  return (await rows(m, `SELECT 1 FROM audit_log WHERE id = $1`, [id])).length > 0;
}

/** What the audit API filters by (every field optional). */
export interface AuditFilter {
  from?: Date | null;
  to?: Date | null;
  actor?: string | null;
  actorRole?: string | null;
  action?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  outcome?: string | null;
}

export interface AuditLogRow {
  id: string;
  seq: string;
  at: Date;
  actor: string;
  actorRole: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  detail: unknown;
  prevHash: string;
  hash: string;
}

/** Entries matching `filter` after chain position `afterSeq`, in seq order, at most `limit`. */
export async function auditPage(m: Queryable, filter: AuditFilter, afterSeq: string, limit: number): Promise<AuditLogRow[]> {
  const c = new Conditions().add('seq > ?::bigint', afterSeq);
  if (filter.from) c.add('at >= ?', filter.from);
  if (filter.to) c.add('at < ?', filter.to);
  for (const [col, v] of [
    ['actor', filter.actor],
    ['actor_role', filter.actorRole],
    ['action', filter.action],
    ['target_type', filter.targetType],
    ['target_id', filter.targetId],
    ['outcome', filter.outcome],
  ] as const)
    if (v !== undefined && v !== null) c.add(`${col} = ?`, v);
  return rows<AuditLogRow>(
    m,
    `SELECT id::text AS id, seq::text AS seq, at, actor, actor_role AS "actorRole", action, target_type AS "targetType", target_id AS "targetId",
            outcome, detail, prev_hash AS "prevHash", hash
     FROM audit_log WHERE ${c.sql} ORDER BY audit_log.seq LIMIT ${Math.max(0, Math.floor(limit))}`,
    c.params,
  );
}
