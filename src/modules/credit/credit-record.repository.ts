import type { Queryable } from '../../platform/sql';
import { IdSet, inIdSet, one, rows } from '../../platform/sql';
import type { DishonestyLevel, HonorCategory, HonorLevel } from '../policy/credit-policy';
import type { CreditRecordKind, CreditRecordStatus } from './credit.rules';
import type { AuthorityKind, AwardingBodyKind, SourceAct } from './provenance.rules';

export interface CreditRecordRow {
  id: string;
  enterpriseId: string;
  kind: CreditRecordKind;
  indicator: string | null;
  level: DishonestyLevel | null;
  honorLevel: HonorLevel | null;
  title: string | null;
  description: string | null;
  occurredAt: Date;
  basis: string | null;
  /** The enforcement case it was determined from (determineFromCase), if any. */
  caseId: string | null;
  /** The penalty revocation (吊销) of a water permit the record carries (its direct D is lifted when the record is REPAIRED). */
  permitId: string | null;
  status: CreditRecordStatus;
  statusReason: string | null;
  determinedBy: string;
  createdAt: Date;
  /** Provenance (Art. 7, 9, 11): when and by which authority it was determined, from which act, for conduct where. */
  determinedAt: Date;
  determiningRegionCode: string;
  determiningAuthorityKind: AuthorityKind;
  sourceAct: SourceAct;
  sourceDocumentNo: string | null;
  conductRegionCode: string;
  /** What the public sees instead of the description; null on rows from before it existed (generated when read). */
  publicSummary: string | null;
  /** Honors (Art. 10, 14). */
  honorCategory: HonorCategory | null;
  awardingBody: string | null;
  awardingBodyKind: AwardingBodyKind | null;
  /** Derived from awardingBodyKind; null when unknown (never counts for A). */
  awardedByGovernment: boolean | null;
  awardDocumentNo: string | null;
  recognitionDocumentNo: string | null;
}

const COLUMNS = `c.id, c.enterprise_id AS "enterpriseId", c.kind, c.indicator, c.level, c.honor_level AS "honorLevel", c.title,
  c.description, c.occurred_at AS "occurredAt", c.basis, c.case_id AS "caseId", c.permit_id AS "permitId",
  c.status, c.status_reason AS "statusReason", c.determined_by AS "determinedBy", c.created_at AS "createdAt",
  c.determined_at AS "determinedAt", c.determining_region_code AS "determiningRegionCode",
  c.determining_authority_kind AS "determiningAuthorityKind", c.source_act AS "sourceAct", c.source_document_no AS "sourceDocumentNo",
  c.conduct_region_code AS "conductRegionCode", c.public_summary AS "publicSummary", c.honor_category AS "honorCategory",
  c.awarding_body AS "awardingBody", c.awarding_body_kind AS "awardingBodyKind", c.awarded_by_government AS "awardedByGovernment",
  c.award_document_no AS "awardDocumentNo", c.recognition_document_no AS "recognitionDocumentNo"`;

export type NewCreditRecord = Omit<CreditRecordRow, 'id' | 'status' | 'statusReason' | 'createdAt' | 'permitId'> & { permitId?: string | null };

export function insertCreditRecord(m: Queryable, r: NewCreditRecord): Promise<CreditRecordRow | undefined> {
  return one<CreditRecordRow>(
    m,
    `INSERT INTO credit_record AS c (enterprise_id, kind, indicator, level, honor_level, title, description, occurred_at, basis, case_id,
       determined_by, determined_at, determining_region_code, determining_authority_kind, source_act, source_document_no, conduct_region_code,
       public_summary, honor_category, awarding_body, awarding_body_kind, awarded_by_government, award_document_no, recognition_document_no, permit_id)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25) RETURNING ${COLUMNS}`,
    [
      r.enterpriseId,
      r.kind,
      r.indicator,
      r.level,
      r.honorLevel,
      r.title,
      r.description,
      r.occurredAt,
      r.basis,
      r.caseId,
      r.determinedBy,
      r.determinedAt,
      r.determiningRegionCode,
      r.determiningAuthorityKind,
      r.sourceAct,
      r.sourceDocumentNo,
      r.conductRegionCode,
      r.publicSummary,
      r.honorCategory,
      r.awardingBody,
      r.awardingBodyKind,
      r.awardedByGovernment,
      r.awardDocumentNo,
      r.recognitionDocumentNo,
      r.permitId ?? null,
    ],
  );
}

export function findCreditRecord(m: Queryable, id: string, lock = false): Promise<CreditRecordRow | undefined> {
  return one<CreditRecordRow>(m, `SELECT ${COLUMNS} FROM credit_record c WHERE c.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

export function setCreditRecordStatus(m: Queryable, id: string, status: string, reason: string): Promise<CreditRecordRow | undefined> {
  return one<CreditRecordRow>(m, `UPDATE credit_record c SET status = $2, status_reason = $3, updated_at = now() WHERE c.id = $1 RETURNING ${COLUMNS}`, [
    id,
    status,
    reason,
  ]);
}

export function recordsOf(m: Queryable, enterpriseIds: readonly string[]): Promise<CreditRecordRow[]> {
  return rows<CreditRecordRow>(m, `SELECT ${COLUMNS} FROM credit_record c WHERE c.enterprise_id = ANY($1::uuid[]) ORDER BY c.occurred_at, c.id`, [
    enterpriseIds,
  ]);
}

export function recordsByIds(m: Queryable, ids: readonly string[]): Promise<CreditRecordRow[]> {
  return rows<CreditRecordRow>(m, `SELECT ${COLUMNS} FROM credit_record c WHERE c.id = ANY($1::uuid[])`, [ids]);
}

/** The records of the enterprises with only the fields the credit engine reads (`EngineRecord`), in `recordsOf`'s order. */
export function engineRecordsOf(
  m: Queryable,
  enterprises: IdSet,
): Promise<
  Pick<
    CreditRecordRow,
    | 'id'
    | 'enterpriseId'
    | 'kind'
    | 'indicator'
    | 'level'
    | 'honorLevel'
    | 'awardedByGovernment'
    | 'honorCategory'
    | 'caseId'
    | 'permitId'
    | 'occurredAt'
    | 'status'
  >[]
> {
  const of = inIdSet('c.enterprise_id', enterprises);
  return rows(
    m,
    `SELECT c.id, c.enterprise_id AS "enterpriseId", c.kind, c.indicator, c.level, c.honor_level AS "honorLevel", c.awarded_by_government AS "awardedByGovernment",
            c.honor_category AS "honorCategory", c.case_id AS "caseId", c.permit_id AS "permitId", c.occurred_at AS "occurredAt", c.status
       FROM credit_record c WHERE ${of.sql} ORDER BY c.occurred_at, c.id`,
    of.params,
  );
}
