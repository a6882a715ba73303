import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { Enterprise } from '../enterprise/enterprise.type';
import { PlanInput } from './plan.input';
import { WaterPlan } from './plan.type';
import { parentEnterprise } from '../enterprise/enterprise-parent';
import type { PlanRow } from './plan.repository';
import { planService } from './plan.service';
import { Audited } from '../audit/audited';

@Resolver(() => WaterPlan)
export class PlanResolver {
  @Authorized(WRITERS)
  @Audited({ target: 'enterprise', id: 'input.creditCode', detail: ['input.year', 'input.plannedVolume'] })
  @Mutation(() => WaterPlan, { description: 'Sets the annual planned water use; setting the same year again replaces it.' })
  setWaterPlan(@Ctx() ctx: HubContext, @Arg('input', () => PlanInput) input: PlanInput) {
    return planService.set(ctx, input);
  }

  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() p: PlanRow) {
    return parentEnterprise(ctx, p);
  }
}
