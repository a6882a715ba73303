import type { Queryable } from '../../platform/sql';
import { one } from '../../platform/sql';
import type { RevocationReason, TokenRevocation } from './token-revocation.type';

const COLUMNS = `id::text, jti, subject, reason, revoked_by AS "revokedBy", revoked_at AS "revokedAt", until`;

/** Records a revocation of one token (`jti`) or of a subject's tokens, in force for `forSeconds` (or until `until`). */
export async function insertRevocation(
  m: Queryable,
  r: { jti?: string; subject?: string; reason: RevocationReason; revokedBy: string; until?: Date; forSeconds: number },
): Promise<TokenRevocation> {
  return (await one<TokenRevocation>(
    m,
    `INSERT INTO token_revocation (jti, subject, reason, revoked_by, until)
     VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, now() + make_interval(secs => $6))) RETURNING ${COLUMNS}`,
    [r.jti ?? null, r.subject ?? null, r.reason, r.revokedBy, r.until ?? null, r.forSeconds],
  ))!;
}
