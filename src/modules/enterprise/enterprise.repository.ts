import { EntityManager } from 'typeorm';
import { one, rows } from '../../platform/sql';

export interface EnterpriseRow {
  id: string;
  creditCode: string;
  name: string;
  regionCode: string;
  industry: string | null;
  legalRepresentative: string | null;
  legalRepresentativeIdNumber: string | null;
  contactPhone: string | null;
  checkOverride: boolean;
  currentRatingId: string | null;
  currentGrade: 'A' | 'B' | 'C' | 'D' | null;
  createdAt: Date;
}

export const ENTERPRISE_COLUMNS = `e.id, e.credit_code AS "creditCode", e.name, e.region_code AS "regionCode", e.industry,
  e.legal_representative AS "legalRepresentative", e.legal_representative_id_number AS "legalRepresentativeIdNumber",
  e.contact_phone AS "contactPhone", e.check_override AS "checkOverride", e.current_rating_id AS "currentRatingId",
  e.current_grade AS "currentGrade", e.created_at AS "createdAt"`;

export type NewEnterprise = Pick<
  EnterpriseRow,
  'creditCode' | 'name' | 'regionCode' | 'industry' | 'legalRepresentative' | 'legalRepresentativeIdNumber' | 'contactPhone' | 'checkOverride'
>;

export function insertEnterprise(m: EntityManager, e: NewEnterprise): Promise<EnterpriseRow | undefined> {
  return one<EnterpriseRow>(
    m,
    `INSERT INTO enterprise AS e (credit_code, name, region_code, industry, legal_representative, legal_representative_id_number, contact_phone, check_override)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING ${ENTERPRISE_COLUMNS}`,
    [e.creditCode, e.name, e.regionCode, e.industry, e.legalRepresentative, e.legalRepresentativeIdNumber, e.contactPhone, e.checkOverride],
  );
}

export function findByCreditCode(m: EntityManager, creditCode: string, lock = false): Promise<EnterpriseRow | undefined> {
  return one<EnterpriseRow>(m, `SELECT ${ENTERPRISE_COLUMNS} FROM enterprise e WHERE e.credit_code = $1${lock ? ' FOR UPDATE' : ''}`, [creditCode]);
}

export function findByIds(m: EntityManager, ids: readonly string[]): Promise<EnterpriseRow[]> {
  return rows<EnterpriseRow>(m, `SELECT ${ENTERPRISE_COLUMNS} FROM enterprise e WHERE e.id = ANY($1::uuid[])`, [ids]);
}

export interface EnterpriseFilter {
  /** Region prefixes the caller may see; null = all. */
  scope: string[] | null;
  /** ENTERPRISE callers see one code only. */
  onlyCreditCode?: string;
  regionPrefix?: string;
  grade?: string;
}

function where(f: EnterpriseFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    parts.push(sql.replace('?', `$${params.length}`));
  };
  if (f.scope) add(`e.region_code LIKE ANY(?::text[])`, f.scope.map((p) => `${p}%`));
  if (f.onlyCreditCode) add(`e.credit_code = ?`, f.onlyCreditCode);
  if (f.regionPrefix) add(`e.region_code LIKE ?`, `${f.regionPrefix}%`);
  if (f.grade) add(`e.current_grade = ?`, f.grade);
  return { sql: parts.length ? parts.join(' AND ') : 'TRUE', params };
}

/** One page in credit-code order, plus one row to tell whether another page follows. */
export function pageEnterprises(m: EntityManager, f: EnterpriseFilter, first: number, after?: string): Promise<EnterpriseRow[]> {
  const w = where(f);
  const params = [...w.params, first + 1];
  let cursor = '';
  if (after !== undefined) {
    params.push(after);
    cursor = ` AND e.credit_code > $${params.length}`;
  }
  return rows<EnterpriseRow>(
    m,
    `SELECT ${ENTERPRISE_COLUMNS} FROM enterprise e WHERE ${w.sql}${cursor} ORDER BY e.credit_code LIMIT $${w.params.length + 1}`,
    params,
  );
}

export async function countEnterprises(m: EntityManager, f: EnterpriseFilter): Promise<number> {
  const w = where(f);
  const r = await one<{ n: number }>(m, `SELECT count(*)::int AS n FROM enterprise e WHERE ${w.sql}`, w.params);
  return r?.n ?? 0;
}

export function setCurrentRating(m: EntityManager, enterpriseId: string, ratingId: string, grade: string): Promise<unknown> {
  return m.query(`UPDATE enterprise SET current_rating_id = $2, current_grade = $3, updated_at = now() WHERE id = $1`, [enterpriseId, ratingId, grade]);
}
