import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { ROLES } from '../../platform/auth/principal';
import { HubContext } from '../context';
import { Audited } from '../audit/audited';
import { Deadline } from '../calendar/calendar.type';
import { Enterprise } from '../enterprise/enterprise.type';
import { ReportOutcome, ReportStatus } from '../graphql-enums';
import type { FalseInfoReportRow } from './report.repository';
import { REPORTS_PAGE, ReportPage, reportService } from './report.service';
import {
  FalseInformationReport,
  FalseInformationReportConnection,
  FalseInformationReportInput,
  ReportReceipt,
  ReportStatusView,
  Reporter,
} from './report.type';

/** Reports of false credit information (举报, Art. 28): anyone reports → the supervising authority verifies within 7 working days. */
@Resolver(() => FalseInformationReport)
export class FalseInformationReportResolver {
  @Authorized([...ROLES])
  @Audited({ target: 'enterprise', id: 'input.creditCode', detail: [['reportId', 'result.id'], 'input.recordId', 'input.receivedAt'] })
  @Mutation(() => ReportReceipt, {
    description:
      '举报: anyone (no token needed) reports that credit information is false; at most 5 per 10 minutes per address (BAD_USER_INPUT, reason RATE_LIMITED).',
  })
  reportFalseInformation(@Ctx() ctx: HubContext, @Arg('input') input: FalseInformationReportInput) {
    return reportService.submit(ctx, input);
  }

  @Authorized([...ROLES])
  @Query(() => ReportStatusView, { description: 'The reporter follows a report by its receipt number: its status and due date only.' })
  reportStatus(@Ctx() ctx: HubContext, @Arg('receiptNo') receiptNo: string) {
    return reportService.status(ctx, receiptNo);
  }

  @Authorized(WRITERS)
  @Query(() => FalseInformationReportConnection, { description: 'Reports about enterprises of your jurisdiction, oldest first.' })
  reports(
    @Ctx() ctx: HubContext,
    @Arg('status', () => ReportStatus, { nullable: true }) status?: ReportStatus | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: REPORTS_PAGE, description: 'Page size, 0–500 (default 20).' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    return reportService.list(ctx, status, first, after);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'false_info_report', id: 'id', detail: ['outcome', 'at'] })
  @Mutation(() => FalseInformationReport, {
    description: 'Verifies a report (Art. 28): CONFIRMED revokes the record it names (if any) and re-grades the enterprise; UNFOUNDED. Once only.',
  })
  verifyReport(
    @Ctx() ctx: HubContext,
    @Arg('id', () => ID) id: string,
    @Arg('outcome', () => ReportOutcome) outcome: ReportOutcome,
    @Arg('note') note: string,
    @Arg('at', () => Date, { nullable: true, description: 'When it was verified (default now; never in the future, never before receipt).' }) at?: Date,
  ) {
    return reportService.verify(ctx, id, outcome, note, at);
  }

  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() r: FalseInfoReportRow) {
    return reportService.enterprise(ctx, r);
  }

  @FieldResolver(() => Deadline, { description: 'Verification due 7 working days after receipt (Chinese official calendar).' })
  due(@Root() r: FalseInfoReportRow) {
    return reportService.due(r);
  }

  @FieldResolver(() => Reporter, {
    nullable: true,
    description: "The reporter's identity: the supervising authority in scope only, each read audited; null otherwise.",
  })
  reporter(@Ctx() ctx: HubContext, @Root() r: FalseInfoReportRow) {
    return reportService.reporter(ctx, r);
  }
}

@Resolver(() => FalseInformationReportConnection)
export class FalseInformationReportConnectionResolver {
  @FieldResolver(() => Int, { description: 'Reports matching the status within your jurisdiction; counted only when selected.' })
  totalCount(@Ctx() ctx: HubContext, @Root() page: ReportPage) {
    return reportService.count(ctx, page);
  }
}
