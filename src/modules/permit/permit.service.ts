import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput, duplicate, isUniqueViolation, notFound } from '../../platform/errors';
import { PermitInput } from './permit.input';
import { notInFuture } from '../../platform/checks';
import { assertAccess, requireEnterprise } from '../enterprise/enterprise.service';
import { lockEnterpriseById } from '../enterprise/enterprise.repository';
import { ratingService } from '../rating/rating.service';
import { PermitRow, findPermit, insertPermit, revokePermit } from './permit.repository';

/** Water-withdrawal permits: registration and revocation (revocation grades D directly, annex item 6). */
export const permitService = {
  async register(ctx: HubContext, input: PermitInput): Promise<PermitRow> {
    const permitNo = input.permitNo.trim();
    if (!permitNo || permitNo.length > 64) throw badInput('permitNo must have 1 to 64 characters', 'permitNo');
    if (!(input.validTo > input.validFrom)) throw badInput('validTo must be after validFrom', 'validTo');
    if (!Number.isFinite(input.annualQuota) || input.annualQuota < 0)
      throw badInput('annualQuota must be a non-negative number of cubic metres', 'annualQuota');
    try {
      return await withTransaction(ctx, async (ctx) => {
        const e = await requireEnterprise(ctx, input.creditCode, 'write');
        return (await insertPermit(ctx.db, {
          permitNo,
          enterpriseId: e.id,
          validFrom: input.validFrom,
          validTo: input.validTo,
          annualQuota: input.annualQuota,
        }))!;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw duplicate(`Water permit ${permitNo} is already registered.`);
      throw e;
    }
  },

  /** Revokes a permit with its reason and re-grades the enterprise in the same transaction. */
  async revoke(ctx: HubContext, permitNo: string, revokedAt: Date, reason: string): Promise<PermitRow> {
    if (!reason.trim()) throw badInput('reason is required', 'reason');
    notInFuture(revokedAt, 'revokedAt');
    return withTransaction(ctx, async (ctx) => {
      const found = await findPermit(ctx.db, permitNo.trim());
      if (!found) throw notFound(`No water permit ${permitNo}`);
      const e = (await lockEnterpriseById(ctx.db, found.enterpriseId))!;
      assertAccess(ctx, e, 'write');
      const permit = (await findPermit(ctx.db, found.permitNo, true))!;
      if (permit.revokedAt) throw badInput(`Water permit ${permitNo} was already revoked on ${permit.revokedAt.toISOString()}`, 'permitNo');
      if (revokedAt < permit.validFrom) throw badInput('revokedAt is before the permit became valid', 'revokedAt');
      const revoked = (await revokePermit(ctx.db, permit.id, revokedAt, reason.trim()))!;
      await ratingService.reevaluateIn(ctx, e);
      return revoked;
    });
  },
};
