import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { HubContext } from '../context';
import type { WorkItem } from '../worklist/work-source';
import { WorkItemType } from '../worklist/worklist.type';
import { Enterprise } from './enterprise.type';
import { parentEnterprise } from './enterprise-parent';

/**
 * `WorkItem.enterprise`: here, not in the worklist folder, so the worklist does not depend on
 * the enterprise graph (whose modules register work sources in the worklist: a folder cycle).
 */
@Resolver(() => WorkItemType)
export class WorkItemEnterpriseResolver {
  @FieldResolver(() => Enterprise, { nullable: true, description: 'The enterprise concerned, when there is one (one batched load per page).' })
  enterprise(@Ctx() ctx: HubContext, @Root() i: Pick<WorkItem, 'enterpriseId'>) {
    return i.enterpriseId ? parentEnterprise(ctx, { enterpriseId: i.enterpriseId }) : null;
  }
}
