import { registerEnumType } from 'type-graphql';
import { ROLES } from '../platform/auth/principal';
import { CREDIT_RECORD_KINDS, CREDIT_RECORD_STATUSES } from './credit/credit.rules';
import { ANOMALY_KINDS } from './detection/detection.rules';
import { FINE_STATES, NOTICE_STATES } from './credit/enforcement.rules';
import { PERMIT_REVOCATION_KINDS } from './permit/permit.rules';
import { DISHONESTY_LEVELS, GRADES, HONOR_CATEGORIES, HONOR_LEVELS } from './policy/credit-policy';
import { AUTHORITY_KINDS, AWARDING_BODY_KINDS, SOURCE_ACTS } from './credit/provenance.rules';
import { POLICY_ORIGINS } from './policy/policy-publish.rules';
import { LANGS } from '../platform/lang';
import { FILING_STATES, FILING_SUBJECTS, PUSH_SUBJECTS } from './filing/filing.rules';
import { PUSH_STATES } from './filing/platform-push.repository';
import { GRANT_SCOPES } from './enterprise/result-access';

/**
 * The contract's enums, registered once for every module. Each comes from one `as const`
 * list: the pure rules own theirs (grades and levels in the credit policy, record kinds and
 * statuses in the credit engine, anomaly kinds in detection, roles in auth); the others are
 * listed here. Each name is both the TS union (`CreditGrade` = 'A' | 'B' | 'C' | 'D') and the
 * `{ A: 'A', … }` object type-graphql registers, so a row's value is the GraphQL value as it
 * is: no twin enum, no cast.
 */
function enumOf<const T extends readonly string[]>(values: T): { readonly [K in T[number]]: K } {
  return Object.fromEntries(values.map((v) => [v, v])) as { readonly [K in T[number]]: K };
}

export const CANDIDATE_STATUSES = ['OPEN', 'CONFIRMED', 'DISMISSED'] as const;
export const SYNC_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const;
export const REPAIR_STATUSES = ['SUBMITTED', 'RETURNED', 'FORWARDED', 'CONFIRMED', 'APPROVED', 'REJECTED'] as const;
export const REPORT_STATUSES = ['RECEIVED', 'CONFIRMED', 'UNFOUNDED'] as const;
export const REPORT_OUTCOMES = ['CONFIRMED', 'UNFOUNDED'] as const;
export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'DEAD', 'CANCELLED'] as const;
export const ENFORCEMENT_CASE_STATUSES = ['OPEN', 'CLOSED'] as const;
export const OBJECTION_STATUSES = ['OPEN', 'DECIDED'] as const;
export const OBJECTION_OUTCOMES = ['FACTS_WRONG', 'DATA_INCOMPLETE', 'REJECTED'] as const;
export const OBJECTION_RECEIVERS = ['EVALUATING_BODY', 'CREDIT_AUTHORITY'] as const;
/** The kinds of open work (worklist/work-source.ts): each workflow with a deadline registers its source under one. */
export const WORK_KINDS = ['REPAIR', 'OBJECTION', 'REPORT', 'TIP', 'FILING', 'FINE', 'LETTER'] as const;
export const WORK_STATES = ['OVERDUE', 'DUE_TODAY', 'DUE_SOON', 'OPEN', 'NO_DEADLINE'] as const;
/** Art. 8's six kinds of source of a tip (线索), in its order: 行业协会商会、大数据企业、金融机构、新闻媒体、社会组织、公民个人. */
export const TIP_SOURCE_KINDS = [
  'INDUSTRY_ASSOCIATION',
  'BIG_DATA_ENTERPRISE',
  'FINANCIAL_INSTITUTION',
  'NEWS_MEDIA',
  'SOCIAL_ORGANISATION',
  'CITIZEN',
] as const;
export const TIP_STATUSES = ['RECEIVED', 'CONFIRMED', 'UNFOUNDED'] as const;
export const TIP_OUTCOMES = ['CONFIRMED', 'UNFOUNDED'] as const;
export const CANDIDATE_ORIGINS = ['DETECTION', 'TIP'] as const;
/** A candidate's kind: detection's anomaly kinds, and TIP for a confirmed tip (Art. 8). */
export const CANDIDATE_KINDS = [...ANOMALY_KINDS, 'TIP'] as const;

export const Lang = enumOf(LANGS);
export type Lang = (typeof LANGS)[number];
export const CreditGrade = enumOf(GRADES);
export type CreditGrade = (typeof GRADES)[number];
export const DishonestyLevel = enumOf(DISHONESTY_LEVELS);
export type DishonestyLevel = (typeof DISHONESTY_LEVELS)[number];
export const HonorLevel = enumOf(HONOR_LEVELS);
export type HonorLevel = (typeof HONOR_LEVELS)[number];
export const CreditRecordKind = enumOf(CREDIT_RECORD_KINDS);
export type CreditRecordKind = (typeof CREDIT_RECORD_KINDS)[number];
export const CreditRecordStatus = enumOf(CREDIT_RECORD_STATUSES);
export type CreditRecordStatus = (typeof CREDIT_RECORD_STATUSES)[number];
export const CandidateStatus = enumOf(CANDIDATE_STATUSES);
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];
export const AnomalyKind = enumOf(CANDIDATE_KINDS);
export type AnomalyKind = (typeof CANDIDATE_KINDS)[number];
export const TipSourceKind = enumOf(TIP_SOURCE_KINDS);
export type TipSourceKind = (typeof TIP_SOURCE_KINDS)[number];
export const TipStatus = enumOf(TIP_STATUSES);
export type TipStatus = (typeof TIP_STATUSES)[number];
export const TipOutcome = enumOf(TIP_OUTCOMES);
export type TipOutcome = (typeof TIP_OUTCOMES)[number];
export const CandidateOrigin = enumOf(CANDIDATE_ORIGINS);
export type CandidateOrigin = (typeof CANDIDATE_ORIGINS)[number];
export const SyncStatus = enumOf(SYNC_STATUSES);
export type SyncStatus = (typeof SYNC_STATUSES)[number];
export const RepairStatus = enumOf(REPAIR_STATUSES);
export type RepairStatus = (typeof REPAIR_STATUSES)[number];
export const ObjectionStatus = enumOf(OBJECTION_STATUSES);
export type ObjectionStatus = (typeof OBJECTION_STATUSES)[number];
export const ObjectionOutcome = enumOf(OBJECTION_OUTCOMES);
export type ObjectionOutcome = (typeof OBJECTION_OUTCOMES)[number];
export const ObjectionReceiver = enumOf(OBJECTION_RECEIVERS);
export type ObjectionReceiver = (typeof OBJECTION_RECEIVERS)[number];
export const WorkKind = enumOf(WORK_KINDS);
export type WorkKind = (typeof WORK_KINDS)[number];
export const WorkState = enumOf(WORK_STATES);
export type WorkState = (typeof WORK_STATES)[number];
export const ReportStatus = enumOf(REPORT_STATUSES);
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export const ReportOutcome = enumOf(REPORT_OUTCOMES);
export type ReportOutcome = (typeof REPORT_OUTCOMES)[number];
export const WebhookDeliveryStatus = enumOf(WEBHOOK_DELIVERY_STATUSES);
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
export const PermitRevocationKind = enumOf(PERMIT_REVOCATION_KINDS);
export type PermitRevocationKind = (typeof PERMIT_REVOCATION_KINDS)[number];
export const NoticeState = enumOf(NOTICE_STATES);
export type NoticeState = (typeof NOTICE_STATES)[number];
export const FineState = enumOf(FINE_STATES);
export type FineState = (typeof FINE_STATES)[number];
export const EnforcementCaseStatus = enumOf(ENFORCEMENT_CASE_STATUSES);
export type EnforcementCaseStatus = (typeof ENFORCEMENT_CASE_STATUSES)[number];
export const HonorCategory = enumOf(HONOR_CATEGORIES);
export type HonorCategory = (typeof HONOR_CATEGORIES)[number];
export const SourceAct = enumOf(SOURCE_ACTS);
export type SourceAct = (typeof SOURCE_ACTS)[number];
export const AuthorityKind = enumOf(AUTHORITY_KINDS);
export type AuthorityKind = (typeof AUTHORITY_KINDS)[number];
export const AwardingBodyKind = enumOf(AWARDING_BODY_KINDS);
export type AwardingBodyKind = (typeof AWARDING_BODY_KINDS)[number];
export const LETTER_DIRECTIONS = ['INCOMING', 'OUTGOING'] as const;
export const LetterDirection = enumOf(LETTER_DIRECTIONS);
export type LetterDirection = (typeof LETTER_DIRECTIONS)[number];
export const Role = enumOf(ROLES);
export type Role = (typeof ROLES)[number];

registerEnumType(CreditGrade, { name: 'CreditGrade' });
registerEnumType(DishonestyLevel, { name: 'DishonestyLevel' });
registerEnumType(HonorLevel, { name: 'HonorLevel' });
registerEnumType(CreditRecordKind, { name: 'CreditRecordKind' });
registerEnumType(CreditRecordStatus, {
  name: 'CreditRecordStatus',
  description: 'ACTIVE counts in evaluations; REPAIRED after approved credit repair; REVOKED after an upheld objection.',
});
registerEnumType(CandidateStatus, { name: 'CandidateStatus' });
registerEnumType(AnomalyKind, {
  name: 'AnomalyKind',
  valuesConfig: {
    NO_PLAN: { description: 'Withdrawal in a plan year with no water plan (未取得用水计划擅自取用水, indicator 1.2).' },
    TIP: { description: 'Not a meter finding: a tip (线索, Art. 8) the supervising authority verified as CONFIRMED (see CandidateViolation.tipId).' },
  },
});
registerEnumType(CandidateOrigin, {
  name: 'CandidateOrigin',
  description: 'Where a candidate violation comes from: DETECTION (meter data) or TIP (a verified tip, Art. 8). Both go through the same officer review.',
});
registerEnumType(TipSourceKind, {
  name: 'TipSourceKind',
  description: 'Art. 8: who gives the tip (线索来源).',
  valuesConfig: {
    INDUSTRY_ASSOCIATION: { description: '行业协会商会 (industry association or chamber of commerce)' },
    BIG_DATA_ENTERPRISE: { description: '大数据企业 (big-data enterprise)' },
    FINANCIAL_INSTITUTION: { description: '金融机构 (financial institution)' },
    NEWS_MEDIA: { description: '新闻媒体 (news media)' },
    SOCIAL_ORGANISATION: { description: '社会组织 (social organisation)' },
    CITIZEN: { description: '公民个人 (an individual citizen)' },
  },
});
registerEnumType(TipStatus, {
  name: 'TipStatus',
  description:
    'A tip (Art. 8): RECEIVED (verification due 7 working days later, the default the hub applies), CONFIRMED (a candidate violation was raised), UNFOUNDED.',
});
registerEnumType(TipOutcome, {
  name: 'TipOutcome',
  description: 'The verification of a tip: CONFIRMED raises a candidate violation for officer review; UNFOUNDED.',
});
registerEnumType(HonorCategory, {
  name: 'HonorCategory',
  description: 'Art. 10: 节水载体称号, “水效领跑者”称号, 其他经水行政主管部门认定的节水荣誉 (with its recognition decision).',
});
registerEnumType(SourceAct, { name: 'SourceAct', description: 'Art. 11: the act a dishonesty record follows from (行政处罚, 行政强制, 行政检查, 其他).' });
registerEnumType(AuthorityKind, { name: 'AuthorityKind', description: 'The level of the water authority (水行政主管部门) that determined a record.' });
registerEnumType(AwardingBodyKind, {
  name: 'AwardingBodyKind',
  description: 'Who awarded an honor; only GOVERNMENT_DEPARTMENT (政府有关部门) counts for A (Art. 14).',
});
registerEnumType(LetterDirection, { name: 'LetterDirection', description: "Art. 9 letters (函告): INCOMING to the caller's jurisdiction, OUTGOING from it." });
registerEnumType(SyncStatus, { name: 'SyncStatus' });
registerEnumType(RepairStatus, {
  name: 'RepairStatus',
  description: 'SUBMITTED (to be checked) → RETURNED for supplement (→ SUBMITTED again) or FORWARDED to the next level up → CONFIRMED → APPROVED or REJECTED.',
});
registerEnumType(ObjectionStatus, { name: 'ObjectionStatus', description: 'OPEN: 异议处理中 (the comparison is due); DECIDED: see outcome.' });
registerEnumType(ObjectionOutcome, {
  name: 'ObjectionOutcome',
  description: 'Art. 26 outcomes of the comparison (核查比对).',
  valuesConfig: {
    FACTS_WRONG: { description: 'The facts are wrong: the record is REVOKED and the enterprise re-graded (objections against a record only).' },
    DATA_INCOMPLETE: { description: 'Data stale or incomplete: the missing data having been entered, the enterprise is re-graded.' },
    REJECTED: { description: 'Rejected, with the reason; nothing else changes.' },
  },
});
registerEnumType(WorkKind, {
  name: 'WorkKind',
  description:
    'The workflow an inbox item belongs to: REPAIR (信用修复), OBJECTION (异议), REPORT (举报), TIP (线索), FILING (备案), FINE (罚款待缴), LETTER (函告待阅).',
});
registerEnumType(WorkState, {
  name: 'WorkState',
  description:
    'An inbox item against its deadline, as of today (China time): OVERDUE (past its last day), DUE_TODAY, DUE_SOON (within the window, in working days), OPEN, NO_DEADLINE (none running).',
});
registerEnumType(ObjectionReceiver, {
  name: 'ObjectionReceiver',
  description: 'Who received the objection: the evaluating body (the water authority) or the credit authority, which routes it to the evaluating body.',
});
registerEnumType(ReportStatus, {
  name: 'ReportStatus',
  description:
    'A report of false credit information (Art. 28): RECEIVED (verification due 7 working days later), CONFIRMED (the information was false), UNFOUNDED.',
});
registerEnumType(ReportOutcome, {
  name: 'ReportOutcome',
  description: 'The verification of a report (Art. 28): CONFIRMED revokes the record it names and re-grades; UNFOUNDED.',
});
registerEnumType(Role, { name: 'Role', description: 'Caller roles (DESIGN.md, Access).' });
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description:
    'PENDING: being tried (see nextAttemptAt); DELIVERED: a 2xx came back; DEAD: every retry failed (replayable); CANCELLED: the webhook was deactivated (410 Gone or by its owner).',
});
registerEnumType(PermitRevocationKind, {
  name: 'PermitRevocationKind',
  description: 'How a water-withdrawal permit ended before its term.',
  valuesConfig: {
    REVOCATION: { description: '吊销: revoked as an administrative penalty (direct D, annex row 6).' },
    CANCELLATION: { description: '注销: cancelled (at the enterprise’s request, on expiry): no direct D.' },
    WITHDRAWAL: { description: '撤回: withdrawn by the licensing authority: no direct D.' },
  },
});
registerEnumType(NoticeState, {
  name: 'NoticeState',
  description:
    'A rectification notice now: COMPLIED with by its deadline (按期整改), MISSED (未按期整改: not by the end of its last day), PENDING (deadline not reached).',
});
registerEnumType(FineState, {
  name: 'FineState',
  description: 'A fine now: PAID_ON_TIME, LATE (paid after its due date, or unpaid after it), PENDING (not yet due).',
});
registerEnumType(EnforcementCaseStatus, { name: 'EnforcementCaseStatus', description: 'OPEN (立案) until closed (结案).' });
export const PolicyOrigin = enumOf(POLICY_ORIGINS);
export type PolicyOrigin = (typeof POLICY_ORIGINS)[number];
registerEnumType(PolicyOrigin, {
  name: 'PolicyOrigin',
  description: 'SHIPPED: a file of the release (schema/policies/); PUBLISHED: by an administrator (publishCreditPolicy).',
});
export const GrantScope = enumOf(GRANT_SCOPES);
export type GrantScope = (typeof GRANT_SCOPES)[number];
registerEnumType(GrantScope, {
  name: 'GrantScope',
  description:
    'What a written authorisation (Art. 23) lets its grantee read: RESULT_ONLY (the evaluation result) or WITH_RECORDS (and its ACTIVE credit records).',
});
registerEnumType(Lang, { name: 'Lang', description: 'The language of texts: ZH (Chinese, the default) or EN.' });

export const FilingState = enumOf(FILING_STATES);
export type FilingState = (typeof FILING_STATES)[number];
export const FilingSubject = enumOf(FILING_SUBJECTS);
export type FilingSubject = (typeof FILING_SUBJECTS)[number];
export const PlatformPushSubject = enumOf(PUSH_SUBJECTS);
export type PlatformPushSubject = (typeof PUSH_SUBJECTS)[number];
export const PlatformPushState = enumOf(PUSH_STATES);
export type PlatformPushState = (typeof PUSH_STATES)[number];
registerEnumType(FilingState, {
  name: 'FilingState',
  description:
    'Filings upward (Art. 7): DUE (open, not yet past its 7-working-day deadline), OVERDUE (open, past it), ACKNOWLEDGED (in time), LATE (acknowledged after the deadline).',
});
registerEnumType(FilingSubject, { name: 'FilingSubject', description: 'What is filed: a credit record determination, or an approved credit repair decision.' });
registerEnumType(PlatformPushSubject, {
  name: 'PlatformPushSubject',
  description:
    'What a push to the city credit platform reports: a determination, an approved repair decision, or a later status change (revocation, restoration).',
});
registerEnumType(PlatformPushState, {
  name: 'PlatformPushState',
  description:
    'A push to the city credit platform: NOT_CONFIGURED (queued while no CREDIT_PLATFORM_URL is set; sent once one is), PENDING (being sent or waiting for a retry), DELIVERED (receipt stored), DEAD (retries used up).',
});
