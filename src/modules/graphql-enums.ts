import { registerEnumType } from 'type-graphql';
import { ROLES } from '../platform/auth/principal';
import { CREDIT_RECORD_KINDS, CREDIT_RECORD_STATUSES } from './credit/credit.rules';
import { ANOMALY_KINDS } from './detection/detection.rules';
import { DISHONESTY_LEVELS, GRADES, HONOR_LEVELS } from './policy/credit-policy';
import { LANGS } from '../platform/lang';

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
export const REPAIR_STATUSES = ['SUBMITTED', 'CONFIRMED', 'APPROVED', 'REJECTED'] as const;
export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'DEAD', 'CANCELLED'] as const;

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
export const AnomalyKind = enumOf(ANOMALY_KINDS);
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];
export const SyncStatus = enumOf(SYNC_STATUSES);
export type SyncStatus = (typeof SYNC_STATUSES)[number];
export const RepairStatus = enumOf(REPAIR_STATUSES);
export type RepairStatus = (typeof REPAIR_STATUSES)[number];
export const WebhookDeliveryStatus = enumOf(WEBHOOK_DELIVERY_STATUSES);
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
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
  valuesConfig: { NO_PLAN: { description: 'Withdrawal in a plan year with no water plan (未取得用水计划擅自取用水, indicator 1.2).' } },
});
registerEnumType(SyncStatus, { name: 'SyncStatus' });
registerEnumType(RepairStatus, { name: 'RepairStatus' });
registerEnumType(Role, { name: 'Role', description: 'Caller roles (DESIGN.md, Access).' });
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description:
    'PENDING: being tried (see nextAttemptAt); DELIVERED: a 2xx came back; DEAD: every retry failed (replayable); CANCELLED: the webhook was deactivated (410 Gone or by its owner).',
});
registerEnumType(Lang, { name: 'Lang', description: 'The language of texts: ZH (Chinese, the default) or EN.' });
