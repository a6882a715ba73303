import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';

/** A policy published through the API, as stored (credit_policy_version). */
export interface PolicyVersionRow {
  version: string;
  /** The validated document, defaults filled in. */
  document: unknown;
  effectiveFrom: string;
  effectiveTo: string;
  publishedBy: string;
  publishedAt: Date;
}

/** Postgres channel a publish notifies on commit; every process's policy registry listens. */
export const POLICY_CHANNEL = 'hub_credit_policy';

// to_char, not ::text: the text form of a date follows the session's DateStyle.
const COLUMNS = `p.version, p.document, to_char(p.effective_from, 'YYYY-MM-DD') AS "effectiveFrom", to_char(p.effective_to, 'YYYY-MM-DD') AS "effectiveTo",
  p.published_by AS "publishedBy", p.published_at AS "publishedAt"`;

/** Every published policy, oldest term first. */
export function publishedPolicies(m: Queryable): Promise<PolicyVersionRow[]> {
  return rows<PolicyVersionRow>(m, `SELECT ${COLUMNS} FROM credit_policy_version p ORDER BY p.effective_from, p.version`);
}

/** A cheap fingerprint of the table (rows are only ever added): the registry reloads when it changes. */
export async function publishedStamp(m: Queryable): Promise<string> {
  const r = await one<{ n: number; last: Date | null }>(m, `SELECT count(*)::int AS n, max(published_at) AS last FROM credit_policy_version`);
  return `${r?.n ?? 0}:${r?.last ? new Date(r.last).toISOString() : ''}`;
}

/**
 * Serialises publishes until the transaction ends (two at once could each find no overlap
 * with the other); reads go on.
 */
export async function lockPolicyVersions(m: Queryable): Promise<void> {
  await m.query(`LOCK TABLE credit_policy_version IN SHARE ROW EXCLUSIVE MODE`);
}

/** Stores a published policy; notifies every listening process when the transaction commits. */
export async function insertPolicyVersion(
  m: Queryable,
  p: { version: string; document: unknown; effectiveFrom: string; effectiveTo: string; publishedBy: string },
): Promise<PolicyVersionRow> {
  const row = await one<PolicyVersionRow>(
    m,
    `INSERT INTO credit_policy_version AS p (version, document, effective_from, effective_to, published_by)
     VALUES ($1, $2::jsonb, $3::date, $4::date, $5) RETURNING ${COLUMNS}`,
    [p.version, JSON.stringify(p.document), p.effectiveFrom, p.effectiveTo, p.publishedBy],
  );
  await m.query(`SELECT pg_notify('${POLICY_CHANNEL}', $1)`, [p.version]);
  return row!;
}
