import type { Queryable } from '../../platform/sql';
import { Conditions, one, rows } from '../../platform/sql';
import { enterpriseConditions } from '../enterprise/enterprise.repository';
import type { AnomalyKind } from '../detection/detection.rules';
import type { CandidateOrigin, CandidateStatus } from '../graphql-enums';
import type { DishonestyLevel } from '../policy/credit-policy';

export interface CandidateRow {
  id: string;
  enterpriseId: string;
  meterId: string | null;
  /** Detection's anomaly kind, or TIP for a candidate raised by a confirmed tip. */
  kind: AnomalyKind | 'TIP';
  indicator: string;
  suggestedLevel: DishonestyLevel;
  status: CandidateStatus;
  detectedAt: Date;
  evidence: unknown;
  resolutionNote: string | null;
  creditRecordId: string | null;
  origin: CandidateOrigin;
  /** The confirmed tip (Art. 8) that raised it, when origin is TIP. */
  tipId: string | null;
}

export const CANDIDATE_COLUMNS = `v.id, v.enterprise_id AS "enterpriseId", v.meter_id AS "meterId", v.kind, v.indicator,
  v.suggested_level AS "suggestedLevel", v.status, v.detected_at AS "detectedAt", v.evidence,
  v.resolution_note AS "resolutionNote", v.credit_record_id AS "creditRecordId", v.origin, v.tip_id AS "tipId"`;

export interface NewCandidate {
  enterpriseId: string;
  meterId: string | null;
  kind: string;
  indicator: string;
  suggestedLevel: string;
  evidence: unknown;
}

/**
 * Raises candidates set-based; where an OPEN one exists for the same (enterprise, meter,
 * kind) its evidence, level and detection time are refreshed instead.
 */
export function upsertOpenCandidates(m: Queryable, c: NewCandidate[], detectedAt = new Date()): Promise<CandidateRow[]> {
  if (!c.length) return Promise.resolve([]);
  // detected_at is the hub's clock, not the database's: a confirmed candidate's conduct date is graded against the policy in force by it.
  return rows<CandidateRow>(
    m,
    `INSERT INTO candidate_violation AS v (enterprise_id, meter_id, kind, indicator, suggested_level, evidence, detected_at)
     SELECT u.*, $7::timestamptz FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) AS u
     ON CONFLICT (enterprise_id, coalesce(meter_id, '00000000-0000-0000-0000-000000000000'::uuid), kind) WHERE status = 'OPEN' AND origin = 'DETECTION'
     DO UPDATE SET evidence = EXCLUDED.evidence, suggested_level = EXCLUDED.suggested_level, indicator = EXCLUDED.indicator, detected_at = EXCLUDED.detected_at
     RETURNING ${CANDIDATE_COLUMNS}`,
    [
      c.map((x) => x.enterpriseId),
      c.map((x) => x.meterId),
      c.map((x) => x.kind),
      c.map((x) => x.indicator),
      c.map((x) => x.suggestedLevel),
      c.map((x) => JSON.stringify(x.evidence)),
      detectedAt,
    ],
  );
}

/**
 * The candidate a confirmed tip raises (origin TIP, kind TIP, no meter): `detectedAt` is the
 * conduct's date (confirmation takes it as the record's occurredAt and grades by the policy in
 * force then), as a meter finding's detection time is.
 */
export function insertTipCandidate(
  m: Queryable,
  c: { enterpriseId: string; tipId: string; indicator: string; suggestedLevel: DishonestyLevel; detectedAt: Date; evidence: unknown },
): Promise<CandidateRow | undefined> {
  return one<CandidateRow>(
    m,
    `INSERT INTO candidate_violation AS v (enterprise_id, meter_id, kind, indicator, suggested_level, evidence, detected_at, origin, tip_id)
     VALUES ($1, NULL, 'TIP', $2, $3, $4::jsonb, $5, 'TIP', $6) RETURNING ${CANDIDATE_COLUMNS}`,
    [c.enterpriseId, c.indicator, c.suggestedLevel, JSON.stringify(c.evidence), c.detectedAt, c.tipId],
  );
}

export function candidatesOf(m: Queryable, enterpriseIds: readonly string[]): Promise<CandidateRow[]> {
  return rows<CandidateRow>(
    m,
    `SELECT ${CANDIDATE_COLUMNS} FROM candidate_violation v WHERE v.enterprise_id = ANY($1::uuid[]) ORDER BY v.detected_at DESC, v.id DESC`,
    [enterpriseIds],
  );
}

/** The candidates of the given ids (any order; missing ids are left out). */
export function candidatesByIds(m: Queryable, ids: readonly string[]): Promise<CandidateRow[]> {
  return rows<CandidateRow>(m, `SELECT ${CANDIDATE_COLUMNS} FROM candidate_violation v WHERE v.id = ANY($1::uuid[])`, [ids]);
}

export function findCandidate(m: Queryable, id: string, lock = false): Promise<CandidateRow | undefined> {
  return one<CandidateRow>(m, `SELECT ${CANDIDATE_COLUMNS} FROM candidate_violation v WHERE v.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

export function resolveCandidate(
  m: Queryable,
  id: string,
  r: { status: 'CONFIRMED' | 'DISMISSED'; note: string; creditRecordId: string | null; by: string },
): Promise<CandidateRow | undefined> {
  return one<CandidateRow>(
    m,
    `UPDATE candidate_violation v SET status = $2, resolution_note = $3, credit_record_id = $4, resolved_by = $5, resolved_at = now()
      WHERE v.id = $1 RETURNING ${CANDIDATE_COLUMNS}`,
    [id, r.status, r.note, r.creditRecordId, r.by],
  );
}

export interface CandidateFilter {
  scope: string[] | null;
  onlyCreditCode?: string;
  status?: string;
  kind?: string;
  regionPrefix?: string;
}

function where(f: CandidateFilter): Conditions {
  const c = enterpriseConditions(f);
  if (f.status) c.add(`v.status = ?`, f.status);
  if (f.kind) c.add(`v.kind = ?`, f.kind);
  return c;
}

/** A page, newest first, plus one row to tell whether another follows; the cursor is (detectedAt, id) of the last row. */
export function pageCandidates(m: Queryable, f: CandidateFilter, first: number, after?: { at: Date; id: string }): Promise<CandidateRow[]> {
  const w = where(f);
  const params = [...w.params];
  const cursor = after ? ` AND (v.detected_at, v.id) < ($${params.push(after.at)}::timestamptz, $${params.push(after.id)}::uuid)` : '';
  return rows<CandidateRow>(
    m,
    `SELECT ${CANDIDATE_COLUMNS} FROM candidate_violation v JOIN enterprise e ON e.id = v.enterprise_id
      WHERE ${w.sql}${cursor} ORDER BY v.detected_at DESC, v.id DESC LIMIT $${params.push(first + 1)}`,
    params,
  );
}

export async function countCandidates(m: Queryable, f: CandidateFilter): Promise<number> {
  const w = where(f);
  const r = await one<{ n: number }>(
    m,
    `SELECT count(*)::int AS n FROM candidate_violation v JOIN enterprise e ON e.id = v.enterprise_id WHERE ${w.sql}`,
    w.params,
  );
  return r?.n ?? 0;
}
