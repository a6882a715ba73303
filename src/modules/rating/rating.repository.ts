import type { Queryable } from '../../platform/sql';
import { IdSet, inIdSet, rows } from '../../platform/sql';
import type { Bilingual, Grade } from '../policy/credit-policy';
import type { IndicatorResult, PriorRating, Reason } from '../credit/credit.rules';

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

/** A rating; the detail fields are absent when only the summary was read; `confirmedAt` when already known (what-ifs). */
export type RatingRow = RatingSummary & Partial<RatingDetail> & { confirmedAt?: Date };

export const RATING_SUMMARY_COLUMNS = `r.id, r.enterprise_id AS "enterpriseId", r.grade, r.score,
  r.policy_version AS "policyVersion", r.as_of AS "asOf", r.evaluated_at AS "evaluatedAt", r.evaluated_by AS "evaluatedBy", r.official`;
const COLUMNS = `${RATING_SUMMARY_COLUMNS}, r.indicators, r.reasons, r.measures`;

/** What a stored rating is made of; `evidenceDigest`: `evidenceDigest()` of its evidence. */
export type NewRating = Omit<RatingSummary & RatingDetail, 'id' | 'evaluatedAt' | 'official'> & { decisiveRecordIds: string[]; evidenceDigest: string };

/**
 * Stores ratings in one multi-row statement (the bulk re-grade's batch, or one), each with its
 * confirmation row (what a re-evaluation compares; confirmed at its asOf); answers their
 * summaries in input order.
 */
export async function insertRatings(m: Queryable, rs: readonly NewRating[]): Promise<RatingSummary[]> {
  if (!rs.length) return [];
  const stored = await rows<RatingSummary>(
    m,
    `WITH x AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[], $10::text[], $11::text[])
         AS x(e, g, s, i, rs, ms, p, a, b, d, h)),
     r AS (
       INSERT INTO credit_rating (enterprise_id, grade, score, indicators, reasons, measures, policy_version, as_of, evaluated_by, decisive_record_ids)
       SELECT x.e, x.g, x.s, x.i::jsonb, x.rs::jsonb, x.ms::jsonb, x.p, x.a, x.b, x.d::uuid[] FROM x RETURNING *),
     c AS (
       INSERT INTO credit_rating_confirmation (rating_id, grade, score, policy_version, evidence_digest, confirmed_at)
       SELECT r.id, r.grade, r.score, r.policy_version, x.h, r.as_of FROM r JOIN x ON x.e = r.enterprise_id)
     SELECT ${RATING_SUMMARY_COLUMNS} FROM r`,
    [
      rs.map((r) => r.enterpriseId),
      rs.map((r) => r.grade),
      rs.map((r) => r.score),
      rs.map((r) => JSON.stringify(r.indicators)),
      rs.map((r) => JSON.stringify(r.reasons)),
      rs.map((r) => JSON.stringify(r.measures)),
      rs.map((r) => r.policyVersion),
      rs.map((r) => r.asOf),
      rs.map((r) => r.evaluatedBy),
      rs.map((r) => `{${r.decisiveRecordIds.join(',')}}`),
      rs.map((r) => r.evidenceDigest),
    ],
  );
  // One rating per enterprise in a call: the enterprise puts them back in input order.
  const byEnterprise = new Map(stored.map((r) => [r.enterpriseId, r]));
  return rs.map((r) => byEnterprise.get(r.enterpriseId)!);
}

export async function insertRating(m: Queryable, r: NewRating): Promise<RatingSummary> {
  return (await insertRatings(m, [r]))[0];
}

/** What a re-evaluation compares a stored rating with, from its narrow confirmation row (ratings stored before it existed have none). */
export interface RatingCheck {
  id: string;
  grade: Grade;
  score: number;
  policyVersion: string;
  evidenceDigest: string;
  /** The latest asOf a re-evaluation found the same result for (the rating's own asOf at first). */
  confirmedAt: Date;
}

/** A rating with its check: the summary, and digest and last confirmation when it has a confirmation row (null digest, asOf when not). */
export interface ComparableRating extends RatingSummary {
  evidenceDigest: string | null;
  confirmedAt: Date;
}

export function comparableRatings(m: Queryable, ids: readonly string[]): Promise<ComparableRating[]> {
  return rows<ComparableRating>(
    m,
    `SELECT ${RATING_SUMMARY_COLUMNS}, c.evidence_digest AS "evidenceDigest", coalesce(c.confirmed_at, r.as_of) AS "confirmedAt"
       FROM credit_rating r LEFT JOIN credit_rating_confirmation c ON c.rating_id = r.id WHERE r.id = ANY($1::uuid[])`,
    [ids],
  );
}

/** Marks ratings as confirmed at `at` by an unchanged re-evaluation: only their narrow rows change, in one statement (never moving back). */
export async function confirmRatings(m: Queryable, ids: readonly string[], at: Date): Promise<void> {
  if (!ids.length) return;
  await m.query(`UPDATE credit_rating_confirmation c SET confirmed_at = greatest(c.confirmed_at, $2) WHERE c.rating_id = ANY($1::uuid[])`, [ids, at]);
}

/** When each rating was last confirmed (its asOf until a re-evaluation finds it unchanged; ratings stored before confirmations existed are absent). */
export function confirmationsOf(m: Queryable, ids: readonly string[]): Promise<{ id: string; confirmedAt: Date }[]> {
  return rows(m, `SELECT rating_id AS id, confirmed_at AS "confirmedAt" FROM credit_rating_confirmation WHERE rating_id = ANY($1::uuid[])`, [ids]);
}

export function ratingsByIds(m: Queryable, ids: readonly string[]): Promise<RatingSummary[]> {
  return rows<RatingSummary>(m, `SELECT ${RATING_SUMMARY_COLUMNS} FROM credit_rating r WHERE r.id = ANY($1::uuid[])`, [ids]);
}

export function ratingDetails(m: Queryable, ids: readonly string[]): Promise<RatingDetail[]> {
  return rows<RatingDetail>(m, `SELECT r.id, r.indicators, r.reasons, r.measures FROM credit_rating r WHERE r.id = ANY($1::uuid[])`, [ids]);
}

export interface EpisodeRating extends PriorRating {
  enterpriseId: string;
}

/**
 * What the D-once rule (Art. 16(2)) needs of the enterprises' official evaluations with asOf in
 * `[from, before)`: every D and the evaluation right after each (where a D run ends), not the
 * rest (a run of other grades between them decides nothing). `dEpisodes` reads the same
 * episodes from these as from the whole history. The D ones come from a partial index.
 */
export function episodeHistory(m: Queryable, enterprises: IdSet, from: Date, before: Date): Promise<EpisodeRating[]> {
  const of = inIdSet('r.enterprise_id', enterprises, 3);
  return rows<EpisodeRating>(
    m,
    `WITH d AS (
       SELECT r.id, r.enterprise_id, r.grade, r.as_of, r.evaluated_at, r.decisive_record_ids FROM credit_rating r
        WHERE ${of.sql} AND r.grade = 'D' AND r.official AND r.as_of >= $1 AND r.as_of < $2)
     SELECT enterprise_id AS "enterpriseId", grade, as_of AS "asOf", decisive_record_ids::text[] AS "decisiveRecordIds" FROM d
     UNION ALL
     SELECT n.enterprise_id, n.grade, n.as_of, n.decisive_record_ids::text[] FROM d CROSS JOIN LATERAL (
       SELECT x.enterprise_id, x.grade, x.as_of, x.decisive_record_ids FROM credit_rating x
        WHERE x.enterprise_id = d.enterprise_id AND x.official AND x.as_of < $2
          AND (x.as_of, x.evaluated_at, x.id) > (d.as_of, d.evaluated_at, d.id)
        ORDER BY x.as_of, x.evaluated_at, x.id LIMIT 1) n
      WHERE n.grade <> 'D'`,
    [from, before, ...of.params],
  );
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
