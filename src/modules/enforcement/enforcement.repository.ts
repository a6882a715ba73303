import type { Queryable } from '../../platform/sql';
import { groupBy, one, rows } from '../../platform/sql';
import type { CaseFacts } from '../credit/enforcement.rules';
import { toCaseFacts } from './enforcement.rules';

/** An enforcement case (行政执法案件) on one indicator of one enterprise. */
export interface EnforcementCaseRow {
  id: string;
  enterpriseId: string;
  indicator: string;
  caseNo: string;
  conductRegionCode: string;
  openedAt: Date;
  openedBy: string;
  closedAt: Date | null;
  createdAt: Date;
}

/** 责令整改通知书. `deadlineDate` is the last day, `YYYY-MM-DD` China time. */
export interface NoticeRow {
  id: string;
  caseId: string;
  noticeNo: string;
  issuedAt: Date;
  deadlineDate: string;
  compliedAt: Date | null;
  notCompliedAt: Date | null;
  createdBy: string;
  createdAt: Date;
}

/** 罚款 (行政处罚决定书). `dueDate` is the payment period's last day, `YYYY-MM-DD` China time. */
export interface FineRow {
  id: string;
  caseId: string;
  decisionNo: string;
  amount: number | null;
  servedAt: Date;
  dueDate: string;
  dueProvisional: boolean;
  paidAt: Date | null;
  createdBy: string;
  createdAt: Date;
}

const CASE = `c.id, c.enterprise_id AS "enterpriseId", c.indicator, c.case_no AS "caseNo", c.conduct_region_code AS "conductRegionCode",
  c.opened_at AS "openedAt", c.opened_by AS "openedBy", c.closed_at AS "closedAt", c.created_at AS "createdAt"`;
// to_char, not ::text: the text form of a date follows the session's DateStyle.
const NOTICE = `n.id, n.case_id AS "caseId", n.notice_no AS "noticeNo", n.issued_at AS "issuedAt", to_char(n.deadline_date, 'YYYY-MM-DD') AS "deadlineDate",
  n.complied_at AS "compliedAt", n.not_complied_at AS "notCompliedAt", n.created_by AS "createdBy", n.created_at AS "createdAt"`;
const FINE = `f.id, f.case_id AS "caseId", f.decision_no AS "decisionNo", f.amount::float8 AS amount, f.served_at AS "servedAt",
  to_char(f.due_date, 'YYYY-MM-DD') AS "dueDate", f.due_provisional AS "dueProvisional", f.paid_at AS "paidAt", f.created_by AS "createdBy", f.created_at AS "createdAt"`;

export function insertCase(m: Queryable, c: Omit<EnforcementCaseRow, 'id' | 'closedAt' | 'createdAt'>): Promise<EnforcementCaseRow | undefined> {
  return one<EnforcementCaseRow>(
    m,
    `INSERT INTO enforcement_case AS c (enterprise_id, indicator, case_no, conduct_region_code, opened_at, opened_by) VALUES ($1,$2,$3,$4,$5,$6) RETURNING ${CASE}`,
    [c.enterpriseId, c.indicator, c.caseNo, c.conductRegionCode, c.openedAt, c.openedBy],
  );
}

export function findCase(m: Queryable, id: string, lock = false): Promise<EnforcementCaseRow | undefined> {
  return one<EnforcementCaseRow>(m, `SELECT ${CASE} FROM enforcement_case c WHERE c.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

export function closeCase(m: Queryable, id: string, closedAt: Date): Promise<EnforcementCaseRow | undefined> {
  return one<EnforcementCaseRow>(m, `UPDATE enforcement_case c SET closed_at = $2 WHERE c.id = $1 RETURNING ${CASE}`, [id, closedAt]);
}

export function casesByIds(m: Queryable, ids: readonly string[]): Promise<EnforcementCaseRow[]> {
  return rows<EnforcementCaseRow>(m, `SELECT ${CASE} FROM enforcement_case c WHERE c.id = ANY($1::uuid[])`, [ids]);
}

export function casesOf(m: Queryable, enterpriseIds: readonly string[]): Promise<EnforcementCaseRow[]> {
  return rows<EnforcementCaseRow>(m, `SELECT ${CASE} FROM enforcement_case c WHERE c.enterprise_id = ANY($1::uuid[]) ORDER BY c.opened_at, c.case_no`, [
    enterpriseIds,
  ]);
}

/** The case each of the credit records `recordIds` was determined from (records without one are left out). */
export function casesOfRecords(m: Queryable, recordIds: readonly string[]): Promise<(EnforcementCaseRow & { recordId: string })[]> {
  return rows<EnforcementCaseRow & { recordId: string }>(
    m,
    `SELECT ${CASE}, r.id AS "recordId" FROM credit_record r JOIN enforcement_case c ON c.id = r.case_id WHERE r.id = ANY($1::uuid[])`,
    [recordIds],
  );
}

/** The id of the record determined from the case, if any. */
export async function recordOfCase(m: Queryable, caseId: string): Promise<string | undefined> {
  return (await one<{ id: string }>(m, `SELECT r.id FROM credit_record r WHERE r.case_id = $1 LIMIT 1`, [caseId]))?.id;
}

export function insertNotice(
  m: Queryable,
  n: Pick<NoticeRow, 'caseId' | 'noticeNo' | 'issuedAt' | 'deadlineDate' | 'createdBy'>,
): Promise<NoticeRow | undefined> {
  return one<NoticeRow>(
    m,
    `INSERT INTO rectification_notice AS n (case_id, notice_no, issued_at, deadline_date, created_by) VALUES ($1,$2,$3,$4::date,$5) RETURNING ${NOTICE}`,
    [n.caseId, n.noticeNo, n.issuedAt, n.deadlineDate, n.createdBy],
  );
}

export function findNotice(m: Queryable, id: string, lock = false): Promise<NoticeRow | undefined> {
  return one<NoticeRow>(m, `SELECT ${NOTICE} FROM rectification_notice n WHERE n.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

/** Notices of the cases, in issuing order. */
export function noticesOf(m: Queryable, caseIds: readonly string[]): Promise<NoticeRow[]> {
  return rows<NoticeRow>(m, `SELECT ${NOTICE} FROM rectification_notice n WHERE n.case_id = ANY($1::uuid[]) ORDER BY n.issued_at, n.notice_no`, [caseIds]);
}

export function setNoticeComplied(m: Queryable, id: string, at: Date): Promise<NoticeRow | undefined> {
  return one<NoticeRow>(m, `UPDATE rectification_notice n SET complied_at = $2 WHERE n.id = $1 RETURNING ${NOTICE}`, [id, at]);
}

export function setNoticeNotComplied(m: Queryable, id: string, at: Date): Promise<NoticeRow | undefined> {
  return one<NoticeRow>(m, `UPDATE rectification_notice n SET not_complied_at = $2 WHERE n.id = $1 RETURNING ${NOTICE}`, [id, at]);
}

export function insertFine(
  m: Queryable,
  f: Pick<FineRow, 'caseId' | 'decisionNo' | 'amount' | 'servedAt' | 'dueDate' | 'dueProvisional' | 'createdBy'>,
): Promise<FineRow | undefined> {
  return one<FineRow>(
    m,
    `INSERT INTO enforcement_fine AS f (case_id, decision_no, amount, served_at, due_date, due_provisional, created_by) VALUES ($1,$2,$3,$4,$5::date,$6,$7) RETURNING ${FINE}`,
    [f.caseId, f.decisionNo, f.amount, f.servedAt, f.dueDate, f.dueProvisional, f.createdBy],
  );
}

export function findFine(m: Queryable, id: string, lock = false): Promise<FineRow | undefined> {
  return one<FineRow>(m, `SELECT ${FINE} FROM enforcement_fine f WHERE f.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

/** Fines of the cases, in serving order. */
export function finesOf(m: Queryable, caseIds: readonly string[]): Promise<FineRow[]> {
  return rows<FineRow>(m, `SELECT ${FINE} FROM enforcement_fine f WHERE f.case_id = ANY($1::uuid[]) ORDER BY f.served_at, f.decision_no`, [caseIds]);
}

export function setFinePaid(m: Queryable, id: string, at: Date): Promise<FineRow | undefined> {
  return one<FineRow>(m, `UPDATE enforcement_fine f SET paid_at = $2 WHERE f.id = $1 RETURNING ${FINE}`, [id, at]);
}

/** Fines served in `[from, to)` with their case's enterprise: the ones a loaded calendar year may move. */
export function finesServedIn(m: Queryable, from: Date, to: Date): Promise<(FineRow & { enterpriseId: string })[]> {
  return rows<FineRow & { enterpriseId: string }>(
    m,
    `SELECT ${FINE}, c.enterprise_id AS "enterpriseId" FROM enforcement_fine f JOIN enforcement_case c ON c.id = f.case_id
     WHERE f.served_at >= $1 AND f.served_at < $2 ORDER BY f.id`,
    [from, to],
  );
}

export async function setFineDue(m: Queryable, id: string, dueDate: string, provisional: boolean): Promise<void> {
  await m.query(`UPDATE enforcement_fine SET due_date = $2::date, due_provisional = $3 WHERE id = $1`, [id, dueDate, provisional]);
}

/**
 * The enforcement cases of each enterprise as the credit engine reads them: three statements
 * whatever the number of enterprises (the bulk re-grade and a single one alike).
 */
export async function caseFactsOfMany(m: Queryable, enterpriseIds: readonly string[]): Promise<Map<string, CaseFacts[]>> {
  const cases = await casesOf(m, enterpriseIds);
  const ids = cases.map((c) => c.id);
  const notices = ids.length ? groupBy(ids, await noticesOf(m, ids), (n) => n.caseId) : [];
  const fines = ids.length ? groupBy(ids, await finesOf(m, ids), (f) => f.caseId) : [];
  const out = new Map<string, CaseFacts[]>(enterpriseIds.map((id) => [id, []]));
  cases.forEach((c, i) => out.get(c.enterpriseId)!.push(toCaseFacts(c, notices[i], fines[i])));
  return out;
}

/** The enforcement cases of one enterprise as the credit engine reads them. */
export async function caseFactsOf(m: Queryable, enterpriseId: string): Promise<CaseFacts[]> {
  return (await caseFactsOfMany(m, [enterpriseId])).get(enterpriseId)!;
}
