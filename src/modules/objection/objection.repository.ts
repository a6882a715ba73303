import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';
import type { ObjectionOutcome, ObjectionReceiver, ObjectionStatus } from '../graphql-enums';

/** An objection (异议, Art. 26). `dueDate` is the comparison's last day, `YYYY-MM-DD` China time, counted from the first receipt. */
export interface ObjectionRow {
  id: string;
  enterpriseId: string;
  recordId: string | null;
  ratingId: string | null;
  status: ObjectionStatus;
  statement: string;
  receivedBy: ObjectionReceiver;
  receivedAt: Date;
  filedBy: string;
  routedAt: Date | null;
  routedBy: string | null;
  dueDate: string;
  dueProvisional: boolean;
  outcome: ObjectionOutcome | null;
  reason: string | null;
  decidedAt: Date | null;
  decidedBy: string | null;
  /** The record that replaced the disputed one when the decision corrected it (facts wrong, corrected). */
  correctedRecordId: string | null;
  createdAt: Date;
}

// to_char, not ::text: the text form of a date follows the session's DateStyle.
const COLUMNS = `o.id, o.enterprise_id AS "enterpriseId", o.record_id AS "recordId", o.rating_id AS "ratingId", o.status, o.statement,
  o.received_by AS "receivedBy", o.received_at AS "receivedAt", o.filed_by AS "filedBy", o.routed_at AS "routedAt", o.routed_by AS "routedBy",
  to_char(o.due_date, 'YYYY-MM-DD') AS "dueDate", o.due_provisional AS "dueProvisional", o.outcome, o.reason,
  o.decided_at AS "decidedAt", o.decided_by AS "decidedBy", o.corrected_record_id AS "correctedRecordId", o.created_at AS "createdAt"`;

export type NewObjection = Pick<
  ObjectionRow,
  'enterpriseId' | 'recordId' | 'ratingId' | 'statement' | 'receivedBy' | 'receivedAt' | 'filedBy' | 'dueDate' | 'dueProvisional'
>;

export function insertObjection(m: Queryable, o: NewObjection): Promise<ObjectionRow | undefined> {
  return one<ObjectionRow>(
    m,
    `INSERT INTO objection AS o (enterprise_id, record_id, rating_id, status, statement, received_by, received_at, filed_by, due_date, due_provisional)
     VALUES ($1, $2, $3, 'OPEN', $4, $5, $6, $7, $8::date, $9) RETURNING ${COLUMNS}`,
    [o.enterpriseId, o.recordId, o.ratingId, o.statement, o.receivedBy, o.receivedAt, o.filedBy, o.dueDate, o.dueProvisional],
  );
}

export function findObjection(m: Queryable, id: string, lock = false): Promise<ObjectionRow | undefined> {
  return one<ObjectionRow>(m, `SELECT ${COLUMNS} FROM objection o WHERE o.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

/** The open objection against a record, or (recordId null) against the enterprise's rating. */
export function openObjectionOf(m: Queryable, enterpriseId: string, recordId: string | null): Promise<ObjectionRow | undefined> {
  return recordId
    ? one<ObjectionRow>(m, `SELECT ${COLUMNS} FROM objection o WHERE o.record_id = $1 AND o.status = 'OPEN'`, [recordId])
    : one<ObjectionRow>(m, `SELECT ${COLUMNS} FROM objection o WHERE o.enterprise_id = $1 AND o.record_id IS NULL AND o.status = 'OPEN'`, [enterpriseId]);
}

export function setObjectionRouted(m: Queryable, id: string, routedAt: Date, routedBy: string): Promise<ObjectionRow | undefined> {
  return one<ObjectionRow>(m, `UPDATE objection o SET routed_at = $2, routed_by = $3 WHERE o.id = $1 RETURNING ${COLUMNS}`, [id, routedAt, routedBy]);
}

export function setObjectionDecided(
  m: Queryable,
  id: string,
  outcome: ObjectionOutcome,
  reason: string,
  decidedAt: Date,
  decidedBy: string,
  correctedRecordId: string | null = null,
): Promise<ObjectionRow | undefined> {
  return one<ObjectionRow>(
    m,
    `UPDATE objection o SET status = 'DECIDED', outcome = $2, reason = $3, decided_at = $4, decided_by = $5, corrected_record_id = $6 WHERE o.id = $1 RETURNING ${COLUMNS}`,
    [id, outcome, reason, decidedAt, decidedBy, correctedRecordId],
  );
}

/** Open objections received in `[from, to)`: their comparison deadlines are open. */
export function openObjectionsReceivedIn(m: Queryable, from: Date, to: Date): Promise<ObjectionRow[]> {
  return rows<ObjectionRow>(m, `SELECT ${COLUMNS} FROM objection o WHERE o.status = 'OPEN' AND o.received_at >= $1 AND o.received_at < $2 ORDER BY o.id`, [
    from,
    to,
  ]);
}

export async function setObjectionDue(m: Queryable, id: string, dueDate: string, provisional: boolean): Promise<void> {
  await m.query(`UPDATE objection SET due_date = $2::date, due_provisional = $3 WHERE id = $1`, [id, dueDate, provisional]);
}

export function objectionsByIds(m: Queryable, ids: readonly string[]): Promise<ObjectionRow[]> {
  return rows<ObjectionRow>(m, `SELECT ${COLUMNS} FROM objection o WHERE o.id = ANY($1::uuid[])`, [ids]);
}

export function objectionsOfEnterprises(m: Queryable, enterpriseIds: readonly string[]): Promise<ObjectionRow[]> {
  return rows<ObjectionRow>(m, `SELECT ${COLUMNS} FROM objection o WHERE o.enterprise_id = ANY($1::uuid[]) ORDER BY o.received_at, o.id`, [enterpriseIds]);
}

/** The records among `recordIds` with an open objection. */
export function recordsWithOpenObjection(m: Queryable, recordIds: readonly string[]): Promise<{ recordId: string }[]> {
  return rows<{ recordId: string }>(m, `SELECT DISTINCT o.record_id AS "recordId" FROM objection o WHERE o.record_id = ANY($1::uuid[]) AND o.status = 'OPEN'`, [
    recordIds,
  ]);
}
