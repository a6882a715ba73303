import { GraphQLError } from 'graphql';
import { MiddlewareFn } from 'type-graphql';
import { HubContext } from '../../platform/context';
import { logger } from '../../platform/logger';
import { appendAudit } from './audit.repository';

/** Argument keys that identify a target or state a decision; anything else (names, phones) stays out of the log. */
const SAFE_KEYS = [
  'creditCode', 'permitNo', 'meterCode', 'id', 'recordId', 'sourceId', 'indicator', 'level', 'status', 'year',
  'asOf', 'revokedAt', 'occurredAt', 'awardedAt', 'reason', 'basis', 'unheededNotices', 'overrideCheckCharacter',
  'regionCode', 'plannedVolume', 'annualQuota', 'validFrom', 'validTo', 'online', 'governmentAward', 'title',
];

/** Which argument names the target, most specific first. */
const TARGETS: [string, string][] = [
  ['permitNo', 'water_permit'], ['meterCode', 'meter'], ['recordId', 'credit_record'], ['sourceId', 'data_source'],
  ['id', 'object'], ['creditCode', 'enterprise'],
];

function safeDetail(args: Record<string, unknown>): { detail: Record<string, unknown>; target?: { type: string; id: string } } {
  const flat: Record<string, unknown> = {};
  const visit = (o: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(o)) {
      if (v && typeof v === 'object' && !(v instanceof Date) && !Array.isArray(v)) visit(v as Record<string, unknown>);
      else if (SAFE_KEYS.includes(k) && v !== undefined && v !== null) flat[k] = v;
    }
  };
  visit(args);
  const hit = TARGETS.find(([key]) => flat[key] !== undefined);
  return { detail: flat, target: hit && { type: hit[1], id: String(flat[hit[0]]) } };
}

/**
 * Every mutation appends one audit entry: actor, action, target, time and outcome
 * (Art. 29: every change has an actor and a reason). A refused or failed mutation is
 * logged too, outside its rolled-back transaction.
 */
export const AuditMutations: MiddlewareFn<HubContext> = async ({ context, info, args }, next) => {
  if (info.parentType.name !== 'Mutation') return next();
  const { detail, target } = safeDetail(args as Record<string, unknown>);
  const entry = { action: info.fieldName, targetType: target?.type, targetId: target?.id, detail };
  try {
    const result = await next();
    await appendAudit(context.manager, context.principal, { ...entry, outcome: 'OK' });
    return result;
  } catch (e) {
    const code = e instanceof GraphQLError ? String(e.extensions.code ?? 'ERROR') : 'INTERNAL_SERVER_ERROR';
    await appendAudit(context.manager, context.principal, { ...entry, outcome: code }).catch((err) =>
      logger.error({ err, action: info.fieldName }, 'audit append failed'),
    );
    throw e;
  }
};
