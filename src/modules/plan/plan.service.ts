import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput } from '../../platform/errors';
import { PlanInput } from './plan.input';
import { requireEnterprise } from '../enterprise/enterprise.service';
import { PlanRow, upsertPlan } from './plan.repository';

/** Annual water plans issued by the authority (one per enterprise and year; setting again replaces it). */
export const planService = {
  async set(ctx: HubContext, input: PlanInput): Promise<PlanRow> {
    if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100) throw badInput('year must be between 2000 and 2100', 'year');
    if (!Number.isFinite(input.plannedVolume) || input.plannedVolume < 0)
      throw badInput('plannedVolume must be a non-negative number of cubic metres', 'plannedVolume');
    return withTransaction(ctx, async (ctx) => {
      const e = await requireEnterprise(ctx, input.creditCode, 'write');
      return (await upsertPlan(ctx.db, e.id, input.year, input.plannedVolume))!;
    });
  },
};
