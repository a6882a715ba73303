import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput, notFound } from '../../platform/errors';
import { DishonestyInput, HonorInput } from './credit-record.input';
import { assertAccess, requireEnterprise } from '../enterprise/enterprise.service';
import { lockEnterpriseById } from '../enterprise/enterprise.repository';
import { policyFor } from '../policy/credit-policy';
import { ratingService } from '../rating/rating.service';
import { levelScore } from './credit.rules';
import { CreditRecordRow, NewCreditRecord, findCreditRecord, insertCreditRecord, setCreditRecordStatus } from './credit-record.repository';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import { isUuid, notInFuture, requireFound } from '../../platform/checks';

/**
 * Stores a determined record for the locked enterprise `e` and re-grades it, inside the
 * caller's transaction (`ctx` is the transaction's): the one path of a typed record
 * (recordDishonesty, recordHonor) and a confirmed candidate.
 */
export async function determineIn(ctx: HubContext, e: EnterpriseRow, record: Omit<NewCreditRecord, 'enterpriseId' | 'determinedBy'>): Promise<CreditRecordRow> {
  const stored = requireFound(await insertCreditRecord(ctx.db, { ...record, enterpriseId: e.id, determinedBy: ctx.principal.subject }), 'credit record', e.id);
  await ratingService.reevaluateIn(ctx, e);
  return stored;
}

/** Determining credit records (Art. 9–11); each change re-grades the enterprise in the same transaction. */
export const creditRecordService = {
  async recordDishonesty(ctx: HubContext, input: DishonestyInput): Promise<CreditRecordRow> {
    notInFuture(input.occurredAt, 'occurredAt');
    // Indicators are checked against the policy in force when the conduct happened (or today's, for older conduct).
    const policy = policyFor(ctx.policies, input.occurredAt);
    const indicator = input.indicator.trim();
    if (!policy.indicators.some((i) => i.code === indicator))
      throw badInput(`Unknown indicator ${indicator}; policy ${policy.version} has ${policy.indicators.map((i) => i.code).join(', ')}.`, 'indicator');
    try {
      levelScore(policy, indicator, input.level);
    } catch (e) {
      throw badInput(
        `${(e as Error).message}: choose ${Object.keys(policy.indicators.find((i) => i.code === indicator)!.levels)
          .filter((l) => l !== 'TRUSTWORTHY')
          .join(', ')}`,
        'level',
      );
    }
    return withTransaction(ctx, async (ctx) => {
      const e = await requireEnterprise(ctx, input.creditCode, 'write', true);
      return determineIn(ctx, e, {
        kind: 'DISHONESTY',
        indicator,
        level: input.level,
        honorLevel: null,
        title: null,
        description: input.description?.trim() || null,
        occurredAt: input.occurredAt,
        basis: input.basis?.trim() || null,
        governmentAward: true,
      });
    });
  },

  async recordHonor(ctx: HubContext, input: HonorInput): Promise<CreditRecordRow> {
    notInFuture(input.awardedAt, 'awardedAt');
    const title = input.title.trim();
    if (!title) throw badInput('title must not be empty', 'title');
    return withTransaction(ctx, async (ctx) => {
      const e = await requireEnterprise(ctx, input.creditCode, 'write', true);
      return determineIn(ctx, e, {
        kind: 'HONOR',
        indicator: null,
        level: null,
        honorLevel: input.level,
        title,
        description: null,
        occurredAt: input.awardedAt,
        basis: null,
        governmentAward: input.governmentAward ?? true,
      });
    });
  },

  /** Marks a record REPAIRED (approved repair), REVOKED (upheld objection) or ACTIVE again, with a reason. */
  async setStatus(ctx: HubContext, id: string, status: CreditRecordRow['status'], reason: string): Promise<CreditRecordRow> {
    if (!reason.trim()) throw badInput('reason is required (Art. 29: every change states why)', 'reason');
    if (!isUuid(id)) throw notFound(`No credit record ${id}`);
    return withTransaction(ctx, async (ctx) => {
      const found = requireFound(await findCreditRecord(ctx.db, id), 'credit record', id);
      const e = requireFound(await lockEnterpriseById(ctx.db, found.enterpriseId), 'enterprise', found.enterpriseId);
      assertAccess(ctx, e, 'write');
      const record = requireFound(await findCreditRecord(ctx.db, id, true), 'credit record', id);
      if (record.status === status) throw badInput(`Credit record ${id} is already ${status}`, 'status');
      if (record.kind === 'HONOR' && status === 'REPAIRED') throw badInput('An honor cannot be REPAIRED; revoke it (REVOKED) or restore it (ACTIVE)', 'status');
      const updated = requireFound(await setCreditRecordStatus(ctx.db, id, status, reason.trim()), 'credit record', id);
      await ratingService.reevaluateIn(ctx, e);
      return updated;
    });
  },
};
