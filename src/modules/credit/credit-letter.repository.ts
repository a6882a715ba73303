import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';
import type { AuthorityKind } from './provenance.rules';

/** An Art. 9 letter (函告) from the conduct region's authority to the registration region's. */
export interface CreditLetterRow {
  id: string;
  recordId: string;
  fromRegionCode: string;
  fromAuthorityKind: AuthorityKind;
  toRegionCode: string;
  toAuthorityKind: AuthorityKind;
  subject: string;
  body: string;
  sentAt: Date;
  readAt: Date | null;
  readBy: string | null;
}

const COLUMNS = `l.id, l.record_id AS "recordId", l.from_region_code AS "fromRegionCode", l.from_authority_kind AS "fromAuthorityKind",
  l.to_region_code AS "toRegionCode", l.to_authority_kind AS "toAuthorityKind", l.subject, l.body, l.sent_at AS "sentAt",
  l.read_at AS "readAt", l.read_by AS "readBy"`;

export type NewCreditLetter = Omit<CreditLetterRow, 'id' | 'readAt' | 'readBy'>;

export function insertCreditLetter(m: Queryable, l: NewCreditLetter): Promise<CreditLetterRow | undefined> {
  return one<CreditLetterRow>(
    m,
    `INSERT INTO credit_letter AS l (record_id, from_region_code, from_authority_kind, to_region_code, to_authority_kind, subject, body, sent_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING ${COLUMNS}`,
    [l.recordId, l.fromRegionCode, l.fromAuthorityKind, l.toRegionCode, l.toAuthorityKind, l.subject, l.body, l.sentAt],
  );
}

export function findCreditLetter(m: Queryable, id: string, lock = false): Promise<CreditLetterRow | undefined> {
  return one<CreditLetterRow>(m, `SELECT ${COLUMNS} FROM credit_letter l WHERE l.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

/** Marks a letter read by its recipient; the first reading stays. */
export function markCreditLetterRead(m: Queryable, id: string, by: string): Promise<CreditLetterRow | undefined> {
  return one<CreditLetterRow>(
    m,
    `UPDATE credit_letter l SET read_at = coalesce(read_at, now()), read_by = coalesce(read_by, $2) WHERE l.id = $1 RETURNING ${COLUMNS}`,
    [id, by],
  );
}

/** The letters of each record, oldest first (for `CreditRecord.letters`). */
export function lettersOfRecords(m: Queryable, recordIds: readonly string[]): Promise<CreditLetterRow[]> {
  return rows<CreditLetterRow>(m, `SELECT ${COLUMNS} FROM credit_letter l WHERE l.record_id = ANY($1::uuid[]) ORDER BY l.sent_at, l.id`, [recordIds]);
}

export interface LetterFilter {
  direction: 'INCOMING' | 'OUTGOING';
  /** Region prefixes of the caller's jurisdiction; null: all. */
  scope: string[] | null;
}

/** How many letters match a filter (`creditLetters.totalCount`). */
export async function countCreditLetters(m: Queryable, f: LetterFilter): Promise<number> {
  const column = f.direction === 'INCOMING' ? 'l.to_region_code' : 'l.from_region_code';
  const row = await one<{ n: number }>(
    m,
    `SELECT count(*)::int AS n FROM credit_letter l ${f.scope ? `WHERE ${column} LIKE ANY($1::text[])` : ''}`,
    f.scope ? [f.scope.map((p) => `${p}%`)] : [],
  );
  return row?.n ?? 0;
}

/** A page of letters, newest first, `limit` rows after the cursor (sent_at, id). */
export function pageCreditLetters(m: Queryable, f: LetterFilter, limit: number, after?: { at: Date; id: string }): Promise<CreditLetterRow[]> {
  const column = f.direction === 'INCOMING' ? 'l.to_region_code' : 'l.from_region_code';
  const params: unknown[] = [limit + 1];
  const where: string[] = [];
  if (f.scope) {
    params.push(f.scope.map((p) => `${p}%`));
    where.push(`${column} LIKE ANY($${params.length}::text[])`);
  }
  if (after) {
    params.push(after.at, after.id);
    where.push(`(l.sent_at, l.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  return rows<CreditLetterRow>(
    m,
    `SELECT ${COLUMNS} FROM credit_letter l ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY l.sent_at DESC, l.id DESC LIMIT $1`,
    params,
  );
}
