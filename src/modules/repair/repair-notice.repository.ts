/** Art. 22 repair notices (信用修复告知书), stored: see repair-notice.ts. */
import type { Queryable } from '../../platform/sql';
import { rows } from '../../platform/sql';
import type { Bilingual } from '../policy/credit-policy';

export interface NoticeRecord {
  recordId: string;
  indicator: string | null;
  level: string | null;
  occurredAt: string;
  repairable: boolean;
  /** Why not (the condition and its legal basis), for an unrepairable record. */
  reason: Bilingual | null;
}

export interface NoticeContent {
  text: Bilingual;
  how: Bilingual;
  records: NoticeRecord[];
}

export interface RepairNoticeRow {
  id: string;
  enterpriseId: string;
  ratingId: string | null;
  grade: 'C' | 'D';
  issuedAt: Date;
  content: NoticeContent;
}

const COLUMNS = `n.id, n.enterprise_id AS "enterpriseId", n.rating_id AS "ratingId", n.grade, n.issued_at AS "issuedAt", n.content`;

/** Stores notices in one statement. */
export async function insertNotices(m: Queryable, ns: readonly Omit<RepairNoticeRow, 'id' | 'issuedAt'>[]): Promise<void> {
  if (!ns.length) return;
  await m.query(
    `INSERT INTO credit_repair_notice (enterprise_id, rating_id, grade, content)
     SELECT e, r, g, c::jsonb FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS x(e, r, g, c)`,
    [ns.map((n) => n.enterpriseId), ns.map((n) => n.ratingId), ns.map((n) => n.grade), ns.map((n) => JSON.stringify(n.content))],
  );
}

/** The notices of several enterprises, oldest first (one statement: `Enterprise.repairNotices` is batched). */
export function noticesOfEnterprises(m: Queryable, enterpriseIds: readonly string[]): Promise<RepairNoticeRow[]> {
  return rows<RepairNoticeRow>(m, `SELECT ${COLUMNS} FROM credit_repair_notice n WHERE n.enterprise_id = ANY($1::uuid[]) ORDER BY n.issued_at, n.id`, [
    enterpriseIds,
  ]);
}
