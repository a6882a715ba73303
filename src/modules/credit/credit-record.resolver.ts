import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { CreditRecordStatus } from '../graphql-enums';
import { DishonestyInput, HonorInput } from './credit-record.input';
import { Authority, CreditRecord } from './credit-record.type';
import { CreditLetter } from './credit-letter.type';
import { Enterprise } from '../enterprise/enterprise.type';
import { parentEnterprise } from '../enterprise/enterprise-parent';
import type { CreditRecordRow } from './credit-record.repository';
import { creditRecordService } from './credit-record.service';
import { creditLetterService } from './credit-letter.service';
import { Audited } from '../audit/audited';

@Resolver(() => CreditRecord)
export class CreditRecordResolver {
  @Query(() => CreditRecord, {
    description:
      "One record: ACTIVE ones to whoever may see the enterprise; any to its authorities, the enterprise, and the conduct region's authority (Art. 9). NOT_FOUND / FORBIDDEN otherwise.",
  })
  creditRecord(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string) {
    return creditRecordService.get(ctx, id);
  }

  @Authorized(WRITERS)
  @Audited({
    target: 'enterprise',
    id: 'input.creditCode',
    detail: [
      ['recordId', 'result.id'],
      'input.indicator',
      'input.level',
      'input.occurredAt',
      ['determinedAt', 'result.determinedAt'],
      ['determiningRegionCode', 'result.determiningRegionCode'],
      ['conductRegionCode', 'result.conductRegionCode'],
      'input.sourceAct',
      'input.sourceDocumentNo',
      // Art. 9: whether a letter (函告) was stored with the record (credit_letter.record_id = recordId).
      ['letterSent', 'result.letterSent'],
    ],
  })
  @Mutation(() => CreditRecord, {
    description:
      'Determines a dishonesty record (Art. 11) and re-grades the enterprise. basis is required. For conduct outside the registration region (Art. 9) a letter (函告) goes to its authority.',
  })
  recordDishonesty(@Ctx() ctx: HubContext, @Arg('input', () => DishonestyInput) input: DishonestyInput) {
    return creditRecordService.recordDishonesty(ctx, input);
  }

  @Authorized(WRITERS)
  @Audited({
    target: 'enterprise',
    id: 'input.creditCode',
    detail: [['recordId', 'result.id'], 'input.title', 'input.level', 'input.awardedAt', 'input.category', 'input.awardingBodyKind', 'input.awardDocumentNo'],
  })
  @Mutation(() => CreditRecord, { description: 'Records an honor (Art. 10) and re-grades the enterprise.' })
  recordHonor(@Ctx() ctx: HubContext, @Arg('input', () => HonorInput) input: HonorInput) {
    return creditRecordService.recordHonor(ctx, input);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'credit_record', id: 'id', detail: ['status', 'reason'] })
  @Mutation(() => CreditRecord, { description: "Changes a record's status (REPAIRED, REVOKED, ACTIVE) with a reason and re-grades the enterprise." })
  setCreditRecordStatus(
    @Ctx() ctx: HubContext,
    @Arg('id', () => ID) id: string,
    @Arg('status', () => CreditRecordStatus) status: CreditRecordStatus,
    @Arg('reason') reason: string,
  ) {
    return creditRecordService.setStatus(ctx, id, status, reason);
  }

  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() r: CreditRecordRow) {
    return parentEnterprise(ctx, r);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Internal description: null for the public and others who may not read internal data (they see publicSummary).',
  })
  description(@Ctx() ctx: HubContext, @Root() r: CreditRecordRow) {
    return creditRecordService.description(ctx, r);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'The officer or system that determined the record (Art. 29): internal, null for the public (who see determiningAuthority).',
  })
  determinedBy(@Ctx() ctx: HubContext, @Root() r: CreditRecordRow) {
    return creditRecordService.determinedBy(ctx, r);
  }

  @FieldResolver(() => String, { description: 'What the public sees (Art. 7): no trade secret, no personal data, no officer.' })
  publicSummary(@Ctx() ctx: HubContext, @Root() r: CreditRecordRow) {
    return creditRecordService.publicSummary(ctx, r);
  }

  @FieldResolver(() => Authority, { description: 'The water authority that determined the record (an authority, never an officer).' })
  determiningAuthority(@Root() r: CreditRecordRow) {
    return creditRecordService.determiningAuthority(r);
  }

  @FieldResolver(() => [CreditLetter], { description: 'Art. 9 letters (函告) sent about this record; internal (FORBIDDEN to the public).' })
  letters(@Ctx() ctx: HubContext, @Root() r: CreditRecordRow) {
    return creditLetterService.ofRecord(ctx, r);
  }
}
