import { ApolloServerPlugin } from '@apollo/server';
import {
  DocumentNode,
  FieldNode,
  GraphQLError,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  OperationTypeNode,
  SelectionSetNode,
  getOperationAST,
  getVariableValues,
  valueFromASTUntyped,
} from 'graphql';
import { collectFields } from 'graphql/execution/collectFields';
import { getArgumentValues } from 'graphql/execution/values';
import { HubContext } from '../context';
import { logger } from '../../platform/logger';
import { AuditEntry, appendAudit } from './audit.repository';
import { AuditArgs, auditDeclaration, auditEntry, mutationRan, outcomeOf } from './audited';

/**
 * The request-level half of the audit trail (Art. 29); each mutation field audits itself
 * (`@Audited`, see audited.ts). After the response this plugin appends:
 * - for a mutation refused before any field ran (validation, operation limits, variables that
 *   do not coerce), one entry per mutation field of the operation, however spelled, with the
 *   refusing code and the target its declaration names from the arguments as written;
 * - for a request that returned personal data unmasked, one `readPersonalData` entry listing the
 *   enterprise ids.
 */
export function auditPlugin(): ApolloServerPlugin<HubContext> {
  return {
    requestDidStart() {
      return Promise.resolve({
        async willSendResponse({ contextValue: ctx, operation, document, schema, request, errors, response }) {
          const entries: AuditEntry[] = [];
          // A mutation refused by validation (bad argument, operation limits) has a document but no resolved operation.
          const op = operation ?? (document ? getOperationAST(document, request.operationName) : null);
          const all = collectErrors(errors, response);
          if (op?.operation === OperationTypeNode.MUTATION && document && ctx && !mutationRan(ctx) && all.length) {
            // A refused token refuses the request whatever else is wrong with it; its reason goes on record.
            const outcome = ctx.principal.rejected !== undefined ? 'UNAUTHENTICATED' : outcomeOf(all.find((e) => !e.path) ?? all[0]);
            const refused = refusedEntries(schema, document, op, request.variables ?? {}, outcome);
            if (ctx.principal.rejected !== undefined) for (const e of refused) e.detail = { ...e.detail, reason: ctx.principal.rejected };
            entries.push(...refused);
          }
          if (ctx?.personalDataRead.size) entries.push(personalReadEntry([...ctx.personalDataRead], operation?.name?.value ?? null));
          for (const e of entries)
            await appendAudit(ctx.db, ctx.principal, e).catch((err: unknown) => logger.error({ err, action: e.action }, 'audit append failed'));
        },
      });
    },
  };
}

/** One entry per request (or subscription message) that returned personal data unmasked. */
function personalReadEntry(enterpriseIds: string[], operation: string | null): AuditEntry {
  return {
    action: 'readPersonalData',
    targetType: 'enterprise',
    targetId: enterpriseIds.length === 1 ? enterpriseIds[0] : null,
    outcome: 'OK',
    detail: { enterpriseIds, operation },
  };
}

/** For the WebSocket server: a subscription message that carried personal data unmasked. */
export async function auditSubscriptionRead(ctx: HubContext, enterpriseIds: string[]): Promise<void> {
  await appendAudit(ctx.db, ctx.principal, personalReadEntry(enterpriseIds, 'subscription'));
}

/** For the WebSocket server: a mutation sent over a socket is refused there (`outcome`), one entry per mutation field, as over HTTP. */
export async function auditRefusedOverWebSocket(
  ctx: HubContext,
  schema: GraphQLSchema,
  document: DocumentNode,
  op: OperationDefinitionNode,
  variables: Record<string, unknown>,
  outcome: string,
): Promise<void> {
  for (const e of refusedEntries(schema, document, op, variables, outcome))
    await appendAudit(ctx.db, ctx.principal, { ...e, detail: { ...e.detail, transport: 'websocket' } });
}

function collectErrors(errors: readonly GraphQLError[] | undefined, response: { body: { kind: string; singleResult?: { errors?: readonly unknown[] } } }) {
  return [...(errors ?? []), ...((response.body.kind === 'single' ? response.body.singleResult?.errors : undefined) ?? [])] as GraphQLError[];
}

/**
 * The mutation fields the operation would execute, one per response key, as graphql-js collects them: through fragment
 * spreads and inline fragments, without those @skip/@include leave out, a key selected twice (directly and in a fragment)
 * once. An operation whose directives cannot be read (it failed validation) falls back to every field as written.
 */
function executedRootFields(schema: GraphQLSchema, document: DocumentNode, op: OperationDefinitionNode, variables: Record<string, unknown>): FieldNode[] {
  const type = schema.getMutationType();
  if (!type) return [];
  const fragments = Object.fromEntries(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])));
  // Each variable coerced on its own (a bad input does not hide a @skip flag beside it; defaults apply), else as sent.
  const values: Record<string, unknown> = { ...variables };
  for (const def of op.variableDefinitions ?? []) Object.assign(values, getVariableValues(schema, [def], variables, { maxErrors: 1 }).coerced);
  try {
    return [...collectFields(schema, fragments, values, type, op.selectionSet).values()].map((nodes) => nodes[0]);
  } catch {
    const byKey = new Map<string, FieldNode>();
    for (const f of rootFields(document, op.selectionSet)) if (!byKey.has((f.alias ?? f.name).value)) byKey.set((f.alias ?? f.name).value, f);
    return [...byKey.values()];
  }
}

/** The operation's root fields as written, through fragment spreads and inline fragments. */
function rootFields(document: DocumentNode, set: SelectionSetNode, seen = new Set<string>()): FieldNode[] {
  return set.selections.flatMap((sel): FieldNode[] => {
    if (sel.kind === Kind.FIELD) return [sel];
    if (sel.kind === Kind.INLINE_FRAGMENT) return rootFields(document, sel.selectionSet, seen);
    if (seen.has(sel.name.value)) return [];
    seen.add(sel.name.value);
    const frag = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === sel.name.value);
    return frag?.kind === Kind.FRAGMENT_DEFINITION ? rootFields(document, frag.selectionSet, seen) : [];
  });
}

function refusedEntries(
  schema: GraphQLSchema,
  document: DocumentNode,
  op: OperationDefinitionNode,
  variables: Record<string, unknown>,
  outcome: string,
): AuditEntry[] {
  const fields = schema.getMutationType()?.getFields() ?? {};
  return executedRootFields(schema, document, op, variables)
    .filter((sel) => fields[sel.name.value])
    .map((sel) => {
      const def = fields[sel.name.value];
      let args: AuditArgs;
      try {
        args = getArgumentValues(def, sel, variables);
      } catch {
        // Arguments that failed validation never reached the resolver: read them as written.
        args = Object.fromEntries((sel.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]));
      }
      return auditEntry(sel.name.value, auditDeclaration(schema, sel.name.value), args, outcome);
    });
}
