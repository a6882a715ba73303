import { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  ArgumentNode,
  DocumentNode,
  FieldNode,
  GraphQLError,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  TypeInfo,
  ValidationRule,
  getVariableValues,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';

/** The arguments graphql-armor's cost rule multiplies a list's cost by. */
const PAGE_ARGS = new Set(['first', 'last']);

export interface CostLimitOptions {
  maxCost: number;
}

/**
 * graphql-armor's cost rule reads page sizes only when they are literals: `readings(first: 10000)` is counted,
 * `readings(first: $m)` costs as if it asked for one. This writes the operation's page arguments out as the
 * literals they will be at execution (coerced variables and schema defaults), so the same rule then prices the
 * operation as it will run. Null when nothing changed (the validation phase has already priced it).
 */
export function pricedDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): DocumentNode | null {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
  // Variables that do not coerce are reported by execution; nothing runs, so nothing to price.
  if (coerced.errors) return null;
  const values = coerced.coerced;
  const typeInfo = new TypeInfo(schema);
  let changed = false;
  // Only the operation that runs, and the fragments (the validation phase priced every operation as written).
  const runs: DocumentNode = { ...document, definitions: document.definitions.filter((d) => d.kind !== Kind.OPERATION_DEFINITION || d === operation) };
  const priced = visit(
    runs,
    visitWithTypeInfo(typeInfo, {
      Field(node: FieldNode) {
        const def = typeInfo.getFieldDef();
        if (!def || !def.args.some((a) => PAGE_ARGS.has(a.name))) return undefined;
        let args: Record<string, unknown>;
        try {
          args = getArgumentValues(def, node, values);
        } catch {
          return undefined; // a bad argument fails execution with its own error
        }
        const others = (node.arguments ?? []).filter((a) => !PAGE_ARGS.has(a.name.value));
        const pages: ArgumentNode[] = [];
        for (const name of PAGE_ARGS) {
          const v = args[name];
          if (typeof v !== 'number' || !Number.isInteger(v)) continue;
          pages.push({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: name }, value: { kind: Kind.INT, value: String(v) } });
        }
        const literal = (node.arguments ?? []).filter((a) => PAGE_ARGS.has(a.name.value) && a.value.kind === Kind.INT);
        if (
          pages.length === literal.length &&
          pages.every((p, i) => p.value.kind === Kind.INT && literal[i].value.kind === Kind.INT && p.value.value === literal[i].value.value)
        )
          return undefined;
        changed = true;
        // Page arguments first: the cost rule reads the first of first/last it meets.
        return { ...node, arguments: [...pages, ...others] };
      },
    }),
  );
  return changed ? priced : null;
}

/** graphql-armor's cost rule alone, reporting to `onReject` instead of throwing. */
function costRule(maxCost: number, onReject: (err: GraphQLError) => void): ValidationRule {
  const off = { enabled: false };
  const { validationRules } = new ApolloArmor({
    costLimit: { maxCost, propagateOnRejection: false, onReject: [(_ctx, err) => onReject(err)] },
    maxDepth: off,
    maxAliases: off,
    maxTokens: off,
    maxDirectives: off,
    blockFieldSuggestion: off,
  }).protect();
  return validationRules[0];
}

/**
 * The cost limit on the operation as it will run: null when within `maxCost` (or when the validation phase's
 * literal pricing already covered it), else the refusal, worded and coded as graphql-armor words the literal one.
 * Over HTTP (`costLimitAfterVariablesPlugin`) and WebSocket (the subscription server's onSubscribe) alike.
 */
export function costChecker(opts: CostLimitOptions) {
  const last: { refused: GraphQLError | null } = { refused: null };
  const rule = costRule(opts.maxCost, (err) => void (last.refused ??= err));
  return (
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown> | null | undefined,
  ): GraphQLError | null => {
    const priced = pricedDocument(schema, document, operation, variables ?? undefined);
    if (!priced) return null;
    last.refused = null; // validate() is synchronous: no other check interleaves
    validate(schema, priced, [rule]);
    const err = last.refused as GraphQLError | null; // set by the rule during validate()
    if (!err) return null;
    return new GraphQLError(err.message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'COST_LIMIT', http: { status: 400 } } });
  };
}

export type CostChecker = ReturnType<typeof costChecker>;

/** The cost check over HTTP: once the operation is known, before it executes, on the request's variables. */
export function costLimitAfterVariablesPlugin(check: CostChecker): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          const err = operation ? check(schema, document, operation, request.variables) : null;
          if (err) throw err;
        },
      };
    },
  };
}
