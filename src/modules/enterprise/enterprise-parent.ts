import { HubContext } from '../context';
import { EnterpriseRow } from './enterprise.repository';

/** The `enterprise` field of permits, plans, meters, records, ratings and candidates: one batched load. */
export async function parentEnterprise(ctx: HubContext, row: { enterpriseId: string }): Promise<EnterpriseRow> {
  return (await ctx.loaders.enterprise.load(row.enterpriseId))!;
}
