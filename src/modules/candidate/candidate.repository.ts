import { EntityManager } from 'typeorm';
import { rows } from '../../platform/sql';

export interface CandidateRow {
  id: string;
  enterpriseId: string;
  meterId: string | null;
  kind: string;
  indicator: string;
  suggestedLevel: string;
  status: string;
  detectedAt: Date;
  evidence: unknown;
  resolutionNote: string | null;
  creditRecordId: string | null;
}

export const CANDIDATE_COLUMNS = `v.id, v.enterprise_id AS "enterpriseId", v.meter_id AS "meterId", v.kind, v.indicator,
  v.suggested_level AS "suggestedLevel", v.status, v.detected_at AS "detectedAt", v.evidence,
  v.resolution_note AS "resolutionNote", v.credit_record_id AS "creditRecordId"`;

export function candidatesOf(m: EntityManager, enterpriseIds: readonly string[]): Promise<CandidateRow[]> {
  return rows<CandidateRow>(
    m,
    `SELECT ${CANDIDATE_COLUMNS} FROM candidate_violation v WHERE v.enterprise_id = ANY($1::uuid[]) ORDER BY v.detected_at DESC`,
    [enterpriseIds],
  );
}
