import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';
import type { DishonestyLevel, HonorLevel } from '../policy/credit-policy';
import type { CreditRecordKind, CreditRecordStatus } from './credit.rules';

export interface CreditRecordRow {
  id: string;
  enterpriseId: string;
  kind: CreditRecordKind;
  indicator: string | null;
  level: DishonestyLevel | null;
  honorLevel: HonorLevel | null;
  title: string | null;
  description: string | null;
  occurredAt: Date;
  basis: string | null;
  governmentAward: boolean;
  status: CreditRecordStatus;
  statusReason: string | null;
  determinedBy: string;
  createdAt: Date;
}

const COLUMNS = `c.id, c.enterprise_id AS "enterpriseId", c.kind, c.indicator, c.level, c.honor_level AS "honorLevel", c.title,
  c.description, c.occurred_at AS "occurredAt", c.basis,
  c.government_award AS "governmentAward", c.status, c.status_reason AS "statusReason",
  c.determined_by AS "determinedBy", c.created_at AS "createdAt"`;

export type NewCreditRecord = Omit<CreditRecordRow, 'id' | 'status' | 'statusReason' | 'createdAt'>;

export function insertCreditRecord(m: Queryable, r: NewCreditRecord): Promise<CreditRecordRow | undefined> {
  return one<CreditRecordRow>(
    m,
    `INSERT INTO credit_record AS c (enterprise_id, kind, indicator, level, honor_level, title, description, occurred_at, basis, government_award, determined_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING ${COLUMNS}`,
    [r.enterpriseId, r.kind, r.indicator, r.level, r.honorLevel, r.title, r.description, r.occurredAt, r.basis, r.governmentAward, r.determinedBy],
  );
}

export function findCreditRecord(m: Queryable, id: string, lock = false): Promise<CreditRecordRow | undefined> {
  return one<CreditRecordRow>(m, `SELECT ${COLUMNS} FROM credit_record c WHERE c.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

export function setCreditRecordStatus(m: Queryable, id: string, status: string, reason: string): Promise<CreditRecordRow | undefined> {
  return one<CreditRecordRow>(m, `UPDATE credit_record c SET status = $2, status_reason = $3, updated_at = now() WHERE c.id = $1 RETURNING ${COLUMNS}`, [
    id,
    status,
    reason,
  ]);
}

export function recordsOf(m: Queryable, enterpriseIds: readonly string[]): Promise<CreditRecordRow[]> {
  return rows<CreditRecordRow>(m, `SELECT ${COLUMNS} FROM credit_record c WHERE c.enterprise_id = ANY($1::uuid[]) ORDER BY c.occurred_at, c.id`, [
    enterpriseIds,
  ]);
}

export function recordsByIds(m: Queryable, ids: readonly string[]): Promise<CreditRecordRow[]> {
  return rows<CreditRecordRow>(m, `SELECT ${COLUMNS} FROM credit_record c WHERE c.id = ANY($1::uuid[])`, [ids]);
}
