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
  OperationTypeNode,
  SelectionSetNode,
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
  /** The most a subscription's replay (its selection times the messages it may replay) may cost. */
  maxReplayCost?: number;
}

/** Only the operation that runs, and the fragments (the validation phase priced every operation as written). */
function onlyOperation(document: DocumentNode, operation: OperationDefinitionNode): DocumentNode {
  return { ...document, definitions: document.definitions.filter((d) => d.kind !== Kind.OPERATION_DEFINITION || d === operation) };
}

/**
 * graphql-armor's cost rule reads page sizes only when they are literals: `readings(first: 10000)` is counted,
 * `readings(first: $m)` costs as if it asked for one. This writes the operation's page arguments out as the
 * literals they will be at execution (coerced variables and schema defaults), so the same rule then prices the
 * operation as it will run. A page argument left out or null is priced at the argument's schema default, the page
 * the resolver serves then (each paged field declares its default page size there, once). Null when nothing changed (the validation phase has already priced it).
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
  const runs = onlyOperation(document, operation);
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
        const page = (name: string, v: unknown) => {
          if (typeof v === 'number' && Number.isInteger(v))
            pages.push({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: name }, value: { kind: Kind.INT, value: String(v) } });
        };
        for (const name of PAGE_ARGS) page(name, args[name]);
        // Left out or null: the resolver serves its default page, which is the argument's schema default.
        if (!pages.length) for (const a of def.args) if (PAGE_ARGS.has(a.name)) page(a.name, a.defaultValue);
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

/** graphql-armor's cost rule alone, reporting to `onReject` instead of throwing and the cost it found to `onAccept`. */
function costRule(maxCost: number, onReject: (err: GraphQLError) => void, onAccept: (cost: number) => void): ValidationRule {
  const off = { enabled: false };
  const { validationRules } = new ApolloArmor({
    costLimit: { maxCost, propagateOnRejection: false, onReject: [(_ctx, err) => onReject(err)], onAccept: [(_ctx, { n }: { n: number }) => onAccept(n)] },
    maxDepth: off,
    maxAliases: off,
    maxTokens: off,
    maxDirectives: off,
    blockFieldSuggestion: off,
  }).protect();
  return validationRules[0];
}

/**
 * A subscription field's `replay` extension: when `arg` is set (not null), the subscription first delivers up to
 * `messages` past events, each executing the selection once. Declared on the field (`@Extensions({ replay: … })`).
 */
export interface ReplayExtension {
  arg: string;
  messages: number;
}

/** How many messages the subscription may replay at once, from its root field's `replay` extension; null when it replays none. */
export function replayBound(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): number | null {
  if (operation.operation !== OperationTypeNode.SUBSCRIPTION) return null;
  const type = schema.getSubscriptionType();
  if (!type) return null;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
  if (coerced.errors) return null;
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const roots = (set: SelectionSetNode, seen: Set<string>): FieldNode[] =>
    set.selections.flatMap((s) => {
      if (s.kind === Kind.FIELD) return [s];
      if (s.kind === Kind.INLINE_FRAGMENT) return roots(s.selectionSet, seen);
      const f = fragments.get(s.name.value);
      if (!f || seen.has(f.name.value)) return [];
      return roots(f.selectionSet, new Set([...seen, f.name.value]));
    });
  let bound: number | null = null;
  for (const node of roots(operation.selectionSet, new Set())) {
    const def = type.getFields()[node.name.value];
    const replay = def?.extensions?.replay as ReplayExtension | undefined;
    if (!replay) continue;
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(def, node, coerced.coerced);
    } catch {
      continue;
    }
    if (args[replay.arg] !== null && args[replay.arg] !== undefined) bound = Math.max(bound ?? 0, replay.messages);
  }
  return bound;
}

function costRefusal(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'COST_LIMIT', http: { status: 400 } } });
}

/**
 * The cost limit on the operation as it will run: null when within `maxCost` (or when the validation phase's
 * literal pricing already covered it), else the refusal, worded and coded as graphql-armor words the literal one.
 * A subscription that replays past events (`since`) executes its selection once per replayed message: its cost
 * per message times the replay bound must stay within `maxReplayCost`.
 * Over HTTP (`costLimitAfterVariablesPlugin`) and WebSocket (the subscription server's onSubscribe) alike.
 */
export function costChecker(opts: CostLimitOptions) {
  const last: { refused: GraphQLError | null; cost: number } = { refused: null, cost: 0 };
  // Operations found within the limit, by their variables (Apollo hands every request of a query string the same parsed
  // document): the same operation with the same variables costs the same, so it is priced once. Refusals are priced every time.
  const accepted = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; variables: Set<string> }>();
  const rule = costRule(
    opts.maxCost,
    (err) => void (last.refused ??= err),
    (cost) => void (last.cost = Math.max(last.cost, cost)),
  );
  return (
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown> | null | undefined,
  ): GraphQLError | null => {
    const known = accepted.get(operation);
    const key = JSON.stringify(variables ?? {});
    if (known?.schema === schema && known.variables.has(key)) return null;
    const refused = check(schema, document, operation, variables);
    if (!refused) {
      const entry = known?.schema === schema ? known : { schema, variables: new Set<string>() };
      if (entry.variables.size >= 64) entry.variables.clear();
      entry.variables.add(key);
      accepted.set(operation, entry);
    }
    return refused;
  };
  function check(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown> | null | undefined,
  ): GraphQLError | null {
    const priced = pricedDocument(schema, document, operation, variables ?? undefined);
    const replay = opts.maxReplayCost === undefined ? null : replayBound(schema, document, operation, variables ?? undefined);
    if (!priced && replay === null) return null;
    last.refused = null; // validate() is synchronous: no other check interleaves
    last.cost = 0;
    validate(schema, priced ?? onlyOperation(document, operation), [rule]);
    const err = last.refused as GraphQLError | null; // set by the rule during validate()
    if (err) return costRefusal(err.message);
    if (replay !== null && last.cost * replay > opts.maxReplayCost!)
      return costRefusal(
        `Syntax Error: Query Cost limit of ${opts.maxReplayCost} exceeded for a replay (since): up to ${replay} messages of cost ${last.cost} each. Select less per message (at most ${Math.floor(opts.maxReplayCost! / replay)}), or subscribe without since.`,
      );
    return null;
  }
}

export type CostChecker = ReturnType<typeof costChecker>;

/** The cost check over HTTP: once the operation is known, before it executes, on the request's variables. */
export function costLimitAfterVariablesPlugin(check: CostChecker): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ schema, document, operation, request }) {
          const err = operation ? check(schema, document, operation, request.variables) : null;
          return err ? Promise.reject(err) : Promise.resolve();
        },
      });
    },
  };
}
