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
import { PermitRevocationKind } from '../graphql-enums';

@Resolver(() => WaterPermit)
export class PermitResolver {
  @Authorized(WRITERS)
  @Audited({ target: 'water_permit', id: 'input.permitNo', detail: ['input.creditCode', 'input.validFrom', 'input.validTo', 'input.annualQuota'] })
  @Mutation(() => WaterPermit)
  registerPermit(@Ctx() ctx: HubContext, @Arg('input', () => PermitInput) input: PermitInput) {
    return permitService.register(ctx, input);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'water_permit', id: 'permitNo', detail: ['revokedAt', 'reason', 'kind'] })
  @Mutation(() => WaterPermit, {
    description:
      'Ends a permit before its term and re-grades the enterprise: 吊销 (REVOCATION, the default) is a direct D (annex row 6); 注销 and 撤回 are not.',
  })
  revokePermit(
    @Ctx() ctx: HubContext,
    @Arg('permitNo') permitNo: string,
    @Arg('revokedAt') revokedAt: Date,
    @Arg('reason') reason: string,
    @Arg('kind', () => PermitRevocationKind, { nullable: true, description: 'Default REVOCATION (吊销).' }) kind?: PermitRevocationKind | null,
  ) {
    return permitService.revoke(ctx, permitNo, revokedAt, reason, kind ?? 'REVOCATION');
  }

  @Authorized(WRITERS)
  @Audited({ target: 'water_permit', id: 'permitNo', detail: ['annulledAt', 'reason'] })
  @Mutation(() => WaterPermit, {
    description:
      'Annuls a revocation on administrative review or in court (行政复议/诉讼): void from the start, its D episode disappears; re-grades the enterprise.',
  })
  annulPermitRevocation(@Ctx() ctx: HubContext, @Arg('permitNo') permitNo: string, @Arg('annulledAt') annulledAt: Date, @Arg('reason') reason: string) {
    return permitService.annulRevocation(ctx, permitNo, annulledAt, reason);
  }

  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() p: PermitRow) {
    return parentEnterprise(ctx, p);
  }
}
