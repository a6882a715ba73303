import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { HubContext } from '../context';
import { Audited } from '../audit/audited';
import { Enterprise } from '../enterprise/enterprise.type';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import { ResultGrant, ResultGrantInput, ResultReadConnection } from './grant.type';
import type { ResultGrantRow } from './grant.repository';
import { RESULT_READS_PAGE, grantService } from './grant.service';
import { SECURITY_ADMINS } from '../../platform/auth/roles';

/**
 * Written authorisations (书面授权, Art. 23): the enterprise grants and revokes; grantees read through
 * `enterprise(creditCode)`. The security administrator (安全管理员) oversees them: lists every grant and may revoke one.
 */
@Resolver(() => ResultGrant)
export class ResultGrantResolver {
  @Authorized(['ENTERPRISE'])
  @Audited({
    target: 'enterprise',
    id: 'input.creditCode',
    detail: [['grantId', 'result.id'], 'input.scope', ['validFrom', 'result.validFrom'], 'input.validUntil'],
  })
  @Mutation(() => ResultGrant, {
    description:
      '书面授权 (Art. 23): the enterprise (its own token) lets a named party (token subject and/or agency; never the public) read its evaluation result, RESULT_ONLY or WITH_RECORDS, for a stated purpose, for at most 366 days.',
  })
  grantResultAccess(@Ctx() ctx: HubContext, @Arg('input', () => ResultGrantInput) input: ResultGrantInput) {
    return grantService.grant(ctx, input);
  }

  @Authorized(['ENTERPRISE', ...SECURITY_ADMINS])
  @Audited({ target: 'result_grant', id: 'id', detail: ['at'] })
  @Mutation(() => ResultGrant, {
    description:
      'The enterprise (or the security administrator, SECURITY_ADMIN) revokes a grant: from `at` (default now; not in the future, not before the grant) no read relies on it.',
  })
  revokeResultAccess(
    @Ctx() ctx: HubContext,
    @Arg('id', () => ID) id: string,
    @Arg('at', () => Date, { nullable: true, description: 'When it was revoked (default now).' }) at?: Date | null,
  ) {
    return grantService.revoke(ctx, id, at);
  }

  @Authorized([...SECURITY_ADMINS])
  @Query(() => [ResultGrant], { description: 'Every written authorisation (Art. 23), newest first: the security administrator (SECURITY_ADMIN) only.' })
  resultGrants(
    @Ctx() ctx: HubContext,
    @Arg('activeOnly', { defaultValue: false, description: 'Only grants in force now (not expired, not revoked).' }) activeOnly: boolean,
    @Arg('first', () => Int, { nullable: true, defaultValue: RESULT_READS_PAGE, description: 'At most this many, 0–500 (default 50).' }) first?: number | null,
  ) {
    return grantService.list(ctx, activeOnly, first);
  }

  @FieldResolver(() => String, { description: 'The unified social credit code of the enterprise that gave the grant.' })
  async creditCode(@Ctx() ctx: HubContext, @Root() g: ResultGrantRow): Promise<string> {
    return (await ctx.loaders.enterprise.load(g.enterpriseId))!.creditCode;
  }
}

/** `Enterprise.resultGrants` and `Enterprise.resultReads`: kept here so the enterprise module does not depend on grants. */
@Resolver(() => Enterprise)
export class EnterpriseGrantsResolver {
  @FieldResolver(() => [ResultGrant], {
    description: 'Written authorisations to read the result (Art. 23), newest first: the enterprise and the authorities supervising it (read-only).',
  })
  resultGrants(@Ctx() ctx: HubContext, @Root() e: EnterpriseRow) {
    return grantService.ofEnterprise(ctx, e);
  }

  @FieldResolver(() => ResultReadConnection, {
    description: 'Who read the evaluation result (anyone but the enterprise), newest first, with the grant or purpose relied on (Art. 23).',
  })
  resultReads(
    @Ctx() ctx: HubContext,
    @Root() e: EnterpriseRow,
    @Arg('first', () => Int, { nullable: true, defaultValue: RESULT_READS_PAGE, description: 'Page size, 0–500 (default 50).' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    return grantService.reads(ctx, e, first, after);
  }
}
