import type { Principal } from '../../platform/auth/principal';
import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';
import type { GrantScope, ResultField } from '../enterprise/result-access';

/** A written authorisation (书面授权, Art. 23) to read an enterprise's evaluation result. */
export interface ResultGrantRow {
  id: string;
  enterpriseId: string;
  granteeSubject: string | null;
  granteeAgency: string | null;
  scope: GrantScope;
  purpose: string;
  validFrom: Date;
  validUntil: Date;
  grantedBy: string;
  grantedAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
}

/** One logged read of an enterprise's result (one per enterprise and request). */
export interface ResultReadRow {
  id: string;
  enterpriseId: string;
  readerSubject: string;
  readerRole: string;
  readerAgency: string | null;
  grantId: string | null;
  purpose: string;
  fields: ResultField[];
  readAt: Date;
}

const GRANT = `g.id, g.enterprise_id AS "enterpriseId", g.grantee_subject AS "granteeSubject", g.grantee_agency AS "granteeAgency", g.scope, g.purpose,
  g.valid_from AS "validFrom", g.valid_until AS "validUntil", g.granted_by AS "grantedBy", g.granted_at AS "grantedAt",
  g.revoked_at AS "revokedAt", g.revoked_by AS "revokedBy"`;

const READ = `r.id::text AS id, r.enterprise_id AS "enterpriseId", r.reader_subject AS "readerSubject", r.reader_role AS "readerRole",
  r.reader_agency AS "readerAgency", r.grant_id AS "grantId", r.purpose, r.fields, r.read_at AS "readAt"`;

export type NewGrant = Pick<
  ResultGrantRow,
  'enterpriseId' | 'granteeSubject' | 'granteeAgency' | 'scope' | 'purpose' | 'validFrom' | 'validUntil' | 'grantedBy'
>;

export function insertGrant(m: Queryable, g: NewGrant): Promise<ResultGrantRow | undefined> {
  return one<ResultGrantRow>(
    m,
    `INSERT INTO result_grant AS g (enterprise_id, grantee_subject, grantee_agency, scope, purpose, valid_from, valid_until, granted_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${GRANT}`,
    [g.enterpriseId, g.granteeSubject, g.granteeAgency, g.scope, g.purpose, g.validFrom, g.validUntil, g.grantedBy],
  );
}

export function findGrant(m: Queryable, id: string, lock = false): Promise<ResultGrantRow | undefined> {
  return one<ResultGrantRow>(m, `SELECT ${GRANT} FROM result_grant g WHERE g.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

export function setGrantRevoked(m: Queryable, id: string, at: Date, by: string): Promise<ResultGrantRow | undefined> {
  return one<ResultGrantRow>(m, `UPDATE result_grant g SET revoked_at = $2, revoked_by = $3 WHERE g.id = $1 RETURNING ${GRANT}`, [id, at, by]);
}

/** Every enterprise's grants, newest first (the security administrator's oversight); `activeAt`: only those in force then. */
export function listGrants(m: Queryable, activeAt: Date | null, limit: number): Promise<ResultGrantRow[]> {
  return rows<ResultGrantRow>(
    m,
    `SELECT ${GRANT} FROM result_grant g
      WHERE $1::timestamptz IS NULL OR (g.valid_from <= $1 AND g.valid_until > $1 AND (g.revoked_at IS NULL OR g.revoked_at > $1))
      ORDER BY g.granted_at DESC, g.id LIMIT $2`,
    [activeAt, limit],
  );
}

/** The grants of each enterprise, newest first (one statement for a page of enterprises). */
export function grantsOf(m: Queryable, enterpriseIds: readonly string[]): Promise<ResultGrantRow[]> {
  return rows<ResultGrantRow>(m, `SELECT ${GRANT} FROM result_grant g WHERE g.enterprise_id = ANY($1::uuid[]) ORDER BY g.granted_at DESC, g.id`, [
    enterpriseIds,
  ]);
}

/** A page of each enterprise's read log, newest first (`before`: the id of the last row of the previous page); one statement. */
export function pageReads(m: Queryable, enterpriseIds: readonly string[], limit: number, before: string | null): Promise<ResultReadRow[]> {
  return rows<ResultReadRow>(
    m,
    `SELECT ${READ} FROM unnest($1::uuid[]) AS k(id)
       CROSS JOIN LATERAL (SELECT * FROM result_read x WHERE x.enterprise_id = k.id AND ($2::bigint IS NULL OR x.id < $2::bigint) ORDER BY x.id DESC LIMIT $3) r`,
    [enterpriseIds, before, limit],
  );
}

/** One read to log: the enterprise, the grant relied on (its purpose is taken), the fields read. */
export interface PendingReadRow {
  enterpriseId: string;
  grantId: string | null;
  fields: ResultField[];
}

/**
 * Logs a request's reads in ONE statement, whatever their number (arrays in, `unnest`; three
 * array parameters, so no bind-parameter limit). A read through a grant records the grant's purpose.
 */
export async function insertReads(m: Queryable, reader: Principal, purpose: string, requestId: string, reads: readonly PendingReadRow[]): Promise<void> {
  if (!reads.length) return;
  await m.query(
    `INSERT INTO result_read (enterprise_id, reader_subject, reader_role, reader_agency, grant_id, purpose, fields, request_id)
     SELECT r.e, $4, $5, $6, r.g, coalesce(g.purpose, $7), string_to_array(r.f, ','), $8
       FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS r(e, g, f) LEFT JOIN result_grant g ON g.id = r.g`,
    [
      reads.map((r) => r.enterpriseId),
      reads.map((r) => r.grantId),
      reads.map((r) => r.fields.join(',')),
      reader.subject,
      reader.role,
      reader.agency ?? null,
      purpose,
      requestId,
    ],
  );
}
