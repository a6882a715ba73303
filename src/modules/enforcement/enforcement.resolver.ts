import { Arg, Authorized, Ctx, FieldResolver, Float, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { Audited } from '../audit/audited';
import { EnforcementCaseStatus, FineState, Lang, NoticeState } from '../graphql-enums';
import { textIn } from '../../platform/lang';
import { Enterprise } from '../enterprise/enterprise.type';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import { CreditRecord } from '../credit/credit-record.type';
import { Deadline } from '../calendar/calendar.type';
import { EnforcementCase, EnforcementCaseOutcome, EnforcementFine, RectificationNotice } from './enforcement.type';
import { OpenEnforcementCaseInput } from './enforcement.input';
import type { EnforcementCaseRow, FineRow, NoticeRow } from './enforcement.repository';
import { enforcementService } from './enforcement.service';
import { CaseOutcomeView, enforcementViewService as view } from './enforcement-view.service';

/** Enforcement cases: the supervising authorities in scope change them (each change re-grades); internal readers read them. */
@Resolver(() => EnforcementCase)
export class EnforcementCaseResolver {
  @Authorized()
  @Query(() => EnforcementCase, { description: 'An enforcement case by id (internal data: NOT_FOUND for an unknown id).' })
  enforcementCase(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string) {
    return view.get(ctx, id);
  }

  @Authorized(WRITERS)
  @Audited({
    target: 'enterprise',
    id: 'input.creditCode',
    detail: [['caseId', 'result.id'], 'input.caseNo', 'input.indicator', 'input.openedAt', 'input.conductRegionCode'],
  })
  @Mutation(() => EnforcementCase, { description: '立案: opens an enforcement case on an indicator of the policy in force, and re-grades the enterprise.' })
  openEnforcementCase(@Ctx() ctx: HubContext, @Arg('input', () => OpenEnforcementCaseInput) input: OpenEnforcementCaseInput) {
    return enforcementService.open(ctx, input);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'enforcement_case', id: 'caseId', detail: [['noticeId', 'result.id'], 'noticeNo', 'issuedAt', 'deadline'] })
  @Mutation(() => RectificationNotice, { description: '责令整改通知书: deadline is its last day (YYYY-MM-DD, China time), not before the day of issue.' })
  issueRectificationNotice(
    @Ctx() ctx: HubContext,
    @Arg('caseId', () => ID) caseId: string,
    @Arg('noticeNo') noticeNo: string,
    @Arg('issuedAt') issuedAt: Date,
    @Arg('deadline', { description: 'YYYY-MM-DD, the last day (China time).' }) deadline: string,
  ) {
    return enforcementService.issueNotice(ctx, caseId, noticeNo, issuedAt, deadline);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'rectification_notice', id: 'noticeId', detail: ['compliedAt'] })
  @Mutation(() => RectificationNotice, { description: 'The enterprise complied with the notice (not before its issue, not in the future); re-grades.' })
  recordNoticeCompliance(@Ctx() ctx: HubContext, @Arg('noticeId', () => ID) noticeId: string, @Arg('compliedAt') compliedAt: Date) {
    return enforcementService.recordCompliance(ctx, noticeId, compliedAt);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'rectification_notice', id: 'noticeId', detail: ['at'] })
  @Mutation(() => RectificationNotice, {
    description: '未按期整改: records that the notice was not complied with by its deadline (only after it has passed); re-grades.',
  })
  recordNoticeNotComplied(@Ctx() ctx: HubContext, @Arg('noticeId', () => ID) noticeId: string, @Arg('at') at: Date) {
    return enforcementService.recordNotComplied(ctx, noticeId, at);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'enforcement_case', id: 'caseId', detail: [['fineId', 'result.id'], 'decisionNo', 'servedAt', 'amount', ['dueDate', 'result.dueDate']] })
  @Mutation(() => EnforcementFine, {
    description:
      '罚款: due 15 calendar days after service (行政处罚法 第六十七条), rolled to the next working day; provisional into a year whose calendar is not loaded.',
  })
  recordFine(
    @Ctx() ctx: HubContext,
    @Arg('caseId', () => ID) caseId: string,
    @Arg('decisionNo') decisionNo: string,
    @Arg('servedAt') servedAt: Date,
    @Arg('amount', () => Float, { nullable: true, description: 'Yuan.' }) amount?: number | null,
  ) {
    return enforcementService.recordFine(ctx, caseId, decisionNo, servedAt, amount);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'enforcement_fine', id: 'fineId', detail: ['paidAt'] })
  @Mutation(() => EnforcementFine, { description: 'The fine was paid (not before it was served, not in the future); re-grades.' })
  recordFinePayment(@Ctx() ctx: HubContext, @Arg('fineId', () => ID) fineId: string, @Arg('paidAt') paidAt: Date) {
    return enforcementService.recordFinePayment(ctx, fineId, paidAt);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'enforcement_case', id: 'caseId', detail: ['closedAt'] })
  @Mutation(() => EnforcementCase, { description: '结案: no further notice or fine; what the case established still counts.' })
  closeEnforcementCase(@Ctx() ctx: HubContext, @Arg('caseId', () => ID) caseId: string, @Arg('closedAt') closedAt: Date) {
    return enforcementService.close(ctx, caseId, closedAt);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'enforcement_case', id: 'caseId', detail: [['recordId', 'result.id'], ['level', 'result.level'], 'occurredAt'] })
  @Mutation(() => CreditRecord, {
    description:
      'Determines the dishonesty record the case establishes, with the level derived from it (一般/较重/严重); BAD_USER_INPUT while it establishes none. Re-grades.',
  })
  determineFromCase(
    @Ctx() ctx: HubContext,
    @Arg('caseId', () => ID) caseId: string,
    @Arg('basis', { description: 'The legal basis (required).' }) basis: string,
    @Arg('description', () => String, { nullable: true, description: "Default: the case's facts in Chinese." }) description?: string | null,
    @Arg('occurredAt', () => Date, { nullable: true, description: 'When the conduct happened; default when the case was opened.' }) occurredAt?: Date | null,
  ) {
    return enforcementService.determineFromCase(ctx, caseId, basis, description, occurredAt);
  }

  @FieldResolver(() => EnforcementCaseStatus)
  status(@Root() c: EnforcementCaseRow) {
    return c.closedAt ? 'CLOSED' : 'OPEN';
  }

  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() c: EnforcementCaseRow) {
    return view.enterprise(ctx, c);
  }

  @FieldResolver(() => [RectificationNotice], { description: 'In issuing order.' })
  notices(@Ctx() ctx: HubContext, @Root() c: EnforcementCaseRow) {
    return view.notices(ctx, c);
  }

  @FieldResolver(() => [EnforcementFine])
  fines(@Ctx() ctx: HubContext, @Root() c: EnforcementCaseRow) {
    return view.fines(ctx, c);
  }

  @FieldResolver(() => EnforcementCaseOutcome, { description: 'What the case establishes now, under the policy in force.' })
  outcome(@Ctx() ctx: HubContext, @Root() c: EnforcementCaseRow) {
    return view.outcome(ctx, c);
  }
}

@Resolver(() => RectificationNotice)
export class RectificationNoticeResolver {
  @FieldResolver(() => String, { description: 'The last day to comply, YYYY-MM-DD (China time; the whole day counts).' })
  deadline(@Root() n: NoticeRow) {
    return n.deadlineDate;
  }

  @FieldResolver(() => NoticeState, { description: 'Now.' })
  state(@Root() n: NoticeRow) {
    return view.noticeState(n);
  }
}

@Resolver(() => EnforcementFine)
export class EnforcementFineResolver {
  @FieldResolver(() => Deadline, { description: 'The payment period’s last day; provisional while it reaches into a year whose calendar is not loaded.' })
  due(@Root() f: FineRow) {
    return view.fineDue(f);
  }

  @FieldResolver(() => FineState, { description: 'Now.' })
  state(@Root() f: FineRow) {
    return view.fineState(f);
  }
}

@Resolver(() => EnforcementCaseOutcome)
export class EnforcementCaseOutcomeResolver {
  @FieldResolver(() => String, {
    description: "The facts in words: which notices were missed, whether the fine was paid; in `lang` (default: the request's Accept-Language, Chinese first).",
  })
  facts(@Ctx() ctx: HubContext, @Root() o: CaseOutcomeView, @Arg('lang', () => Lang, { nullable: true }) lang?: Lang | null) {
    return textIn(lang ?? ctx.lang, o.facts);
  }
}

@Resolver(() => Enterprise)
export class EnterpriseEnforcementResolver {
  @FieldResolver(() => [EnforcementCase], { description: 'Enforcement cases, oldest first (internal data).' })
  enforcementCases(@Ctx() ctx: HubContext, @Root() e: EnterpriseRow) {
    return view.ofEnterprise(ctx, e);
  }
}

@Resolver(() => CreditRecord)
export class CreditRecordEnforcementResolver {
  @FieldResolver(() => EnforcementCase, {
    nullable: true,
    description: 'The case the record was determined from; null without one, or for callers who may not read internal data.',
  })
  enforcementCase(@Ctx() ctx: HubContext, @Root() r: { id: string; enterpriseId: string }) {
    return view.ofRecord(ctx, r);
  }
}
