import { Queryable, rows } from '../../platform/sql';
import { Principal } from '../../platform/auth/principal';
import { safeDetail, safeText } from './audit.sanitize';

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
 */
export async function appendAudit(m: Queryable, actor: Principal, e: AuditEntry): Promise<string> {
  const r = auditRow(actor, e);
  const inserted = await rows<{ id: string }>(
    m,
    `INSERT INTO audit_log (actor, actor_role, action, target_type, target_id, outcome, detail) VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb) RETURNING id`,
    [r.actor, r.actorRole, r.action, r.targetType, r.targetId, r.outcome, JSON.stringify(r.detail)],
  );
  return String(inserted[0].id);
}

/** Whether an entry is on record (an entry written inside a transaction that then failed to commit is not). */
export async function auditEntryExists(m: Queryable, id: string): Promise<boolean> {
  return (await rows(m, `SELECT 1 FROM audit_log WHERE id = $1`, [id])).length > 0;
}
