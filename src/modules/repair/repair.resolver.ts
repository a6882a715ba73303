import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { Audited } from '../audit/audited';
import { CreditRecord } from '../credit/credit-record.type';
import type { CreditRecordRow } from '../credit/credit-record.repository';
import { Deadline } from '../calendar/calendar.type';
import { CreditRepair, RepairNotice } from './repair.type';
import { repairNoticeService } from './repair-notice';
import { Enterprise } from '../enterprise/enterprise.type';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import { textIn } from '../../platform/lang';
import type { CreditRepairRow } from './repair.repository';
import { repairService } from './repair.service';

const AT = 'When the step happened (default now; never in the future, never before the previous step).';

/** Credit repair (信用修复, Art. 22, 24, 25): submit → return/supplement → forward → confirm (the next level up) → decide within 3 working days. */
@Resolver(() => CreditRepair)
export class CreditRepairResolver {
  @Authorized([...WRITERS, 'ENTERPRISE'])
  @Audited({ target: 'credit_record', id: 'recordId', detail: [['repairId', 'result.id'], 'at', 'evidence', 'commitmentSigned'] })
  @Mutation(() => CreditRepair, {
    description:
      '信用修复申请: the enterprise itself or its supervising authority applies for an ACTIVE dishonesty record (one open application per record), with a statement, evidence references and the signed commitment (信用修复型承诺).',
  })
  submitCreditRepair(
    @Ctx() ctx: HubContext,
    @Arg('recordId', () => ID) recordId: string,
    @Arg('statement') statement: string,
    @Arg('at', () => Date, { nullable: true, description: `${AT} Not before the record's determination.` }) at?: Date,
    @Arg('evidence', () => [String], { nullable: true, description: 'References to the evidence (documents, receipts).' }) evidence?: string[],
    @Arg('commitmentSigned', () => Boolean, { nullable: true, description: '信用修复型承诺 signed; false is refused.' }) commitmentSigned?: boolean,
  ) {
    return repairService.submit(ctx, { recordId, statement, at, evidence, commitmentSigned });
  }

  @Authorized(WRITERS)
  @Audited({ target: 'credit_repair', id: 'id', detail: ['note', 'at'] })
  @Mutation(() => CreditRepair, {
    description: '退回补正: the competent authority (supervising authority in scope) returns a SUBMITTED file for supplement, saying what is missing (note).',
  })
  returnCreditRepair(
    @Ctx() ctx: HubContext,
    @Arg('id', () => ID) id: string,
    @Arg('note') note: string,
    @Arg('at', () => Date, { nullable: true, description: AT }) at?: Date,
  ) {
    return repairService.return(ctx, id, note, at);
  }

  @Authorized([...WRITERS, 'ENTERPRISE'])
  @Audited({ target: 'credit_repair', id: 'id', detail: ['at', 'evidence'] })
  @Mutation(() => CreditRepair, {
    description:
      '补正: the applicant supplements a RETURNED file (a new statement replaces the old; evidence is added); it is SUBMITTED again, to be checked anew.',
  })
  supplementCreditRepair(
    @Ctx() ctx: HubContext,
    @Arg('id', () => ID) id: string,
    @Arg('statement', () => String, { nullable: true }) statement?: string,
    @Arg('evidence', () => [String], { nullable: true, description: 'Further evidence references, added to those already filed.' }) evidence?: string[],
    @Arg('at', () => Date, { nullable: true, description: AT }) at?: Date,
  ) {
    return repairService.supplement(ctx, id, { statement, evidence, at });
  }

  @Authorized(WRITERS)
  @Audited({ target: 'credit_repair', id: 'id', detail: ['at'] })
  @Mutation(() => CreditRepair, {
    description: '报送上一级: the competent authority forwards a checked (SUBMITTED) file to the next level up, which confirms it (Art. 25).',
  })
  forwardCreditRepair(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string, @Arg('at', () => Date, { nullable: true, description: AT }) at?: Date) {
    return repairService.forward(ctx, id, at);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'credit_repair', id: 'id', detail: ['at', ['decisionDueDate', 'result.decisionDueDate']] })
  @Mutation(() => CreditRepair, {
    description:
      'The next level up (a city authority covering the enterprise) confirms a FORWARDED repair meets the conditions (Art. 25); the decision is due 3 working days later.',
  })
  confirmCreditRepair(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string, @Arg('at', () => Date, { nullable: true, description: AT }) at?: Date) {
    return repairService.confirm(ctx, id, at);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'credit_repair', id: 'id', detail: ['approve', 'note', 'at'] })
  @Mutation(() => CreditRepair, {
    description: 'Decides a confirmed repair: approval makes the record REPAIRED and re-grades the enterprise; a rejection needs a note.',
  })
  decideCreditRepair(
    @Ctx() ctx: HubContext,
    @Arg('id', () => ID) id: string,
    @Arg('approve') approve: boolean,
    @Arg('note', () => String, { nullable: true }) note?: string,
    @Arg('at', () => Date, { nullable: true, description: AT }) at?: Date,
  ) {
    return repairService.decide(ctx, id, approve, note, at);
  }

  @FieldResolver(() => CreditRecord)
  record(@Ctx() ctx: HubContext, @Root() r: CreditRepairRow) {
    return repairService.record(ctx, r);
  }

  @FieldResolver(() => Date, { nullable: true, description: 'Decision deadline: 3 working days after confirmation (Chinese official calendar).' })
  decisionDueAt(@Root() r: CreditRepairRow) {
    return repairService.decisionDueAt(r);
  }

  @FieldResolver(() => Deadline, { nullable: true, description: 'The same deadline as a calendar day, with its provisional flag; null until confirmed.' })
  decisionDue(@Root() r: CreditRepairRow) {
    return repairService.decisionDue(r);
  }
}

/** `CreditRecord.repairs`: kept here so the credit module does not depend on repair. */
@Resolver(() => CreditRecord)
export class CreditRecordRepairsResolver {
  @FieldResolver(() => [CreditRepair], { description: 'Credit repair applications for this record, oldest first; internal (FORBIDDEN to the public).' })
  repairs(@Ctx() ctx: HubContext, @Root() r: CreditRecordRow) {
    return repairService.ofRecord(ctx, r);
  }
}

/** `Enterprise.repairNotices` (Art. 22). */
@Resolver(() => Enterprise)
export class EnterpriseRepairNoticesResolver {
  @FieldResolver(() => [RepairNotice], {
    description:
      '信用修复告知书: stored each time the official grade became C or D, oldest first; the enterprise itself and its supervising authorities only (FORBIDDEN otherwise).',
  })
  async repairNotices(@Ctx() ctx: HubContext, @Root() e: EnterpriseRow): Promise<RepairNotice[]> {
    const t = (b: { zh: string; en: string }) => textIn(ctx.lang, b);
    return (await repairNoticeService.ofEnterprise(ctx, e)).map((n) => ({
      id: n.id,
      grade: n.grade,
      issuedAt: n.issuedAt,
      text: t(n.content.text),
      how: t(n.content.how),
      records: n.content.records.map((r) => ({ ...r, reason: r.reason ? t(r.reason) : null })),
    }));
  }
}
