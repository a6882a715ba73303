import { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, GraphQLObjectType, Kind, OperationDefinitionNode, getOperationAST, valueFromASTUntyped } from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import { HubContext } from '../../platform/context';
import { logger } from '../../platform/logger';
import { AuditEntry, appendAudit } from './audit.repository';

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

/** What a bare `id` argument names, per mutation. */
const ID_TARGETS: Record<string, string> = {
  setCreditRecordStatus: 'credit_record',
  confirmCandidate: 'candidate_violation',
  dismissCandidate: 'candidate_violation',
  confirmCreditRepair: 'credit_repair',
  decideCreditRepair: 'credit_repair',
};

/** Flattens arguments to the safe keys and picks the target they name. */
export function auditDetail(args: Record<string, unknown>, action = ''): Pick<AuditEntry, 'detail' | 'targetType' | 'targetId'> {
  const flat: Record<string, unknown> = {};
  const visit = (o: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(o)) {
      if (v && typeof v === 'object' && !(v instanceof Date) && !Array.isArray(v)) visit(v as Record<string, unknown>);
      else if (SAFE_KEYS.includes(k) && v !== undefined && v !== null) flat[k] = v;
    }
  };
  visit(args);
  const hit = TARGETS.find(([key]) => flat[key] !== undefined);
  const type = hit?.[0] === 'id' ? (ID_TARGETS[action] ?? hit[1]) : hit?.[1];
  return { detail: flat, targetType: type ?? null, targetId: hit ? String(flat[hit[0]]) : null };
}

/**
 * The audit trail (Art. 29), kept off the per-field path so queries pay nothing for it:
 * - every mutation field of an operation appends actor, action, target and outcome (OK
 *   or the error code that refused it), outside the mutation's own transaction, so a
 *   refused or rolled-back change is on record too;
 * - a request that returned personal data unmasked appends one `readPersonalData` entry
 *   listing the enterprise ids.
 */
export function auditPlugin(): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue: ctx, operation, document, schema, request, errors, response }) {
          const entries: AuditEntry[] = [];
          // A mutation refused by validation (bad argument, operation limits) has a document but no resolved operation.
          const op = operation ?? (document ? getOperationAST(document, request.operationName) : null);
          if (op?.operation === 'mutation' && ctx)
            entries.push(...mutationEntries(op, schema.getMutationType()!, request.variables ?? {}, collectErrors(errors, response)));
          if (ctx.personalDataRead.size)
            entries.push({
              action: 'readPersonalData',
              targetType: 'enterprise',
              targetId: ctx.personalDataRead.size === 1 ? [...ctx.personalDataRead][0] : null,
              outcome: 'OK',
              detail: { enterpriseIds: [...ctx.personalDataRead], operation: operation?.name?.value ?? null },
            });
          for (const e of entries)
            await appendAudit(ctx.manager, ctx.principal, e).catch((err) => logger.error({ err, action: e.action }, 'audit append failed'));
        },
      };
    },
  };
}

function collectErrors(errors: readonly GraphQLError[] | undefined, response: { body: { kind: string; singleResult?: { errors?: readonly unknown[] } } }) {
  const all = [...(errors ?? []), ...((response.body.kind === 'single' ? response.body.singleResult?.errors : undefined) ?? [])] as GraphQLError[];
  return all;
}

function mutationEntries(
  op: OperationDefinitionNode,
  mutationType: GraphQLObjectType,
  variables: Record<string, unknown>,
  errors: GraphQLError[],
): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const sel of op.selectionSet.selections) {
    if (sel.kind !== Kind.FIELD || sel.name.value.startsWith('__')) continue;
    const def = mutationType.getFields()[sel.name.value];
    if (!def) continue;
    let args: Record<string, unknown> = {};
    try {
      args = getArgumentValues(def, sel, variables);
    } catch {
      // Arguments that failed validation never reached the resolver: record them as written.
      args = Object.fromEntries((sel.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]));
    }
    const key = sel.alias?.value ?? sel.name.value;
    // A field's own error, or one that refused the whole operation (validation: no path).
    const failed = errors.find((e) => e.path?.[0] === key) ?? errors.find((e) => !e.path);
    out.push({ action: sel.name.value, outcome: failed ? String(failed.extensions?.code ?? 'ERROR') : 'OK', ...auditDetail(args, sel.name.value) });
  }
  return out;
}
