import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { forbidden } from '../../platform/errors';
import { HubContext } from '../context';
import { Audited } from '../audit/audited';
import { Deadline } from '../calendar/calendar.type';
import { Authority, CreditRecord } from '../credit/credit-record.type';
import type { CreditRecordRow } from '../credit/credit-record.repository';
import { creditRecordService } from '../credit/credit-record.service';
import { FilingState } from '../graphql-enums';
import type { FilingRow } from './filing.repository';
import { FILINGS_PAGE, filingService } from './filing.service';
import { Filing, PlatformPush } from './filing.type';
import { platformPushService } from './platform-push.service';

/** Filing upward (备案, Art. 7): determined → acknowledged by the next level up within 7 working days. */
@Resolver(() => Filing)
export class FilingResolver {
  @Authorized([...WRITERS, 'CREDIT_AUTHORITY'])
  @Query(() => [Filing], { description: 'Filings of your jurisdiction (filed with it or determined by it), the earliest due first.' })
  filings(
    @Ctx() ctx: HubContext,
    @Arg('state', () => FilingState, { nullable: true, description: 'DUE, OVERDUE, ACKNOWLEDGED or LATE; all when absent.' }) state?: FilingState | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: FILINGS_PAGE, description: 'At most this many, 0–500 (default 50).' }) first?: number | null,
  ) {
    return filingService.list(ctx, state, first);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'credit_filing', id: 'id', detail: ['at', ['late', 'result.late']] })
  @Mutation(() => Filing, {
    description:
      'The next level up acknowledges a filing (Art. 7): a city authority covering it for a county determination, a provincial authority for a city’s. Once only; late when after the due date.',
  })
  acknowledgeFiling(
    @Ctx() ctx: HubContext,
    @Arg('id', () => ID) id: string,
    @Arg('at', () => Date, { nullable: true, description: 'When it was acknowledged (default now; never in the future, never before the determination).' })
    at?: Date,
  ) {
    return filingService.acknowledge(ctx, id, at);
  }

  @FieldResolver(() => Deadline, { description: 'Due 7 working days after the determination (Chinese official calendar).' })
  due(@Root() f: FilingRow) {
    return filingService.due(f);
  }

  @FieldResolver(() => Boolean, { description: 'Open and past its due date.' })
  overdue(@Root() f: FilingRow) {
    return filingService.overdue(f);
  }

  @FieldResolver(() => Authority, { description: 'The determining authority.' })
  determiningAuthority(@Root() f: FilingRow) {
    return filingService.authority(f.fromRegionCode);
  }

  @FieldResolver(() => Authority, { description: 'The next level up it is filed with.' })
  filedWith(@Root() f: FilingRow) {
    return filingService.authority(f.filedWithRegionCode);
  }
}

const internal = async (ctx: HubContext, r: CreditRecordRow) => {
  if (!(await creditRecordService.mayReadInternal(ctx, r))) throw forbidden('备案与推送情况属内部信息 / Filing and platform push are internal.');
};

/** `CreditRecord.filing` and `.platformPush`: kept here so the credit module does not depend on filing. */
@Resolver(() => CreditRecord)
export class CreditRecordFilingResolver {
  @FieldResolver(() => Filing, { nullable: true, description: 'Its filing with the next level up (null for a provincial determination); internal.' })
  async filing(@Ctx() ctx: HubContext, @Root() r: CreditRecordRow) {
    await internal(ctx, r);
    return filingService.ofRecord(ctx, r);
  }

  @FieldResolver(() => PlatformPush, { nullable: true, description: 'The push of its determination to the city credit platform; internal.' })
  async platformPush(@Ctx() ctx: HubContext, @Root() r: CreditRecordRow) {
    await internal(ctx, r);
    return platformPushService.ofRecord(ctx, r);
  }

  @FieldResolver(() => [PlatformPush], {
    description: 'Every push of it to the city credit platform, oldest first: its determination, an approved repair decision, later status changes; internal.',
  })
  async platformPushes(@Ctx() ctx: HubContext, @Root() r: CreditRecordRow) {
    await internal(ctx, r);
    return platformPushService.allOfRecord(ctx, r);
  }
}
