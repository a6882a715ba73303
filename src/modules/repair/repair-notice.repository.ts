/** Art. 22 repair notices (信用修复告知书), stored: see repair-notice.ts. */
import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';
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

export function insertNotice(m: Queryable, n: Omit<RepairNoticeRow, 'id' | 'issuedAt'>): Promise<RepairNoticeRow | undefined> {
  return one<RepairNoticeRow>(
    m,
    `INSERT INTO credit_repair_notice AS n (enterprise_id, rating_id, grade, content) VALUES ($1, $2, $3, $4::jsonb) RETURNING ${COLUMNS}`,
    [n.enterpriseId, n.ratingId, n.grade, JSON.stringify(n.content)],
  );
}

/** The notices of several enterprises, oldest first (one statement: `Enterprise.repairNotices` is batched). */
export function noticesOfEnterprises(m: Queryable, enterpriseIds: readonly string[]): Promise<RepairNoticeRow[]> {
  return rows<RepairNoticeRow>(m, `SELECT ${COLUMNS} FROM credit_repair_notice n WHERE n.enterprise_id = ANY($1::uuid[]) ORDER BY n.issued_at, n.id`, [
    enterpriseIds,
  ]);
}
