import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';
import type { FilingState, FilingSubject } from './filing.rules';

/** A filing with the next level up (备案, Art. 7). `dueDate` is the last day, `YYYY-MM-DD` China time. */
export interface FilingRow {
  id: string;
  subjectKind: FilingSubject;
  recordId: string;
  repairId: string | null;
  enterpriseId: string;
  fromRegionCode: string;
  filedWithRegionCode: string;
  determinedAt: Date;
  dueDate: string;
  dueProvisional: boolean;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  late: boolean | null;
}

const COLUMNS = `f.id, f.subject_kind AS "subjectKind", f.record_id AS "recordId", f.repair_id AS "repairId", f.enterprise_id AS "enterpriseId",
  f.from_region_code AS "fromRegionCode", f.filed_with_region_code AS "filedWithRegionCode", f.determined_at AS "determinedAt",
  to_char(f.due_date, 'YYYY-MM-DD') AS "dueDate", f.due_provisional AS "dueProvisional", f.acknowledged_at AS "acknowledgedAt",
  f.acknowledged_by AS "acknowledgedBy", f.late`;

export type NewFiling = Omit<FilingRow, 'id' | 'acknowledgedAt' | 'acknowledgedBy' | 'late'>;

export function insertFiling(m: Queryable, f: NewFiling): Promise<FilingRow | undefined> {
  return one<FilingRow>(
    m,
    `INSERT INTO credit_filing AS f (subject_kind, record_id, repair_id, enterprise_id, from_region_code, filed_with_region_code, determined_at, due_date, due_provisional)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, $9) RETURNING ${COLUMNS}`,
    [f.subjectKind, f.recordId, f.repairId, f.enterpriseId, f.fromRegionCode, f.filedWithRegionCode, f.determinedAt, f.dueDate, f.dueProvisional],
  );
}

export function findFiling(m: Queryable, id: string, lock = false): Promise<FilingRow | undefined> {
  return one<FilingRow>(m, `SELECT ${COLUMNS} FROM credit_filing f WHERE f.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

export function setFilingAcknowledged(m: Queryable, id: string, at: Date, by: string, late: boolean): Promise<FilingRow | undefined> {
  return one<FilingRow>(
    m,
    `UPDATE credit_filing f SET acknowledged_at = $2, acknowledged_by = $3, late = $4 WHERE f.id = $1 AND f.acknowledged_at IS NULL RETURNING ${COLUMNS}`,
    [id, at, by, late],
  );
}

export function setFilingDue(m: Queryable, id: string, dueDate: string, provisional: boolean): Promise<unknown> {
  return m.query(`UPDATE credit_filing SET due_date = $2::date, due_provisional = $3 WHERE id = $1`, [id, dueDate, provisional]);
}

/** Open filings determined between `from` and `to` (the recomputer's candidates). */
export function openFilingsDeterminedIn(m: Queryable, from: Date, to: Date): Promise<FilingRow[]> {
  return rows<FilingRow>(m, `SELECT ${COLUMNS} FROM credit_filing f WHERE f.acknowledged_at IS NULL AND f.determined_at >= $1 AND f.determined_at < $2`, [
    from,
    to,
  ]);
}

/** The DETERMINATION filings of these records (one per record). */
export function filingsOfRecords(m: Queryable, recordIds: readonly string[]): Promise<FilingRow[]> {
  return rows<FilingRow>(m, `SELECT ${COLUMNS} FROM credit_filing f WHERE f.record_id = ANY($1::uuid[]) AND f.subject_kind = 'DETERMINATION'`, [recordIds]);
}

export interface FilingFilter {
  /** Jurisdiction prefixes (null: every region); a filing matches when its filed-with or determining region starts with one. */
  prefixes: string[] | null;
  state: FilingState | null;
  /** YYYY-MM-DD China time, for DUE/OVERDUE. */
  today: string;
  limit: number;
}

function where(f: FilingFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [f.today];
  const cond: string[] = [];
  if (f.prefixes) {
    params.push(f.prefixes.map((p) => `${p}%`));
    cond.push(`(f.filed_with_region_code LIKE ANY($${params.length}::text[]) OR f.from_region_code LIKE ANY($${params.length}::text[]))`);
  }
  if (f.state === 'DUE') cond.push(`f.acknowledged_at IS NULL AND f.due_date >= $1::date`);
  if (f.state === 'OVERDUE') cond.push(`f.acknowledged_at IS NULL AND f.due_date < $1::date`);
  if (f.state === 'ACKNOWLEDGED') cond.push(`f.acknowledged_at IS NOT NULL AND NOT f.late`);
  if (f.state === 'LATE') cond.push(`f.late`);
  // $1 is referenced in every statement so its type is known.
  cond.push(`$1::date IS NOT NULL`);
  return { sql: cond.join(' AND '), params };
}

/** Filings matching the filter, the earliest due first. */
export function listFilings(m: Queryable, f: FilingFilter): Promise<FilingRow[]> {
  const w = where(f);
  return rows<FilingRow>(
    m,
    `SELECT ${COLUMNS} FROM credit_filing f WHERE ${w.sql} ORDER BY f.due_date, f.determined_at, f.id LIMIT ${Math.trunc(f.limit)}`,
    w.params,
  );
}
