import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';
import type { Bilingual, Grade } from '../policy/credit-policy';
import type { IndicatorResult, Reason } from '../credit/credit.rules';

/** The evidence of a rating: large (≈1.6 kB), so list views load it only when asked for. */
export interface RatingDetail {
  id: string;
  indicators: IndicatorResult[];
  reasons: Reason[];
  measures: Bilingual[];
}

export interface RatingSummary {
  id: string;
  enterpriseId: string;
  grade: Grade;
  score: number;
  policyVersion: string;
  asOf: Date;
  evaluatedAt: Date;
  evaluatedBy: string;
  /** An evaluation result (Art. 16(2)): stored ratings made at the time; false for what-ifs (never stored) and rows migrated from backdated evaluations. */
  official: boolean;
}

/** A rating; the detail fields are absent when only the summary was read. */
export type RatingRow = RatingSummary & Partial<RatingDetail>;

export const RATING_SUMMARY_COLUMNS = `r.id, r.enterprise_id AS "enterpriseId", r.grade, r.score,
  r.policy_version AS "policyVersion", r.as_of AS "asOf", r.evaluated_at AS "evaluatedAt", r.evaluated_by AS "evaluatedBy", r.official`;
const COLUMNS = `${RATING_SUMMARY_COLUMNS}, r.indicators, r.reasons, r.measures`;

export function insertRating(
  m: Queryable,
  r: Omit<RatingSummary & RatingDetail, 'id' | 'evaluatedAt' | 'official'> & { decisiveRecordIds: string[] },
): Promise<RatingRow | undefined> {
  return one<RatingRow>(
    m,
    `INSERT INTO credit_rating AS r (enterprise_id, grade, score, indicators, reasons, measures, policy_version, as_of, evaluated_by, decisive_record_ids)
     VALUES ($1,$2,$3,$4::jsonb,$5::jsonb,$6::jsonb,$7,$8,$9,$10::uuid[]) RETURNING ${COLUMNS}`,
    [
      r.enterpriseId,
      r.grade,
      r.score,
      JSON.stringify(r.indicators),
      JSON.stringify(r.reasons),
      JSON.stringify(r.measures),
      r.policyVersion,
      r.asOf,
      r.evaluatedBy,
      r.decisiveRecordIds,
    ],
  );
}

export function ratingsByIds(m: Queryable, ids: readonly string[]): Promise<RatingSummary[]> {
  return rows<RatingSummary>(m, `SELECT ${RATING_SUMMARY_COLUMNS} FROM credit_rating r WHERE r.id = ANY($1::uuid[])`, [ids]);
}

export function ratingDetails(m: Queryable, ids: readonly string[]): Promise<RatingDetail[]> {
  return rows<RatingDetail>(m, `SELECT r.id, r.indicators, r.reasons, r.measures FROM credit_rating r WHERE r.id = ANY($1::uuid[])`, [ids]);
}

/** Grade, asOf and deciding records of every earlier official evaluation (the D-once rule reads them; what-ifs never count). */
export function gradeHistory(m: Queryable, enterpriseId: string): Promise<{ grade: Grade; asOf: Date; decisiveRecordIds: string[] }[]> {
  return rows(m, `SELECT grade, as_of AS "asOf", decisive_record_ids::text[] AS "decisiveRecordIds" FROM credit_rating WHERE enterprise_id = $1 AND official`, [
    enterpriseId,
  ]);
}

/** The latest `first` official evaluations per enterprise, newest first, in one statement. */
export function historyOf(m: Queryable, enterpriseIds: readonly string[], first: number): Promise<RatingRow[]> {
  return rows<RatingRow>(
    m,
    `SELECT ${COLUMNS} FROM unnest($1::uuid[]) AS k(id)
       CROSS JOIN LATERAL (SELECT * FROM credit_rating x WHERE x.enterprise_id = k.id AND x.official ORDER BY x.as_of DESC, x.evaluated_at DESC LIMIT $2) r`,
    [enterpriseIds, first],
  );
}
