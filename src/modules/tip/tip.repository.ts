import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';
import { IntakeFilter, intakeLists } from '../intake/intake.repository';
import type { TipSourceKind, TipStatus } from './tip.rules';
import { lookupHash, seal, unseal } from '../../platform/crypto/keyring';
import { CTX } from '../keys/encrypted-columns';

/** A tip (线索, Art. 8). `dueDate` is the verification's last day, `YYYY-MM-DD` China time. */
export interface TipRow {
  id: string;
  receiptNo: string;
  sourceKind: TipSourceKind;
  enterpriseId: string;
  indicator: string | null;
  content: string;
  occurredAt: Date | null;
  evidenceRefs: string[];
  /** Restricted personal data, encrypted at rest: only through the service's `tipster` (`tipsterIdentity`), audited. */
  tipsterName: string | null;
  tipsterOrganisation: string | null;
  tipsterContact: string | null;
  status: TipStatus;
  receivedAt: Date;
  enteredBy: string | null;
  dueDate: string;
  dueProvisional: boolean;
  verifiedAt: Date | null;
  verifiedBy: string | null;
  note: string | null;
  candidateId: string | null;
}

const COLUMNS = `t.id, t.receipt_no AS "receiptNo", t.source_kind AS "sourceKind", t.enterprise_id AS "enterpriseId", t.indicator, t.content,
  t.occurred_at AS "occurredAt", t.evidence_refs AS "evidenceRefs", t.tipster_name AS "tipsterName",
  t.tipster_organisation AS "tipsterOrganisation", t.tipster_contact AS "tipsterContact", t.status, t.received_at AS "receivedAt",
  t.entered_by AS "enteredBy", to_char(t.due_date, 'YYYY-MM-DD') AS "dueDate", t.due_provisional AS "dueProvisional",
  t.verified_at AS "verifiedAt", t.verified_by AS "verifiedBy", t.note, t.candidate_id AS "candidateId"`;

export type NewTip = Omit<TipRow, 'id' | 'status' | 'verifiedAt' | 'verifiedBy' | 'note' | 'candidateId'>;

export function insertTip(m: Queryable, t: NewTip): Promise<TipRow | undefined> {
  return one<TipRow>(
    m,
    `INSERT INTO tip AS t (receipt_no, source_kind, enterprise_id, indicator, content, occurred_at, evidence_refs, tipster_name,
                           tipster_organisation, tipster_contact, status, received_at, entered_by, due_date, due_provisional, tipster_contact_hmac)
     VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8, $9, $10, 'RECEIVED', $11, $12, $13::date, $14, $15) RETURNING ${COLUMNS}`,
    [
      t.receiptNo,
      t.sourceKind,
      t.enterpriseId,
      t.indicator,
      t.content,
      t.occurredAt,
      t.evidenceRefs,
      seal(CTX.tipsterName, t.tipsterName),
      seal(CTX.tipsterOrganisation, t.tipsterOrganisation),
      seal(CTX.tipsterContact, t.tipsterContact),
      t.receivedAt,
      t.enteredBy,
      t.dueDate,
      t.dueProvisional,
      tipsterContactHash(t.tipsterContact),
    ],
  );
}

/** The keyed hash of a tipster's contact: finds one tipster's tips (repeat submissions) without decrypting any. */
export const tipsterContactHash = (contact: string | null) => lookupHash(CTX.tipsterContact, contact);

/** A tip's tipster identity, decrypted (rows carry it encrypted at rest). */
export function tipsterIdentity(t: Pick<TipRow, 'tipsterName' | 'tipsterOrganisation' | 'tipsterContact'>) {
  return {
    name: unseal(CTX.tipsterName, t.tipsterName),
    organisation: unseal(CTX.tipsterOrganisation, t.tipsterOrganisation),
    contact: unseal(CTX.tipsterContact, t.tipsterContact),
  };
}

export function findTip(m: Queryable, id: string, lock = false): Promise<TipRow | undefined> {
  return one<TipRow>(m, `SELECT ${COLUMNS} FROM tip t WHERE t.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

/** The tips of the given ids (any order; missing ids are left out). */
export function tipsByIds(m: Queryable, ids: readonly string[]): Promise<TipRow[]> {
  return rows<TipRow>(m, `SELECT ${COLUMNS} FROM tip t WHERE t.id = ANY($1::uuid[])`, [ids]);
}

export function findTipByReceipt(m: Queryable, receiptNo: string): Promise<TipRow | undefined> {
  return one<TipRow>(m, `SELECT ${COLUMNS} FROM tip t WHERE t.receipt_no = $1`, [receiptNo]);
}

export function setTipVerified(
  m: Queryable,
  id: string,
  v: { status: 'CONFIRMED' | 'UNFOUNDED'; at: Date; by: string; note: string; candidateId: string | null; indicator: string | null },
): Promise<TipRow | undefined> {
  return one<TipRow>(
    m,
    `UPDATE tip t SET status = $2, verified_at = $3, verified_by = $4, note = $5, candidate_id = $6, indicator = coalesce($7, t.indicator)
      WHERE t.id = $1 RETURNING ${COLUMNS}`,
    [id, v.status, v.at, v.by, v.note, v.candidateId, v.indicator],
  );
}

export type TipFilter = IntakeFilter<TipStatus>;

const lists = intakeLists<TipRow, TipStatus>('tip', 't', COLUMNS);
/** How many tips match a filter (for `totalCount`). */
export const countTips = lists.count;
/** A page of tips, oldest first, `limit + 1` rows after the cursor (received_at, id). */
export const pageTips = lists.page;
/** Unverified tips received in `[from, to)`: their deadlines are open. */
export const openTipsReceivedIn = lists.openReceivedIn;

export async function setTipDue(m: Queryable, id: string, dueDate: string, provisional: boolean): Promise<void> {
  await m.query(`UPDATE tip SET due_date = $2::date, due_provisional = $3 WHERE id = $1`, [id, dueDate, provisional]);
}

/** Tips awaiting verification due before `day` ('<': overdue on it) or on it ('='). */
export async function countOpenTipsDue(m: Queryable, cmp: '<' | '=', day: string): Promise<number> {
  const row = await one<{ n: number }>(m, `SELECT count(*)::int AS n FROM tip WHERE status = 'RECEIVED' AND due_date ${cmp} $1::date`, [day]);
  return row?.n ?? 0;
}
