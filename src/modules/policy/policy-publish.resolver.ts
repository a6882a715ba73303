import { JSONResolver as GraphQLJSON } from 'graphql-scalars';
import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { Audited } from '../audit/audited';
import { SYSTEM_ADMINS } from '../../platform/auth/roles';
import { HubContext } from '../context';
import { PolicyOrigin } from '../graphql-enums';
import { mapPolicy } from './policy.resolver';
import { CreditPolicyInfo } from './policy.type';
import { policyPublishService } from './policy-publish.service';

/**
 * Publishing a credit policy without a release (the system administrator, SYSTEM_ADMIN), and where every policy came
 * from (fields of CreditPolicy: origin and publishedAt for anyone, publishedBy for authorities).
 */
@Resolver(() => CreditPolicyInfo)
export class PolicyPublishResolver {
  @Authorized([...SYSTEM_ADMINS])
  @Audited({
    target: 'credit_policy',
    id: 'document.version',
    detail: [
      ['version', 'result.version'],
      ['effectiveFrom', 'result.effectiveFrom'],
      ['effectiveTo', 'result.effectiveTo'],
      ['publishedBy', 'result.publishedBy'],
    ],
  })
  @Mutation(() => CreditPolicyInfo, {
    description:
      '发布新版信用评价政策（无需发版）。Publishes a credit policy version: validated like a shipped file (schema/policies/*.json), refused when its version is used, ' +
      'its term overlaps another policy, or it starts before today (China date: a policy may not change the past). Stored for good (a correction is a new version) ' +
      'and used by every process from its first day.',
  })
  async publishCreditPolicy(@Ctx() ctx: HubContext, @Arg('document', () => GraphQLJSON) document: unknown) {
    return mapPolicy(await policyPublishService.publish(ctx, document));
  }

  @FieldResolver(() => PolicyOrigin, { description: 'SHIPPED with the release or PUBLISHED by an administrator.' })
  origin(@Ctx() ctx: HubContext, @Root() p: CreditPolicyInfo) {
    return policyPublishService.provenance(ctx, p.version).origin;
  }

  @FieldResolver(() => Date, { nullable: true, description: 'When it was published (null for a shipped policy).' })
  publishedAt(@Ctx() ctx: HubContext, @Root() p: CreditPolicyInfo) {
    return policyPublishService.provenance(ctx, p.version).publishedAt;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Who published it (the token subject; authorities only, null for others and for a shipped policy).',
  })
  publishedBy(@Ctx() ctx: HubContext, @Root() p: CreditPolicyInfo) {
    return policyPublishService.provenance(ctx, p.version).publishedBy;
  }

  @FieldResolver(() => GraphQLJSON, { description: 'The policy document, in the form publishCreditPolicy takes: a successor starts from it.' })
  document(@Ctx() ctx: HubContext, @Root() p: CreditPolicyInfo) {
    return policyPublishService.document(ctx, p.version);
  }
}
