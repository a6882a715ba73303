import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { authChecker } from './platform/auth/auth-checker';
import { CandidateConnectionResolver, CandidateResolver } from './modules/candidate/candidate.resolver';
import { CreditRecordResolver } from './modules/credit/credit-record.resolver';
import { CreditLetterConnectionResolver, CreditLetterResolver } from './modules/credit/credit-letter.resolver';
import { DetectionResolver } from './modules/detection/detection.resolver';
import { EnterpriseConnectionResolver, EnterpriseResolver } from './modules/enterprise/enterprise.resolver';
import { MeterReadingResolver, MeterResolver } from './modules/meter/meter.resolver';
import { IngestResolver } from './modules/ingest/ingest.resolver';
import { DataSourceResolver, SyncRunResolver } from './modules/datasource/datasource.resolver';
import { createPubSub } from '@graphql-yoga/subscription';
import { RatingChangeResolver } from './modules/rating-feed/rating-change.resolver';
import { WebhookDeliveryResolver, WebhookResolver } from './modules/webhook/webhook.resolver';
import { CreditRecordRepairsResolver, CreditRepairResolver, EnterpriseRepairNoticesResolver } from './modules/repair/repair.resolver';
import { CreditRecordFilingResolver, FilingResolver } from './modules/filing/filing.resolver';
import { CreditRecordObjectionResolver, EnterpriseObjectionsResolver, ObjectionResolver } from './modules/objection/objection.resolver';
import { EnterpriseGrantsResolver, ResultGrantResolver } from './modules/grant/grant.resolver';
import { FalseInformationReportConnectionResolver, FalseInformationReportResolver } from './modules/report/report.resolver';
import { CandidateTipResolver, TipConnectionResolver, TipResolver } from './modules/tip/tip.resolver';
import { PermitResolver } from './modules/permit/permit.resolver';
import { PlanResolver } from './modules/plan/plan.resolver';
import { PolicyResolver } from './modules/policy/policy.resolver';
import { PolicyPublishResolver } from './modules/policy/policy-publish.resolver';
import { GradeMeasuresResolver, PolicyNotesResolver, UnrepairableConditionResolver } from './modules/policy/policy-texts.resolver';
import { IndicatorScoreResolver, RatingResolver } from './modules/rating/rating.resolver';
import './modules/graphql-enums';
import { auditMutations } from './modules/audit/audited';
import { AuditLogResolver } from './modules/audit/audit.resolver';
import { CalendarResolver } from './modules/calendar/calendar.resolver';
import { WorklistResolver } from './modules/worklist/worklist.resolver';
import { TokenRevocationResolver } from './modules/token/token-revocation.resolver';
import { WorkItemEnterpriseResolver } from './modules/enterprise/enterprise-work.resolver';
// Work sources register themselves at module load (worklist/work-source.ts): imported here so every inbox and metric sees them.
import {
  CreditRecordEnforcementResolver,
  EnforcementCaseOutcomeResolver,
  EnforcementCaseResolver,
  EnforcementFineResolver,
  EnterpriseEnforcementResolver,
  RectificationNoticeResolver,
} from './modules/enforcement/enforcement.resolver';

export const RESOLVERS = [
  AuditLogResolver,
  EnterpriseResolver,
  EnterpriseConnectionResolver,
  PermitResolver,
  PlanResolver,
  MeterResolver,
  MeterReadingResolver,
  CreditRecordResolver,
  CreditLetterResolver,
  CreditLetterConnectionResolver,
  RatingResolver,
  IndicatorScoreResolver,
  CandidateResolver,
  CandidateConnectionResolver,
  DetectionResolver,
  PolicyResolver,
  PolicyPublishResolver,
  GradeMeasuresResolver,
  PolicyNotesResolver,
  UnrepairableConditionResolver,
  IngestResolver,
  DataSourceResolver,
  SyncRunResolver,
  RatingChangeResolver,
  WebhookResolver,
  WebhookDeliveryResolver,
  CreditRepairResolver,
  CreditRecordRepairsResolver,
  EnterpriseRepairNoticesResolver,
  FilingResolver,
  CreditRecordFilingResolver,
  ObjectionResolver,
  CreditRecordObjectionResolver,
  EnterpriseObjectionsResolver,
  ResultGrantResolver,
  EnterpriseGrantsResolver,
  FalseInformationReportResolver,
  FalseInformationReportConnectionResolver,
  TipResolver,
  TipConnectionResolver,
  CandidateTipResolver,
  CalendarResolver,
  EnforcementCaseResolver,
  RectificationNoticeResolver,
  EnforcementFineResolver,
  EnforcementCaseOutcomeResolver,
  EnterpriseEnforcementResolver,
  CreditRecordEnforcementResolver,
  WorklistResolver,
  WorkItemEnterpriseResolver,
  TokenRevocationResolver,
] as const;

let built: Promise<GraphQLSchema> | undefined;

/** The served schema, built once per process from the resolver classes; every mutation field audits itself (`@Audited`). */
export function hubSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
    // type-graphql insists on a PubSub once a subscription exists; ratingChanged brings its own
    // stream (the rating bus, filtered per subscriber), so nothing is published on this one.
    pubSub: createPubSub(),
  }).then(auditMutations);
  return built;
}

/** SDL of the served schema, sorted so the committed `schema/schema.graphql` diffs cleanly. */
export async function printHubSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await hubSchema())) + '\n';
}
