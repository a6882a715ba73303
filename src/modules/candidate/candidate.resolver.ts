import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { HubContext } from '../../platform/context';
import { CandidateViolation, CreditRecord, Enterprise, Meter } from '../graphql-types';
import { parentEnterprise } from '../enterprise/enterprise-parent';
import { CandidateRow } from './candidate.repository';

/** Candidate violations are raised by detection (metering pipeline); these fields read what is stored. */
@Resolver(() => CandidateViolation)
export class CandidateResolver {
  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() c: CandidateRow) {
    return parentEnterprise(ctx, c);
  }

  @FieldResolver(() => Meter, { nullable: true })
  meter(@Ctx() ctx: HubContext, @Root() c: CandidateRow) {
    return c.meterId ? ctx.loaders.meter.load(c.meterId) : null;
  }

  @FieldResolver(() => CreditRecord, { nullable: true })
  creditRecord(@Ctx() ctx: HubContext, @Root() c: CandidateRow) {
    return c.creditRecordId ? ctx.loaders.record.load(c.creditRecordId) : null;
  }
}
