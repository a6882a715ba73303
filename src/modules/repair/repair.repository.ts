import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';
import type { RepairStatus } from './repair.rules';

/** A credit repair application (信用修复申请). `decisionDueDate` is the decision's last day, `YYYY-MM-DD` China time. */
export interface CreditRepairRow {
  id: string;
  recordId: string;
  enterpriseId: string;
  status: RepairStatus;
  statement: string;
  evidence: string[];
  /** 信用修复型承诺: true when signed, null when not stated. */
  commitmentSigned: boolean | null;
  submittedAt: Date;
  submittedBy: string;
  /** The latest return for supplement (退回补正): when, by whom, what is missing. */
  returnedAt: Date | null;
  returnedBy: string | null;
  returnNote: string | null;
  /** The latest supplement (补正) by the applicant. */
  supplementedAt: Date | null;
  /** Forwarded to the next level up (报送上一级确认). */
  forwardedAt: Date | null;
  forwardedBy: string | null;
  confirmedAt: Date | null;
  confirmedBy: string | null;
  decisionDueDate: string | null;
  decisionDueProvisional: boolean | null;
  decidedAt: Date | null;
  decidedBy: string | null;
  note: string | null;
  createdAt: Date;
}

// to_char, not ::text: the text form of a date follows the session's DateStyle.
const COLUMNS = `p.id, p.record_id AS "recordId", p.enterprise_id AS "enterpriseId", p.status, p.statement, p.evidence,
  p.commitment_signed AS "commitmentSigned", p.submitted_at AS "submittedAt", p.submitted_by AS "submittedBy",
  p.returned_at AS "returnedAt", p.returned_by AS "returnedBy", p.return_note AS "returnNote", p.supplemented_at AS "supplementedAt",
  p.forwarded_at AS "forwardedAt", p.forwarded_by AS "forwardedBy",
  p.confirmed_at AS "confirmedAt", p.confirmed_by AS "confirmedBy", to_char(p.decision_due_date, 'YYYY-MM-DD') AS "decisionDueDate",
  p.decision_due_provisional AS "decisionDueProvisional", p.decided_at AS "decidedAt", p.decided_by AS "decidedBy", p.note, p.created_at AS "createdAt"`;

export type NewCreditRepair = Pick<
  CreditRepairRow,
  'recordId' | 'enterpriseId' | 'statement' | 'evidence' | 'commitmentSigned' | 'submittedAt' | 'submittedBy'
>;

export function insertRepair(m: Queryable, r: NewCreditRepair): Promise<CreditRepairRow | undefined> {
  return one<CreditRepairRow>(
    m,
    `INSERT INTO credit_repair AS p (record_id, enterprise_id, status, statement, evidence, commitment_signed, submitted_at, submitted_by)
     VALUES ($1, $2, 'SUBMITTED', $3, $4::text[], $5, $6, $7) RETURNING ${COLUMNS}`,
    [r.recordId, r.enterpriseId, r.statement, r.evidence, r.commitmentSigned, r.submittedAt, r.submittedBy],
  );
}

export function findRepair(m: Queryable, id: string, lock = false): Promise<CreditRepairRow | undefined> {
  return one<CreditRepairRow>(m, `SELECT ${COLUMNS} FROM credit_repair p WHERE p.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

/** Undecided statuses: one open application per record. */
export const OPEN_STATUSES = `('SUBMITTED','RETURNED','FORWARDED','CONFIRMED')`;

/** The open (undecided) application for a record, if any. */
export function openRepairOf(m: Queryable, recordId: string): Promise<CreditRepairRow | undefined> {
  return one<CreditRepairRow>(m, `SELECT ${COLUMNS} FROM credit_repair p WHERE p.record_id = $1 AND p.status IN ${OPEN_STATUSES}`, [recordId]);
}

export function setRepairReturned(m: Queryable, id: string, at: Date, by: string, note: string): Promise<CreditRepairRow | undefined> {
  return one<CreditRepairRow>(
    m,
    `UPDATE credit_repair p SET status = 'RETURNED', returned_at = $2, returned_by = $3, return_note = $4 WHERE p.id = $1 RETURNING ${COLUMNS}`,
    [id, at, by, note],
  );
}

/** The applicant's supplement: SUBMITTED again, with the statement and the (merged) evidence. */
export function setRepairSupplemented(m: Queryable, id: string, at: Date, statement: string, evidence: string[]): Promise<CreditRepairRow | undefined> {
  return one<CreditRepairRow>(
    m,
    `UPDATE credit_repair p SET status = 'SUBMITTED', supplemented_at = $2, statement = $3, evidence = $4::text[]
     WHERE p.id = $1 RETURNING ${COLUMNS}`,
    [id, at, statement, evidence],
  );
}

export function setRepairForwarded(m: Queryable, id: string, at: Date, by: string): Promise<CreditRepairRow | undefined> {
  return one<CreditRepairRow>(m, `UPDATE credit_repair p SET status = 'FORWARDED', forwarded_at = $2, forwarded_by = $3 WHERE p.id = $1 RETURNING ${COLUMNS}`, [
    id,
    at,
    by,
  ]);
}

/** Open applications of enterprises in `prefixes` (null: every region) at `statuses`, oldest first by submission. */
export function openRepairsIn(
  m: Queryable,
  statuses: readonly string[],
  prefixes: readonly string[] | null,
  limit: number,
): Promise<(CreditRepairRow & { regionCode: string })[]> {
  return rows<CreditRepairRow & { regionCode: string }>(
    m,
    `SELECT ${COLUMNS}, e.region_code AS "regionCode" FROM credit_repair p JOIN enterprise e ON e.id = p.enterprise_id
     WHERE p.status = ANY($1::text[]) AND ($2::text[] IS NULL OR e.region_code LIKE ANY(ARRAY(SELECT x || '%' FROM unnest($2::text[]) x)))
     ORDER BY p.submitted_at, p.id LIMIT $3`,
    [statuses, prefixes, limit],
  );
}

/** Confirmed, undecided applications whose decision was due before `today`. */
/** Confirmed repairs whose decision is due before `day` ('<': overdue on it) or on it ('='). */
export async function countOpenDecisionsDue(m: Queryable, cmp: '<' | '=', day: string): Promise<number> {
  const r = await one<{ n: number }>(m, `SELECT count(*)::int AS n FROM credit_repair WHERE status = 'CONFIRMED' AND decision_due_date ${cmp} $1::date`, [day]);
  return r?.n ?? 0;
}

export function setRepairConfirmed(
  m: Queryable,
  id: string,
  confirmedAt: Date,
  confirmedBy: string,
  dueDate: string,
  provisional: boolean,
): Promise<CreditRepairRow | undefined> {
  return one<CreditRepairRow>(
    m,
    `UPDATE credit_repair p SET status = 'CONFIRMED', confirmed_at = $2, confirmed_by = $3, decision_due_date = $4::date, decision_due_provisional = $5
     WHERE p.id = $1 RETURNING ${COLUMNS}`,
    [id, confirmedAt, confirmedBy, dueDate, provisional],
  );
}

export function setRepairDecided(
  m: Queryable,
  id: string,
  status: 'APPROVED' | 'REJECTED',
  decidedAt: Date,
  decidedBy: string,
  note: string | null,
): Promise<CreditRepairRow | undefined> {
  return one<CreditRepairRow>(m, `UPDATE credit_repair p SET status = $2, decided_at = $3, decided_by = $4, note = $5 WHERE p.id = $1 RETURNING ${COLUMNS}`, [
    id,
    status,
    decidedAt,
    decidedBy,
    note,
  ]);
}

/** Confirmed, undecided applications confirmed in `[from, to)`: their decision deadlines are open. */
export function openDecisionsConfirmedIn(m: Queryable, from: Date, to: Date): Promise<CreditRepairRow[]> {
  return rows<CreditRepairRow>(
    m,
    `SELECT ${COLUMNS} FROM credit_repair p WHERE p.status = 'CONFIRMED' AND p.confirmed_at >= $1 AND p.confirmed_at < $2 ORDER BY p.id`,
    [from, to],
  );
}

export async function setRepairDue(m: Queryable, id: string, dueDate: string, provisional: boolean): Promise<void> {
  await m.query(`UPDATE credit_repair SET decision_due_date = $2::date, decision_due_provisional = $3 WHERE id = $1`, [id, dueDate, provisional]);
}

export function repairsOfRecords(m: Queryable, recordIds: readonly string[]): Promise<CreditRepairRow[]> {
  return rows<CreditRepairRow>(m, `SELECT ${COLUMNS} FROM credit_repair p WHERE p.record_id = ANY($1::uuid[]) ORDER BY p.submitted_at, p.id`, [recordIds]);
}
