import type { Queryable } from '../../platform/sql';
import { IdSet, inIdSet, one, rows } from '../../platform/sql';
import type { PermitRevocationKind } from './permit.rules';

export interface PermitRow {
  id: string;
  permitNo: string;
  enterpriseId: string;
  validFrom: Date;
  validTo: Date;
  annualQuota: number;
  revokedAt: Date | null;
  revocationReason: string | null;
  /** How it ended: 吊销 / 注销 / 撤回; null while not revoked. */
  revocationKind: PermitRevocationKind | null;
  /** A revocation annulled on review (行政复议/诉讼): void from the start. */
  annulledAt: Date | null;
  annulmentReason: string | null;
}

export const PERMIT_COLUMNS = `p.id, p.permit_no AS "permitNo", p.enterprise_id AS "enterpriseId", p.valid_from AS "validFrom", p.valid_to AS "validTo",
  p.annual_quota AS "annualQuota", p.revoked_at AS "revokedAt", p.revocation_reason AS "revocationReason",
  p.revocation_kind AS "revocationKind", p.annulled_at AS "annulledAt", p.annulment_reason AS "annulmentReason"`;

export function insertPermit(
  m: Queryable,
  p: Omit<PermitRow, 'id' | 'revokedAt' | 'revocationReason' | 'revocationKind' | 'annulledAt' | 'annulmentReason'>,
): Promise<PermitRow | undefined> {
  return one<PermitRow>(
    m,
    `INSERT INTO water_permit AS p (permit_no, enterprise_id, valid_from, valid_to, annual_quota) VALUES ($1,$2,$3,$4,$5) RETURNING ${PERMIT_COLUMNS}`,
    [p.permitNo, p.enterpriseId, p.validFrom, p.validTo, p.annualQuota],
  );
}

export function findPermit(m: Queryable, permitNo: string, lock = false): Promise<PermitRow | undefined> {
  return one<PermitRow>(m, `SELECT ${PERMIT_COLUMNS} FROM water_permit p WHERE p.permit_no = $1${lock ? ' FOR UPDATE' : ''}`, [permitNo]);
}

export function revokePermit(m: Queryable, id: string, revokedAt: Date, reason: string, kind: PermitRevocationKind): Promise<PermitRow | undefined> {
  return one<PermitRow>(
    m,
    `UPDATE water_permit p SET revoked_at = $2, revocation_reason = $3, revocation_kind = $4 WHERE p.id = $1 RETURNING ${PERMIT_COLUMNS}`,
    [id, revokedAt, reason, kind],
  );
}

export function annulRevocation(m: Queryable, id: string, annulledAt: Date, reason: string): Promise<PermitRow | undefined> {
  return one<PermitRow>(m, `UPDATE water_permit p SET annulled_at = $2, annulment_reason = $3 WHERE p.id = $1 RETURNING ${PERMIT_COLUMNS}`, [
    id,
    annulledAt,
    reason,
  ]);
}

export function permitsOf(m: Queryable, enterpriseIds: readonly string[]): Promise<PermitRow[]> {
  return rows<PermitRow>(m, `SELECT ${PERMIT_COLUMNS} FROM water_permit p WHERE p.enterprise_id = ANY($1::uuid[]) ORDER BY p.valid_from, p.permit_no`, [
    enterpriseIds,
  ]);
}

/** The revoked permits of the enterprises, in `permitsOf`'s order: all the credit engine needs (a permit never revoked decides nothing); a partial index finds them. */
export function revokedPermitsOf(
  m: Queryable,
  enterprises: IdSet,
): Promise<Pick<PermitRow, 'id' | 'permitNo' | 'enterpriseId' | 'revokedAt' | 'revocationKind' | 'annulledAt'>[]> {
  const of = inIdSet('p.enterprise_id', enterprises);
  return rows(
    m,
    `SELECT p.id, p.permit_no AS "permitNo", p.enterprise_id AS "enterpriseId", p.revoked_at AS "revokedAt", p.revocation_kind AS "revocationKind",
            p.annulled_at AS "annulledAt"
       FROM water_permit p WHERE ${of.sql} AND p.revoked_at IS NOT NULL ORDER BY p.valid_from, p.permit_no`,
    of.params,
  );
}
