import type { Queryable } from '../../platform/sql';
import { one } from '../../platform/sql';
import { IntakeFilter, intakeLists } from '../intake/intake.repository';
import type { ReportStatus } from './report.rules';
import { lookupHash, seal, unseal } from '../../platform/crypto/keyring';
import { CTX } from '../keys/encrypted-columns';

/** A report of false credit information (Art. 28). `dueDate` is the verification's last day, `YYYY-MM-DD` China time. */
export interface FalseInfoReportRow {
  id: string;
  receiptNo: string;
  enterpriseId: string;
  recordId: string | null;
  content: string;
  /** Restricted personal data, encrypted at rest: only through the service's `reporter` (`reporterIdentity`), audited. */
  reporterName: string | null;
  reporterContact: string | null;
  status: ReportStatus;
  receivedAt: Date;
  dueDate: string;
  dueProvisional: boolean;
  verifiedAt: Date | null;
  verifiedBy: string | null;
  note: string | null;
  /** The officer who entered a report received on paper or by telephone; null when submitted through the API. */
  enteredBy: string | null;
}

const COLUMNS = `f.id, f.receipt_no AS "receiptNo", f.enterprise_id AS "enterpriseId", f.record_id AS "recordId", f.content,
  f.reporter_name AS "reporterName", f.reporter_contact AS "reporterContact", f.status, f.received_at AS "receivedAt",
  to_char(f.due_date, 'YYYY-MM-DD') AS "dueDate", f.due_provisional AS "dueProvisional", f.verified_at AS "verifiedAt",
  f.verified_by AS "verifiedBy", f.note, f.entered_by AS "enteredBy"`;

export type NewReport = Pick<
  FalseInfoReportRow,
  'receiptNo' | 'enterpriseId' | 'recordId' | 'content' | 'reporterName' | 'reporterContact' | 'receivedAt' | 'dueDate' | 'dueProvisional'
> &
  Partial<Pick<FalseInfoReportRow, 'enteredBy'>>;

export function insertReport(m: Queryable, r: NewReport): Promise<FalseInfoReportRow | undefined> {
  return one<FalseInfoReportRow>(
    m,
    `INSERT INTO false_info_report AS f (receipt_no, enterprise_id, record_id, content, reporter_name, reporter_contact, status, received_at, entered_by, due_date,
                                         due_provisional, reporter_contact_hmac)
     VALUES ($1, $2, $3, $4, $5, $6, 'RECEIVED', $7, $8, $9::date, $10, $11) RETURNING ${COLUMNS}`,
    [
      r.receiptNo,
      r.enterpriseId,
      r.recordId,
      r.content,
      seal(CTX.reporterName, r.reporterName),
      seal(CTX.reporterContact, r.reporterContact),
      r.receivedAt,
      r.enteredBy ?? null,
      r.dueDate,
      r.dueProvisional,
      reporterContactHash(r.reporterContact),
    ],
  );
}

/** The keyed hash of a reporter's contact: finds one reporter's reports (repeat submissions) without decrypting any. */
export const reporterContactHash = (contact: string | null) => lookupHash(CTX.reporterContact, contact);

/** A report's reporter identity, decrypted (rows carry it encrypted at rest). */
export function reporterIdentity(r: Pick<FalseInfoReportRow, 'reporterName' | 'reporterContact'>): { name: string | null; contact: string | null } {
  return { name: unseal(CTX.reporterName, r.reporterName), contact: unseal(CTX.reporterContact, r.reporterContact) };
}

/** How many reports came from the reporter reachable at `contact` since `since` (by the keyed hash). */
export async function countReportsByContact(m: Queryable, contact: string, since: Date): Promise<number> {
  const r = await one<{ n: number }>(m, `SELECT count(*)::int AS n FROM false_info_report WHERE reporter_contact_hmac = $1 AND received_at >= $2`, [
    reporterContactHash(contact),
    since,
  ]);
  return r?.n ?? 0;
}

export function findReport(m: Queryable, id: string, lock = false): Promise<FalseInfoReportRow | undefined> {
  return one<FalseInfoReportRow>(m, `SELECT ${COLUMNS} FROM false_info_report f WHERE f.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

export function findReportByReceipt(m: Queryable, receiptNo: string): Promise<FalseInfoReportRow | undefined> {
  return one<FalseInfoReportRow>(m, `SELECT ${COLUMNS} FROM false_info_report f WHERE f.receipt_no = $1`, [receiptNo]);
}

export function setReportVerified(
  m: Queryable,
  id: string,
  status: 'CONFIRMED' | 'UNFOUNDED',
  at: Date,
  by: string,
  note: string,
): Promise<FalseInfoReportRow | undefined> {
  return one<FalseInfoReportRow>(
    m,
    `UPDATE false_info_report f SET status = $2, verified_at = $3, verified_by = $4, note = $5 WHERE f.id = $1 RETURNING ${COLUMNS}`,
    [id, status, at, by, note],
  );
}

export type ReportFilter = IntakeFilter<ReportStatus>;

const lists = intakeLists<FalseInfoReportRow, ReportStatus>('false_info_report', 'f', COLUMNS);
/** How many reports match a filter (for `totalCount`). */
export const countReports = lists.count;
/** A page of reports, oldest first, `limit + 1` rows after the cursor (received_at, id). */
export const pageReports = lists.page;
/** Unverified reports received in `[from, to)`: their deadlines are open. */
export const openReportsReceivedIn = lists.openReceivedIn;

export async function setReportDue(m: Queryable, id: string, dueDate: string, provisional: boolean): Promise<void> {
  await m.query(`UPDATE false_info_report SET due_date = $2::date, due_provisional = $3 WHERE id = $1`, [id, dueDate, provisional]);
}
