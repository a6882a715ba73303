import { JSONResolver as GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import {
  AnomalyKind,
  CandidateStatus,
  CreditGrade,
  CreditRecordKind,
  CreditRecordStatus,
  DishonestyLevel,
  HonorLevel,
  RepairStatus,
  SyncStatus,
  WebhookDeliveryStatus,
} from './graphql-enums';

/**
 * The contract's object and input types (../shared/contract/contract.graphql), in one
 * place so the served schema can be read against the contract side by side. Field
 * resolvers live in each module's resolver; these classes only declare shape.
 * `simpleResolvers`: plain fields use graphql-js's default resolver (no per-field
 * middleware or auth runs on them; access is checked in services and field resolvers).
 */

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field() hasNextPage: boolean;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

@ObjectType({ simpleResolvers: true })
export class Enterprise {
  @Field(() => ID) id: string;
  @Field({ description: '18-character unified social credit code; check character validated (GB 32100-2015).' }) creditCode: string;
  @Field() name: string;
  @Field({ description: '6-digit administrative division code of the county (or city) that supervises it.' }) regionCode: string;
  @Field(() => String, { nullable: true }) industry: string | null;
  @Field({ description: 'True when an ADMIN registered this code despite a failing check character (early pilot codes).' })
  checkOverride: boolean;
}

@ObjectType({ simpleResolvers: true })
export class EnterpriseEdge {
  @Field() cursor: string;
  @Field(() => Enterprise) node: Enterprise;
}

@ObjectType({ simpleResolvers: true })
export class EnterpriseConnection {
  @Field(() => [EnterpriseEdge]) edges: EnterpriseEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}

@ObjectType({ simpleResolvers: true })
export class WaterPermit {
  @Field(() => ID) id: string;
  @Field() permitNo: string;
  @Field() validFrom: Date;
  @Field() validTo: Date;
  @Field(() => Float, { description: 'Permitted withdrawal per year, cubic metres.' }) annualQuota: number;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'Why the permit was revoked.' }) revocationReason: string | null;
}

@ObjectType({ description: 'Annual planned water use issued by the authority, cubic metres.', simpleResolvers: true })
export class WaterPlan {
  @Field(() => ID) id: string;
  @Field(() => Int) year: number;
  @Field(() => Float) plannedVolume: number;
}

@ObjectType({ simpleResolvers: true })
export class Meter {
  @Field(() => ID) id: string;
  @Field() meterCode: string;
  @Field({ description: "True for an online meter that must be networked with the authority's monitoring system." }) online: boolean;
  @Field(() => Int, { description: 'Three-level metering: 1 = intake/enterprise, 2 = workshop, 3 = device.' }) level: number;
  @Field(() => Int, { description: 'Expected seconds between readings of an online meter.' }) reportingIntervalSeconds: number;
  @Field(() => Float, { nullable: true, description: 'Largest plausible flow, cubic metres per hour.' }) maxFlowRate: number | null;
  @Field(() => Date, { nullable: true }) calibrationExpiresAt: Date | null;
  @Field(() => Date, { nullable: true }) lastReadingAt: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class MeterReading {
  @Field() readAt: Date;
  @Field(() => Float, { description: 'Totaliser value, cubic metres.' }) cumulativeVolume: number;
  @Field(() => Float, { nullable: true, description: 'Instantaneous flow, cubic metres per hour.' }) flowRate: number | null;
}

@ObjectType({ simpleResolvers: true })
export class RejectedReading {
  @Field(() => Int) index: number;
  @Field() reason: string;
}

@ObjectType({ simpleResolvers: true })
export class IngestResult {
  @Field(() => Int) accepted: number;
  @Field(() => Int) duplicates: number;
  @Field(() => [RejectedReading]) rejected: RejectedReading[];
}

@ObjectType({ simpleResolvers: true })
export class DataSource {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field({ description: 'Connector type, e.g. http-json, sensorthings, csv.' }) connector: string;
  @Field(() => GraphQLJSON, { description: 'Connector settings; secrets are never returned.' }) config: unknown;
  @Field(() => Int, { nullable: true, description: 'Milliseconds between scheduled pulls; null = manual only.' }) everyMs: number | null;
  @Field() enabled: boolean;
  @Field(() => SyncRun, { nullable: true }) lastRun: SyncRun | null;
}

@ObjectType({ simpleResolvers: true })
export class SyncRun {
  @Field(() => ID) id: string;
  @Field(() => SyncStatus) status: SyncStatus;
  @Field(() => Date, { nullable: true }) startedAt: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt: Date | null;
  @Field(() => Int) readingsIngested: number;
  @Field(() => Int) readingsRejected: number;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => DataSource) source: DataSource;
}

@ObjectType({ simpleResolvers: true })
export class CandidateViolation {
  @Field(() => ID) id: string;
  @Field(() => AnomalyKind) kind: AnomalyKind;
  @Field({ description: 'Indicator code of the credit policy, e.g. 2.3.' }) indicator: string;
  @Field(() => DishonestyLevel) suggestedLevel: DishonestyLevel;
  @Field(() => CandidateStatus) status: CandidateStatus;
  @Field() detectedAt: Date;
  @Field(() => GraphQLJSON, { description: 'The readings, windows and thresholds that triggered it.' }) evidence: unknown;
  @Field(() => String, { nullable: true }) resolutionNote: string | null;
}

@ObjectType({ simpleResolvers: true })
export class CandidateViolationEdge {
  @Field() cursor: string;
  @Field(() => CandidateViolation) node: CandidateViolation;
}

@ObjectType({ simpleResolvers: true })
export class CandidateViolationConnection {
  @Field(() => [CandidateViolationEdge]) edges: CandidateViolationEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}

@ObjectType({ simpleResolvers: true })
export class CreditRecord {
  @Field(() => ID) id: string;
  @Field(() => CreditRecordKind) kind: CreditRecordKind;
  @Field(() => String, { nullable: true, description: 'Indicator code for a dishonesty record; null for an honor.' }) indicator: string | null;
  @Field(() => DishonestyLevel, { nullable: true }) level: DishonestyLevel | null;
  @Field(() => HonorLevel, { nullable: true }) honorLevel: HonorLevel | null;
  @Field(() => String, { nullable: true }) title: string | null;
  @Field(() => String, { nullable: true }) description: string | null;
  @Field({ description: 'When the conduct happened (dishonesty) or the honor was awarded.' }) occurredAt: Date;
  @Field(() => String, { nullable: true, description: 'Legal basis / benchmark applied by the determining authority.' }) basis: string | null;
  @Field(() => CreditRecordStatus) status: CreditRecordStatus;
  @Field(() => String, { nullable: true, description: 'Why the status last changed (repair decision, upheld objection).' }) statusReason: string | null;
  @Field(() => Int, { description: 'Consecutive rectification notices not complied with (annex item 6, direct grading).' }) unheededNotices: number;
  @Field({ description: 'Honors: awarded by a government department (Art. 14 requires one for A).' }) governmentAward: boolean;
  @Field({ description: 'The officer or system that determined the record (Art. 7, 29).' }) determinedBy: string;
  @Field() createdAt: Date;
}

@ObjectType({ simpleResolvers: true })
export class IndicatorScore {
  @Field() code: string;
  @Field() name: string;
  @Field(() => Int) maxScore: number;
  @Field(() => Int) score: number;
}

@ObjectType({ simpleResolvers: true })
export class CreditRating {
  @Field(() => ID) id: string;
  @Field(() => CreditGrade) grade: CreditGrade;
  @Field(() => Int) score: number;
  @Field() policyVersion: string;
  @Field() evaluatedAt: Date;
  @Field({ description: 'The date the evaluation was made for.' }) asOf: Date;
}

@ObjectType({ simpleResolvers: true })
export class RatingChange {
  @Field(() => Enterprise) enterprise: Enterprise;
  @Field(() => CreditRating) rating: CreditRating;
  @Field(() => CreditGrade, { nullable: true }) previousGrade: CreditGrade | null;
  @Field(() => CreditGrade) grade: CreditGrade;
  @Field() changedAt: Date;
  @Field(() => ID, { description: 'Unique per change, the same however often it is delivered: deduplicate by it.' }) eventId: string;
  @Field(() => Int, { description: "The enterprise's change number (1, 2, 3…): a gap means a missed change, order by it." }) sequence: number;
}

@ObjectType({ simpleResolvers: true })
export class CreditRepair {
  @Field(() => ID) id: string;
  @Field(() => CreditRecord) record: CreditRecord;
  @Field(() => RepairStatus) status: RepairStatus;
  @Field() statement: string;
  @Field() submittedAt: Date;
  @Field(() => Date, { nullable: true, description: 'Decision deadline: 3 working days after confirmation (Chinese official calendar).' })
  decisionDueAt: Date | null;
  @Field(() => Date, { nullable: true }) decidedAt: Date | null;
  @Field(() => String, { nullable: true }) note: string | null;
}

@ObjectType({ simpleResolvers: true })
export class Webhook {
  @Field(() => ID) id: string;
  @Field() url: string;
  @Field(() => [String]) events: string[];
  @Field() active: boolean;
  @Field(() => String, { nullable: true, description: 'The signing secret (whsec_…): returned only by registerWebhook and rotateWebhookSecret, never again.' })
  secret: string | null;
  @Field(() => String, { nullable: true, description: 'Only changes in this region (its jurisdiction prefix).' }) regionCode: string | null;
  @Field(() => String, { nullable: true, description: 'Only changes of this enterprise.' }) creditCode: string | null;
  @Field(() => String, { nullable: true, description: 'The partner agency that registered it.' }) agency: string | null;
  @Field() createdAt: Date;
  @Field(() => String, { nullable: true, description: 'Why it is inactive (410 Gone from the receiver, or its owner).' }) deactivatedReason: string | null;
  @Field(() => Date, { nullable: true, description: 'Until then the secret before the last rotation still signs too.' }) previousSecretValidUntil: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class WebhookAttempt {
  @Field(() => Int) attempt: number;
  @Field() attemptedAt: Date;
  @Field(() => Int, { nullable: true, description: 'HTTP status; null when no answer came.' }) statusCode: number | null;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => Int) durationMs: number;
}

@ObjectType({ simpleResolvers: true })
export class WebhookDelivery {
  @Field(() => ID) id: string;
  @Field({ description: 'The webhook-id header: the same on every retry and replay.' }) messageId: string;
  @Field({ description: 'Pass as `after` for the next page of the log.' }) cursor: string;
  @Field(() => ID) eventId: string;
  @Field() eventType: string;
  @Field(() => Int, { description: "The enterprise's change number." }) sequence: number;
  @Field() creditCode: string;
  @Field(() => WebhookDeliveryStatus) status: WebhookDeliveryStatus;
  @Field(() => Int, { description: 'Attempts in the current round (a replay starts a new round).' }) attempts: number;
  @Field(() => Date, { nullable: true }) nextAttemptAt: Date | null;
  @Field(() => Int, { nullable: true }) lastStatusCode: number | null;
  @Field(() => String, { nullable: true }) lastError: string | null;
  @Field(() => Date, { nullable: true }) deliveredAt: Date | null;
  @Field() createdAt: Date;
}

@InputType()
export class EnterpriseInput {
  @Field() creditCode: string;
  @Field() name: string;
  @Field() regionCode: string;
  @Field(() => String, { nullable: true }) industry?: string | null;
  @Field(() => String, { nullable: true }) legalRepresentative?: string | null;
  @Field(() => String, { nullable: true }) contactPhone?: string | null;
  @Field(() => String, { nullable: true, description: "Legal representative's ID number (personal data)." }) legalRepresentativeIdNumber?: string | null;
}

@InputType()
export class PermitInput {
  @Field() creditCode: string;
  @Field() permitNo: string;
  @Field() validFrom: Date;
  @Field() validTo: Date;
  @Field(() => Float) annualQuota: number;
}

@InputType()
export class PlanInput {
  @Field() creditCode: string;
  @Field(() => Int) year: number;
  @Field(() => Float) plannedVolume: number;
}

@InputType()
export class MeterInput {
  @Field() creditCode: string;
  @Field() meterCode: string;
  @Field() online: boolean;
  @Field(() => Int) level: number;
  @Field(() => Int, { nullable: true }) reportingIntervalSeconds?: number | null;
  @Field(() => Float, { nullable: true }) maxFlowRate?: number | null;
  @Field(() => Date, { nullable: true }) calibrationExpiresAt?: Date | null;
}

@InputType()
export class ReadingInput {
  @Field() meterCode: string;
  @Field() readAt: Date;
  @Field(() => Float) cumulativeVolume: number;
  @Field(() => Float, { nullable: true }) flowRate?: number | null;
}

@InputType()
export class DishonestyInput {
  @Field() creditCode: string;
  @Field() indicator: string;
  @Field(() => DishonestyLevel) level: DishonestyLevel;
  @Field() occurredAt: Date;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true }) basis?: string | null;
  @Field(() => Int, { nullable: true, description: 'Consecutive rectification notices not complied with (annex item 6): 2 → direct C, 3 in areas 1, 2, 5 → direct D.' })
  unheededNotices?: number | null;
}

@InputType()
export class HonorInput {
  @Field() creditCode: string;
  @Field() title: string;
  @Field(() => HonorLevel) level: HonorLevel;
  @Field() awardedAt: Date;
  @Field(() => Boolean, { nullable: true, description: 'Awarded by a government department (default true); only those count for A (Art. 14).' })
  governmentAward?: boolean | null;
}

@InputType()
export class DataSourceInput {
  @Field() name: string;
  @Field() connector: string;
  @Field(() => GraphQLJSON) config: unknown;
  @Field(() => Int, { nullable: true }) everyMs?: number | null;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
}

@InputType()
export class WebhookInput {
  @Field() url: string;
  @Field(() => [String]) events: string[];
  @Field(() => String, { nullable: true, description: 'whsec_ + base64 of 24-64 bytes; generated when absent.' }) secret?: string | null;
  @Field(() => String, { nullable: true, description: 'Only changes in this region (inside your jurisdiction).' }) regionCode?: string | null;
  @Field(() => String, { nullable: true, description: 'Only changes of this enterprise.' }) creditCode?: string | null;
}
