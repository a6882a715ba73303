import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput, duplicate, isUniqueViolation } from '../../platform/errors';
import { MeterInput } from './meter.input';
import { assertAccess, requireEnterprise } from '../enterprise/enterprise.service';
import { MeterRow, findMeter, insertMeter } from './meter.repository';

/** Default reporting interval of an online meter: 15 minutes. */
export const DEFAULT_INTERVAL_SECONDS = 900;

/** Meters (three-level metering) and their readings. */
export const meterService = {
  async register(ctx: HubContext, input: MeterInput): Promise<MeterRow> {
    const meterCode = input.meterCode.trim();
    if (!meterCode || meterCode.length > 64) throw badInput('meterCode must have 1 to 64 characters', 'meterCode');
    if (![1, 2, 3].includes(input.level)) throw badInput('level must be 1 (intake), 2 (workshop) or 3 (device)', 'level');
    const interval = input.reportingIntervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
    if (!Number.isInteger(interval) || interval < 1 || interval > 86_400)
      throw badInput('reportingIntervalSeconds must be between 1 and 86400', 'reportingIntervalSeconds');
    if (input.maxFlowRate != null && !(Number.isFinite(input.maxFlowRate) && input.maxFlowRate > 0))
      throw badInput('maxFlowRate must be a positive number of m³/h', 'maxFlowRate');
    try {
      return await withTransaction(ctx, async (ctx) => {
        const e = await requireEnterprise(ctx, input.creditCode, 'write');
        return (await insertMeter(ctx.db, {
          meterCode,
          enterpriseId: e.id,
          online: input.online,
          level: input.level,
          reportingIntervalSeconds: interval,
          maxFlowRate: input.maxFlowRate ?? null,
          calibrationExpiresAt: input.calibrationExpiresAt ?? null,
        }))!;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw duplicate(`Meter ${meterCode} is already registered.`);
      throw e;
    }
  },

  async get(ctx: HubContext, meterCode: string): Promise<MeterRow | null> {
    const meter = await findMeter(ctx.db, meterCode.trim());
    if (!meter) return null;
    const e = await ctx.loaders.enterprise.load(meter.enterpriseId);
    assertAccess(ctx, e!, 'internal');
    return meter;
  },
};
