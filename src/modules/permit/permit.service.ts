import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput, duplicate, isUniqueViolation, notFound } from '../../platform/errors';
import { PermitInput } from './permit.input';
import { notInFuture } from '../../platform/checks';
import { assertAccess, requireEnterprise } from '../enterprise/enterprise.service';
import { lockEnterpriseById } from '../enterprise/enterprise.repository';
import { ratingService } from '../rating/rating.service';
import { PermitRow, annulRevocation, findPermit, insertPermit, revokePermit } from './permit.repository';
import { PERMIT_REVOCATION_KIND_ZH, PermitRevocationKind } from './permit.rules';
import { chinaDateString } from '../../platform/china-time';

/** Water-withdrawal permits: registration, revocation (吊销 grades D directly, annex row 6; 注销/撤回 do not) and annulment on review. */
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

  /** Ends a permit before its term — 吊销 (REVOCATION, the default), 注销 or 撤回 — with its reason, and re-grades the enterprise in the same transaction. */
  async revoke(ctx: HubContext, permitNo: string, revokedAt: Date, reason: string, kind: PermitRevocationKind = 'REVOCATION'): Promise<PermitRow> {
    if (!reason.trim()) throw badInput('reason is required', 'reason');
    notInFuture(revokedAt, 'revokedAt');
    return this.change(ctx, permitNo, async (ctx, permit) => {
      if (permit.revokedAt) throw badInput(`Water permit ${permitNo} was already revoked on ${permit.revokedAt.toISOString()}`, 'permitNo');
      if (revokedAt < permit.validFrom) throw badInput('revokedAt is before the permit became valid', 'revokedAt');
      return (await revokePermit(ctx.db, permit.id, revokedAt, reason.trim(), kind))!;
    });
  },

  /**
   * Annuls a revocation on administrative review or in court (行政复议/诉讼): void from the start,
   * so it is no direct D at any date and the D episode it decided disappears. Re-grades.
   */
  async annulRevocation(ctx: HubContext, permitNo: string, annulledAt: Date, reason: string): Promise<PermitRow> {
    if (!reason.trim()) throw badInput('须写明撤销依据（复议决定书或判决书）/ reason is required (the review decision or judgment)', 'reason');
    notInFuture(annulledAt, 'annulledAt');
    return this.change(ctx, permitNo, async (ctx, permit) => {
      if (!permit.revokedAt) throw badInput(`取水许可证${permit.permitNo}未被吊销、注销或撤回 / water permit ${permit.permitNo} was not revoked`, 'permitNo');
      if (permit.annulledAt)
        throw badInput(
          `取水许可证${permit.permitNo}的${PERMIT_REVOCATION_KIND_ZH[permit.revocationKind ?? 'REVOCATION']}已于${chinaDateString(permit.annulledAt)}被撤销 / already annulled`,
          'permitNo',
        );
      if (annulledAt < permit.revokedAt) throw badInput('annulledAt 早于吊销日期 / annulledAt is before the revocation', 'annulledAt');
      return (await annulRevocation(ctx.db, permit.id, annulledAt, reason.trim()))!;
    });
  },

  /** Locks the permit's enterprise then the permit, checks write access, applies `fn` and re-grades, in one transaction. */
  async change(ctx: HubContext, permitNo: string, fn: (ctx: HubContext, permit: PermitRow) => Promise<PermitRow>): Promise<PermitRow> {
    return withTransaction(ctx, async (ctx) => {
      const found = await findPermit(ctx.db, permitNo.trim());
      if (!found) throw notFound(`No water permit ${permitNo}`);
      const e = (await lockEnterpriseById(ctx.db, found.enterpriseId))!;
      assertAccess(ctx, e, 'write');
      const changed = await fn(ctx, (await findPermit(ctx.db, found.permitNo, true))!);
      await ratingService.reevaluateIn(ctx, e);
      return changed;
    });
  },
};
