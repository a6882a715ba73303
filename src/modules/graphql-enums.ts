import { registerEnumType } from 'type-graphql';

/** The contract's enums, registered once for every module. */
export enum CreditGrade { A = 'A', B = 'B', C = 'C', D = 'D' }
export enum DishonestyLevel { GENERAL = 'GENERAL', SERIOUS = 'SERIOUS', SEVERE = 'SEVERE' }
export enum HonorLevel { COUNTY = 'COUNTY', MUNICIPAL = 'MUNICIPAL', PROVINCIAL = 'PROVINCIAL', NATIONAL = 'NATIONAL' }
export enum CreditRecordKind { DISHONESTY = 'DISHONESTY', HONOR = 'HONOR' }
export enum CreditRecordStatus { ACTIVE = 'ACTIVE', REPAIRED = 'REPAIRED', REVOKED = 'REVOKED' }
export enum CandidateStatus { OPEN = 'OPEN', CONFIRMED = 'CONFIRMED', DISMISSED = 'DISMISSED' }
export enum AnomalyKind {
  NON_NETWORKED = 'NON_NETWORKED',
  LOW_TRANSMISSION_RATE = 'LOW_TRANSMISSION_RATE',
  COUNTER_ROLLBACK = 'COUNTER_ROLLBACK',
  STUCK_READING = 'STUCK_READING',
  FLOW_SPIKE = 'FLOW_SPIKE',
  OVER_PLAN = 'OVER_PLAN',
  NO_VALID_PERMIT = 'NO_VALID_PERMIT',
  CALIBRATION_EXPIRED = 'CALIBRATION_EXPIRED',
}
export enum SyncStatus { QUEUED = 'QUEUED', RUNNING = 'RUNNING', SUCCEEDED = 'SUCCEEDED', FAILED = 'FAILED' }
export enum RepairStatus { SUBMITTED = 'SUBMITTED', CONFIRMED = 'CONFIRMED', APPROVED = 'APPROVED', REJECTED = 'REJECTED' }
export enum WebhookDeliveryStatus { PENDING = 'PENDING', DELIVERED = 'DELIVERED', DEAD = 'DEAD', CANCELLED = 'CANCELLED' }
export enum Role {
  ADMIN = 'ADMIN',
  CITY_AUTHORITY = 'CITY_AUTHORITY',
  COUNTY_AUTHORITY = 'COUNTY_AUTHORITY',
  CREDIT_AUTHORITY = 'CREDIT_AUTHORITY',
  PARTNER_AGENCY = 'PARTNER_AGENCY',
  ENTERPRISE = 'ENTERPRISE',
  PUBLIC = 'PUBLIC',
}

registerEnumType(CreditGrade, { name: 'CreditGrade' });
registerEnumType(DishonestyLevel, { name: 'DishonestyLevel' });
registerEnumType(HonorLevel, { name: 'HonorLevel' });
registerEnumType(CreditRecordKind, { name: 'CreditRecordKind' });
registerEnumType(CreditRecordStatus, {
  name: 'CreditRecordStatus',
  description: 'ACTIVE counts in evaluations; REPAIRED after approved credit repair; REVOKED after an upheld objection.',
});
registerEnumType(CandidateStatus, { name: 'CandidateStatus' });
registerEnumType(AnomalyKind, { name: 'AnomalyKind' });
registerEnumType(SyncStatus, { name: 'SyncStatus' });
registerEnumType(RepairStatus, { name: 'RepairStatus' });
registerEnumType(Role, { name: 'Role', description: 'Caller roles (DESIGN.md, Access).' });
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'PENDING: being tried (see nextAttemptAt); DELIVERED: a 2xx came back; DEAD: every retry failed (replayable); CANCELLED: the webhook was deactivated (410 Gone or by its owner).',
});
