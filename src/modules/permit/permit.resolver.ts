import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { Enterprise } from '../enterprise/enterprise.type';
import { PermitInput } from './permit.input';
import { WaterPermit } from './permit.type';
import { parentEnterprise } from '../enterprise/enterprise-parent';
import type { PermitRow } from './permit.repository';
import { permitService } from './permit.service';
import { Audited } from '../audit/audited';

@Resolver(() => WaterPermit)
export class PermitResolver {
  @Authorized(WRITERS)
  @Audited({ target: 'water_permit', id: 'input.permitNo', detail: ['input.creditCode', 'input.validFrom', 'input.validTo', 'input.annualQuota'] })
  @Mutation(() => WaterPermit)
  registerPermit(@Ctx() ctx: HubContext, @Arg('input', () => PermitInput) input: PermitInput) {
    return permitService.register(ctx, input);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'water_permit', id: 'permitNo', detail: ['revokedAt', 'reason'] })
  @Mutation(() => WaterPermit, { description: 'Revokes a permit and re-grades the enterprise (direct D, annex item 6).' })
  revokePermit(@Ctx() ctx: HubContext, @Arg('permitNo') permitNo: string, @Arg('revokedAt') revokedAt: Date, @Arg('reason') reason: string) {
    return permitService.revoke(ctx, permitNo, revokedAt, reason);
  }

  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() p: PermitRow) {
    return parentEnterprise(ctx, p);
  }
}
