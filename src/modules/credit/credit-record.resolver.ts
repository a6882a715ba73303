import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { CreditRecordStatus } from '../graphql-enums';
import { DishonestyInput, HonorInput } from './credit-record.input';
import { CreditRecord } from './credit-record.type';
import { Enterprise } from '../enterprise/enterprise.type';
import { parentEnterprise } from '../enterprise/enterprise-parent';
import type { CreditRecordRow } from './credit-record.repository';
import { creditRecordService } from './credit-record.service';
import { Audited } from '../audit/audited';

@Resolver(() => CreditRecord)
export class CreditRecordResolver {
  @Authorized(WRITERS)
  @Audited({
    target: 'enterprise',
    id: 'input.creditCode',
    detail: [['recordId', 'result.id'], 'input.indicator', 'input.level', 'input.occurredAt'],
  })
  @Mutation(() => CreditRecord, { description: 'Determines a dishonesty record (Art. 11) and re-grades the enterprise.' })
  recordDishonesty(@Ctx() ctx: HubContext, @Arg('input', () => DishonestyInput) input: DishonestyInput) {
    return creditRecordService.recordDishonesty(ctx, input);
  }

  @Authorized(WRITERS)
  @Audited({
    target: 'enterprise',
    id: 'input.creditCode',
    detail: [['recordId', 'result.id'], 'input.title', 'input.level', 'input.awardedAt', 'input.governmentAward'],
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
}
