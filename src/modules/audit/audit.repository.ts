import { Queryable, rows } from '../../platform/sql';
import { Principal } from '../../platform/auth/principal';

export interface AuditEntry {
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  /** OK, or the error code that refused the action. */
  outcome: string;
  /** Codes, ids, levels and reasons only; never personal data. */
  detail?: Record<string, unknown>;
}

/** Appends one entry and returns its id; the table refuses UPDATE, DELETE and TRUNCATE (migration trigger). */
export async function appendAudit(m: Queryable, actor: Principal, e: AuditEntry): Promise<string> {
  const inserted = await rows<{ id: string }>(
    m,
    `INSERT INTO audit_log (actor, actor_role, action, target_type, target_id, outcome, detail) VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb) RETURNING id`,
    [actor.subject, actor.role, e.action, e.targetType ?? null, e.targetId ?? null, e.outcome, JSON.stringify(e.detail ?? {})],
  );
  return String(inserted[0].id);
}

/** Whether an entry is on record (an entry written inside a transaction that then failed to commit is not). */
export async function auditEntryExists(m: Queryable, id: string): Promise<boolean> {
  return (await rows(m, `SELECT 1 FROM audit_log WHERE id = $1`, [id])).length > 0;
}
