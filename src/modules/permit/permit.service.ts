import { HubContext, inTransaction } from '../../platform/context';
import { badInput, duplicate, isUniqueViolation, notFound } from '../../platform/errors';
import { PermitInput } from './permit.input';
import { assertAccess, requireEnterprise } from '../enterprise/enterprise.service';
import { lockEnterpriseById } from '../enterprise/enterprise.repository';
import { ratingService } from '../rating/rating.service';
import { PermitRow, findPermit, insertPermit, revokePermit } from './permit.repository';
import { notInFuture } from '../../platform/checks';

/** Water-withdrawal permits: registration and revocation (revocation grades D directly, annex item 6). */
export const permitService = {
  async register(ctx: HubContext, input: PermitInput): Promise<PermitRow> {
    const permitNo = input.permitNo.trim();
    if (!permitNo || permitNo.length > 64) throw badInput('permitNo must have 1 to 64 characters', 'permitNo');
    if (!(input.validTo > input.validFrom)) throw badInput('validTo must be after validFrom', 'validTo');
    if (!Number.isFinite(input.annualQuota) || input.annualQuota < 0) throw badInput('annualQuota must be a non-negative number of cubic metres', 'annualQuota');
    try {
      return await inTransaction(ctx, async (m) => {
        const e = await requireEnterprise(ctx, m, input.creditCode, 'write');
        return (await insertPermit(m, { permitNo, enterpriseId: e.id, validFrom: input.validFrom, validTo: input.validTo, annualQuota: input.annualQuota }))!;
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
    return inTransaction(ctx, async (m) => {
      const found = await findPermit(m, permitNo.trim());
      if (!found) throw notFound(`No water permit ${permitNo}`);
      const e = (await lockEnterpriseById(m, found.enterpriseId))!;
      assertAccess(ctx, e, 'write');
      const permit = (await findPermit(m, found.permitNo, true))!;
      if (permit.revokedAt) throw badInput(`Water permit ${permitNo} was already revoked on ${permit.revokedAt.toISOString()}`, 'permitNo');
      if (revokedAt < permit.validFrom) throw badInput('revokedAt is before the permit became valid', 'revokedAt');
      const revoked = (await revokePermit(m, permit.id, revokedAt, reason.trim()))!;
      await ratingService.reevaluateIn(ctx, m, e);
      return revoked;
    });
  },
};
