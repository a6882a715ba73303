import type { Queryable } from '../../platform/sql';
import { IdSet, inIdSet, rows } from '../../platform/sql';
import type { Bilingual, Grade } from '../policy/credit-policy';
import type { EnginePermit, EngineRecord, IndicatorResult, PriorRating, Reason } from '../credit/credit.rules';

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
export type NewRating = Omit<RatingSummary & RatingDetail, 'id' | 'evaluatedAt' | 'official'> & {
  decisiveRecordIds: string[];
  evidenceDigest: string;
};

/** The eleven column arrays ($1–$11) of new ratings, as both rating inserts unnest them. */
function ratingColumns(rs: readonly NewRating[]): unknown[] {
  return [
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
  ];
}

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
    [...ratingColumns(rs)],
  );
  // One rating per enterprise in a call: the enterprise puts them back in input order.
  const byEnterprise = new Map(stored.map((r) => [r.enterpriseId, r]));
  return rs.map((r) => byEnterprise.get(r.enterpriseId)!);
}

/**
 * A re-grade batch's writes in one statement: the new ratings `rs` (with their confirmation
 * rows), each made current where `promote` says so (the rating it replaces keeping, for good,
 * when re-grade batches last confirmed it), the ratings `reconfirmed` (current ratings of the
 * enterprises `reconfirmed[i].enterpriseId`) confirmed at `asOf`, every evaluated enterprise's
 * check (the rating found, the inputs version it is locked at, policy `policyVersion`, asOf;
 * see `claimRegradeBatch`), and the batch's `run` row when it covered an id range. Answers the
 * new ratings' summaries in input order.
 */
export async function storeRegrade(
  m: Queryable,
  w: {
    rs: readonly NewRating[];
    promote: readonly boolean[];
    reconfirmed: readonly { id: string; enterpriseId: string }[];
    asOf: Date;
    policyVersion: string;
    run: RegradeRun | null;
  },
): Promise<RatingSummary[]> {
  const { rs } = w;
  const stored = await rows<RatingSummary>(
    m,
    `WITH x AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::bool[])
         AS x(e, g, s, i, rs, ms, p, a, b, d, h, promote)),
     r AS (
       INSERT INTO credit_rating (enterprise_id, grade, score, indicators, reasons, measures, policy_version, as_of, evaluated_by, decisive_record_ids)
       SELECT x.e, x.g, x.s, x.i::jsonb, x.rs::jsonb, x.ms::jsonb, x.p, x.a, x.b, x.d::uuid[] FROM x RETURNING *),
     c AS (
       INSERT INTO credit_rating_confirmation (rating_id, grade, score, policy_version, evidence_digest, confirmed_at)
       SELECT r.id, r.grade, r.score, r.policy_version, x.h, r.as_of FROM r JOIN x ON x.e = r.enterprise_id),
     kept AS (
       UPDATE credit_rating_confirmation k SET confirmed_at = w.at
         FROM enterprise o JOIN x ON x.e = o.id AND x.promote CROSS JOIN LATERAL (SELECT ${runConfirmedAt('o.id')} AS at) w
        WHERE k.rating_id = o.current_rating_id AND w.at > k.confirmed_at),
     v AS (
       SELECT r.enterprise_id AS e, r.id AS rating, r.grade, x.promote FROM r JOIN x ON x.e = r.enterprise_id
       UNION ALL SELECT u.e, u.id, NULL, false FROM unnest($13::uuid[], $14::uuid[]) AS u(id, e)),
     cur AS (
       UPDATE enterprise e SET current_rating_id = CASE WHEN v.promote THEN v.rating ELSE e.current_rating_id END,
              current_grade = CASE WHEN v.promote THEN v.grade ELSE e.current_grade END,
              updated_at = CASE WHEN v.promote THEN now() ELSE e.updated_at END,
              checked_rating_id = v.rating, checked_version = e.inputs_version, checked_policy = $19, checked_at = $15
         FROM v WHERE e.id = v.e),
     same AS (
       UPDATE credit_rating_confirmation f SET confirmed_at = greatest(f.confirmed_at, $15) WHERE f.rating_id = ANY($13::uuid[])),
     run AS (INSERT INTO regrade_run (after_id, to_id, as_of) SELECT $16, $17, $15 WHERE $18)
     SELECT ${RATING_SUMMARY_COLUMNS} FROM r`,
    [
      ...ratingColumns(rs),
      w.promote,
      w.reconfirmed.map((r) => r.id),
      w.reconfirmed.map((r) => r.enterpriseId),
      w.asOf,
      w.run?.after ?? null,
      w.run?.to ?? null,
      w.run !== null,
      w.policyVersion,
    ],
  );
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

/**
 * The latest asOf of the re-grade batches (`regrade_run`) whose id range holds the enterprise
 * id `col`: when they confirmed the enterprise's current rating (null: none did).
 */
export const runConfirmedAt = (col: string) =>
  `(SELECT max(g.as_of) FROM regrade_run g WHERE (g.after_id IS NULL OR g.after_id < ${col}) AND (g.to_id IS NULL OR g.to_id >= ${col}))`;

/** When the rating `r` was last confirmed: its row's `confirmed_at`, or the latest re-grade batch over its enterprise while it is current. */
const confirmedAtOf = `coalesce(greatest(c.confirmed_at, CASE WHEN e.current_rating_id = r.id THEN ${runConfirmedAt('r.enterprise_id')} END), r.as_of)`;

export function comparableRatings(m: Queryable, ids: readonly string[]): Promise<ComparableRating[]> {
  return rows<ComparableRating>(
    m,
    `SELECT ${RATING_SUMMARY_COLUMNS}, c.evidence_digest AS "evidenceDigest", ${confirmedAtOf} AS "confirmedAt"
       FROM credit_rating r LEFT JOIN credit_rating_confirmation c ON c.rating_id = r.id JOIN enterprise e ON e.id = r.enterprise_id
      WHERE r.id = ANY($1::uuid[])`,
    [ids],
  );
}

/** A re-grade batch's range (`after` exclusive, `to` inclusive; null: open-ended) and asOf. */
export interface RegradeRun {
  after: string | null;
  to: string | null;
  asOf: Date;
}

/**
 * After a complete re-grade of all enterprises that started at `startedAt`: the batch rows of
 * earlier runs decide nothing any more (every enterprise was covered since) and go.
 */
export async function pruneRuns(m: Queryable, startedAt: Date): Promise<void> {
  await m.query(`DELETE FROM regrade_run WHERE as_of < $1`, [startedAt]);
}

/** Marks ratings as confirmed at `at` by an unchanged re-evaluation: only their narrow rows change, in one statement (never moving back). */
export async function confirmRatings(m: Queryable, ids: readonly string[], at: Date): Promise<void> {
  if (!ids.length) return;
  await m.query(`UPDATE credit_rating_confirmation c SET confirmed_at = greatest(c.confirmed_at, $2) WHERE c.rating_id = ANY($1::uuid[])`, [ids, at]);
}

/** A record as `engineRecordsOf` reads it, or a revoked permit as `revokedPermitsOf` does (dates as epoch milliseconds until parsed). */
type Dated<T, K extends keyof T> = Omit<T, K> & { [k in K]: T[k] | number };
export type ClaimedRecord = Dated<EngineRecord & { enterpriseId: string }, 'occurredAt'>;
export type ClaimedPermit = Dated<EnginePermit & { enterpriseId: string }, 'revokedAt' | 'annulledAt'>;

/** An enterprise claimed (locked) by the daily re-grade, with what decides whether its engine must run. */
export interface ClaimedTarget {
  id: string;
  creditCode: string;
  regionCode: string;
  currentRatingId: string | null;
  currentGrade: Grade | null;
  check: RatingCheck | null;
  /** Its records and revoked permits, as the engine reads them. */
  records: EngineRecord[];
  permits: EnginePermit[];
  /** It has an enforcement case / an official D rating (the engine then needs `caseFactsOfMany` / `episodeHistory`). */
  hasCases: boolean;
  hasD: boolean;
}

/**
 * A claimed batch: how many enterprises it locked and the last id (the keyset cursor), those
 * whose result may have changed (`open`, with their inputs), and of the others (`unchanged`,
 * see `claimRegradeBatch`) their current ratings' ids (for a batch of a list) and grades.
 */
export interface ClaimedBatch {
  count: number;
  last: string | null;
  open: ClaimedTarget[];
  /** The current ratings of the unchanged enterprises; null for a batch of all enterprises (one `regrade_run` row confirms them). */
  keptRatings: string[] | null;
  keptGrades: Partial<Record<Grade, number>>;
}

const ms = (col: string) => `floor(extract(epoch FROM ${col}) * 1000)`;

/**
 * The id of the `limit`th enterprise after id `after` (null: from the first), among `among`
 * when given (null: all): where the next re-grade batch ends (null: it is the last). An index
 * scan, no lock: batches take turns only for this, and claim (lock and read) in parallel.
 */
export async function batchEnd(m: Queryable, after: string | null, limit: number, among: readonly string[] | null): Promise<string | null> {
  const [found] = await rows<{ id: string }>(
    m,
    `SELECT e.id FROM enterprise e
      WHERE e.id > coalesce($1::uuid, '00000000-0000-0000-0000-000000000000') AND ($3::uuid[] IS NULL OR e.id = ANY($3::uuid[]))
      ORDER BY e.id OFFSET $2 - 1 LIMIT 1`,
    [after, limit, among],
  );
  return found?.id ?? null;
}

/**
 * Reads and locks the enterprises with ids in (`after`, `to`] (null: from the first / to the
 * last) in id order, among `among` when given (null: all), locked as `lockEnterpriseById` locks one, in one
 * statement with everything the re-grade decides on: whether each is `unchanged`, and for the
 * others their current rating's check (its `confirmedAt` including the re-grade batches over
 * them) and the engine's records and revoked permits.
 *
 * `unchanged`: the current rating's result is certain to be the same now under policy
 * `policyVersion`, decided from the enterprise row (migration 1733130000000): its check is of
 * the current rating, at the inputs version it has now (no record, revoked permit or case
 * written since, by any path), under the same policy, and nothing moves with time since that
 * check's asOf (`checked_at`): no record or revocation dated after it (a date entering the
 * `≤ asOf` window), no enforcement case (their outcomes follow deadlines), no official rating
 * other than the current one with an asOf from it on (the D-once history). The current rating
 * itself joining the history decides nothing: the D branch reads no history, and a last non-D
 * rating ends no D run that is not already ended. The evaluation period, honor window and
 * thresholds are the policy's.
 */
export async function claimRegradeBatch(
  m: Queryable,
  after: string | null,
  to: string | null,
  among: readonly string[] | null,
  policyVersion: string,
): Promise<ClaimedBatch> {
  const found = (
    await rows<{
      count: number;
      last: string | null;
      keptRatings: string[] | null;
      keptGrades: Partial<Record<Grade, number>>;
      open: {
        id: string;
        creditCode: string;
        regionCode: string;
        currentRatingId: string | null;
        currentGrade: Grade | null;
        checkGrade: Grade | null;
        checkScore: number | null;
        checkPolicy: string | null;
        checkDigest: string | null;
        checkAt: number | null;
        records: ClaimedRecord[];
        permits: ClaimedPermit[];
        hasCases: boolean;
        hasD: boolean;
      }[];
    }>(
      m,
      `WITH b AS (
       SELECT e.id, e.credit_code, e.region_code, e.current_rating_id, e.current_grade, e.has_cases, e.checked_at,
              coalesce(e.checked_rating_id = e.current_rating_id AND e.checked_version = e.inputs_version AND e.checked_policy = $4 AND NOT e.has_cases
                AND (e.inputs_latest IS NULL OR e.inputs_latest <= e.checked_at), false) AS settled
         FROM enterprise e
        WHERE e.id > coalesce($1::uuid, '00000000-0000-0000-0000-000000000000') AND ($2::uuid IS NULL OR e.id <= $2::uuid)
          AND ($3::uuid[] IS NULL OR e.id = ANY($3::uuid[]))
        ORDER BY e.id FOR UPDATE OF e),
     u AS MATERIALIZED (
       SELECT b.*, b.settled AND NOT EXISTS (
                SELECT 1 FROM credit_rating o WHERE o.enterprise_id = b.id AND o.as_of >= b.checked_at AND o.official AND o.id <> b.current_rating_id) AS unchanged
         FROM b),
     lim AS (SELECT (SELECT id FROM b ORDER BY id LIMIT 1) AS lo, (SELECT id FROM b ORDER BY id DESC LIMIT 1) AS hi),
     o AS MATERIALIZED (SELECT * FROM u WHERE NOT u.unchanged),
     g AS MATERIALIZED (SELECT g.after_id, g.to_id, g.as_of FROM regrade_run g, lim WHERE (g.after_id IS NULL OR g.after_id < lim.hi) AND (g.to_id IS NULL OR g.to_id >= lim.lo)),
     r AS (
       SELECT c.enterprise_id AS id,
              json_agg(json_build_object('id', c.id, 'enterpriseId', c.enterprise_id, 'kind', c.kind, 'indicator', c.indicator, 'level', c.level,
                'honorLevel', c.honor_level, 'awardedByGovernment', c.awarded_by_government, 'honorCategory', c.honor_category, 'caseId', c.case_id,
                'permitId', c.permit_id, 'occurredAt', ${ms('c.occurred_at')}, 'status', c.status) ORDER BY c.occurred_at, c.id) AS j
         FROM credit_record c WHERE c.enterprise_id IN (SELECT id FROM o) GROUP BY 1),
     p AS (
       SELECT p.enterprise_id AS id,
              json_agg(json_build_object('id', p.id, 'permitNo', p.permit_no, 'enterpriseId', p.enterprise_id, 'revokedAt', ${ms('p.revoked_at')},
                'revocationKind', p.revocation_kind, 'annulledAt', ${ms('p.annulled_at')}) ORDER BY p.valid_from, p.permit_no, p.id) AS j
         FROM water_permit p WHERE p.enterprise_id IN (SELECT id FROM o) AND p.revoked_at IS NOT NULL GROUP BY 1),
     x AS (
       SELECT o.*, c.grade, c.score, c.policy_version, c.evidence_digest, r.j AS records, p.j AS permits,
              greatest(c.confirmed_at, (SELECT max(g.as_of) FROM g WHERE (g.after_id IS NULL OR g.after_id < o.id) AND (g.to_id IS NULL OR g.to_id >= o.id))) AS at
         FROM o LEFT JOIN r ON r.id = o.id LEFT JOIN p ON p.id = o.id LEFT JOIN LATERAL (
           SELECT c.* FROM credit_rating_confirmation c WHERE c.rating_id = o.current_rating_id LIMIT 1) c ON true)
     SELECT (SELECT count(*) FROM u)::int AS count, (SELECT hi FROM lim) AS last,
            CASE WHEN $3::uuid[] IS NOT NULL THEN (SELECT coalesce(array_agg(u.current_rating_id), '{}') FROM u WHERE u.unchanged) END AS "keptRatings",
            (SELECT coalesce(json_object_agg(q.grade, q.n), '{}') FROM (SELECT u.current_grade AS grade, count(*) AS n FROM u WHERE u.unchanged GROUP BY 1) q) AS "keptGrades",
            (SELECT coalesce(json_agg(json_build_object('id', x.id, 'creditCode', x.credit_code, 'regionCode', x.region_code, 'currentRatingId', x.current_rating_id,
                      'currentGrade', x.current_grade, 'checkGrade', x.grade, 'checkScore', x.score, 'checkPolicy', x.policy_version, 'checkDigest', x.evidence_digest,
                      'checkAt', ${ms('x.at')}, 'records', coalesce(x.records, '[]'), 'permits', coalesce(x.permits, '[]'),
                      'hasCases', x.has_cases,
                      'hasD', EXISTS (SELECT 1 FROM credit_rating h WHERE h.enterprise_id = x.id AND h.grade = 'D' AND h.official)) ORDER BY x.id), '[]')
               FROM x) AS open`,
      [after, to, among, policyVersion],
    )
  )[0];
  const date = (v: Date | number | null | undefined) => (v === null || v === undefined ? v : new Date(v));
  return {
    count: found.count,
    last: found.last,
    keptRatings: found.keptRatings,
    keptGrades: found.keptGrades,
    open: found.open.map(({ checkGrade, checkScore, checkPolicy, checkDigest, checkAt, records, permits, ...e }) => ({
      ...e,
      records: records.map((r) => ({ ...r, occurredAt: date(r.occurredAt)! })),
      permits: permits.map((p) => ({ ...p, revokedAt: date(p.revokedAt), annulledAt: date(p.annulledAt) })),
      check:
        checkAt !== null && e.currentRatingId
          ? {
              id: e.currentRatingId,
              grade: checkGrade!,
              score: checkScore!,
              policyVersion: checkPolicy!,
              evidenceDigest: checkDigest!,
              confirmedAt: new Date(checkAt),
            }
          : null,
    })),
  };
}

/** When each rating was last confirmed (its asOf until a re-evaluation finds it unchanged; ratings stored before confirmations existed are absent). */
export function confirmationsOf(m: Queryable, ids: readonly string[]): Promise<{ id: string; confirmedAt: Date }[]> {
  return rows(
    m,
    `SELECT r.id, ${confirmedAtOf} AS "confirmedAt"
       FROM credit_rating_confirmation c JOIN credit_rating r ON r.id = c.rating_id JOIN enterprise e ON e.id = r.enterprise_id WHERE c.rating_id = ANY($1::uuid[])`,
    [ids],
  );
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
