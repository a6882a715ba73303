import { hasRole } from '../../platform/auth/access.rules';
import { SYSTEM_ADMINS } from '../../platform/auth/roles';
import { EVALUATORS } from '../../platform/auth/auth-checker';
import { chinaDateString } from '../../platform/china-time';
import { withTransaction } from '../../platform/context';
import { HubError, notFound } from '../../platform/errors';
import { logger } from '../../platform/logger';
import type { HubContext } from '../context';
import { CreditPolicy, PolicyDocument } from './credit-policy';
import { KnownPolicy, PolicyProblem, publishProblems, readPolicyDocument, refusalMessage, termOf } from './policy-publish.rules';
import type { PolicyProvenance } from './policy-registry';
import { insertPolicyVersion, lockPolicyVersions, publishedPolicies } from './policy-version.repository';

/** BAD_USER_INPUT listing every problem: in the message (Chinese first) and in `extensions.problems`. */
function refusal(problems: PolicyProblem[]): HubError {
  return new HubError('BAD_USER_INPUT', refusalMessage(problems), { field: 'document', reason: problems[0].reason, problems });
}

/** Publishing credit policies without a release, and where each known policy came from. */
export const policyPublishService = {
  /**
   * Validates `raw` like a shipped file, checks it against every policy known (the shipped
   * files and the table, read under a lock so two publishes cannot both pass), stores it and
   * notifies every process. Refused (nothing stored): an invalid document, a version already
   * used, a term starting before today's China date, a term overlapping another. Returns the
   * policy; this process grades by the new set as soon as it returns (the audit entry takes the stored row).
   */
  async publish(ctx: HubContext, raw: unknown): Promise<CreditPolicy> {
    const read = readPolicyDocument(raw);
    if (!read.ok) throw refusal(read.problems);
    const { policy, document } = read;
    const today = chinaDateString(new Date());
    const row = await withTransaction(ctx, async (ctx) => {
      await lockPolicyVersions(ctx.db);
      const stored = await publishedPolicies(ctx.db);
      const known: KnownPolicy[] = [
        ...ctx.policyRegistry.shipped.map((p) => ({ policy: p, origin: 'SHIPPED' as const })),
        ...stored.map((r) => ({ policy: termOf(r.version, r.effectiveFrom, r.effectiveTo), origin: 'PUBLISHED' as const })),
      ];
      const problems = publishProblems(policy, known, today);
      if (problems.length) throw refusal(problems);
      return insertPolicyVersion(ctx.db, {
        version: policy.version,
        document,
        effectiveFrom: policy.effectiveFrom,
        effectiveTo: policy.effectiveTo,
        publishedBy: ctx.principal.subject,
      });
    });
    logger.info({ version: row.version, effectiveFrom: row.effectiveFrom, effectiveTo: row.effectiveTo }, 'credit policy published');
    await ctx.policyRegistry.refresh();
    return ctx.policyRegistry.current().find((p) => p.version === row.version) ?? policy;
  },

  /** A known policy: of the request's set, else (published during the request) of the registry's. */
  policy(ctx: HubContext, version: string): CreditPolicy {
    const p = ctx.policies.find((q) => q.version === version) ?? ctx.policyRegistry.current().find((q) => q.version === version);
    if (!p) throw notFound(`信用评价政策 ${version} 不存在。 No credit policy ${version}.`);
    return p;
  },

  /** Where a policy came from; who published it is internal: authorities only (null for others). */
  provenance(ctx: HubContext, version: string): PolicyProvenance {
    const p = ctx.policyRegistry.provenance(version) ?? { origin: 'SHIPPED', publishedBy: null, publishedAt: null };
    return hasRole(ctx.principal, [...EVALUATORS, ...SYSTEM_ADMINS]) ? p : { ...p, publishedBy: null };
  },

  /** The document of a known policy, in the form `publishCreditPolicy` takes (a successor starts from it). */
  document(ctx: HubContext, version: string): PolicyDocument {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the instants are derived from the document, not part of it
    const { inForceFrom, inForceUntil, periodStart, periodEnd, honorWindowStart, ...document } = this.policy(ctx, version);
    return document;
  },
};
