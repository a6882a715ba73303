import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { DocumentNode, ExecutionResult, GraphQLError, GraphQLSchema, SourceLocation, execute, printSchema } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { logger } from '../logger';
import { graphqlExecutions } from '../metrics';

/**
 * Operations over HTTP run as compiled functions (graphql-jit, issue 12 target 1) instead of graphql-js's
 * interpreter, which builds a resolve info, a path and a completion step for each of the ~1,600 fields of a
 * dashboard page. The same resolvers run, in the same order, with the same context: access checks, masking, the
 * read logs and Apollo's plugins (operation limits, rate limits, audit) are unchanged; only the walk over the
 * selection is compiled, once per parsed document and operation, on its second run (Apollo keeps one parsed document
 * per query text, so a repeated query finds its function; a one-off query, an IDE's exploration say, runs interpreted
 * and costs no compilation; a document dropped from Apollo's cache takes its functions with it).
 *
 * Variables are coerced by graphql-js first, so a bad variable is refused with graphql-js's own error (which Apollo
 * marks `BAD_USER_INPUT`, with the same HTTP status as on graphql-js) before anything runs. An operation graphql-jit cannot compile runs on
 * graphql-js as before (logged once per document).
 *
 * graphql-jit's errors are turned into graphql-js's own (same message, locations, path, original error and extensions):
 * one without extensions would fail Apollo's formatting (it reads `extensions.code` off every error) and lose its code.
 *
 * Apollo Server 5 has no `executor` option; its gateway interface still accepts one, which is what this is: a
 * "gateway" over the hub's own schema that never changes.
 */
export function jitGateway(schema: GraphQLSchema): GatewayInterface {
  // Per document and operation: 'seen' after its first run (interpreted), then its compiled function, or null when it cannot be compiled.
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | 'seen' | null>>();
  const compiledFor = (document: DocumentNode, operationName: string | null): CompiledQuery | null => {
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map<string, CompiledQuery | 'seen' | null>()));
    const key = operationName ?? '';
    const known = byName.get(key);
    if (known === undefined) {
      byName.set(key, 'seen');
      return null;
    }
    if (known !== 'seen') return known;
    const made = compileQuery(schema, document, operationName ?? undefined, { disableLeafSerialization: false, customJSONSerializer: false });
    if (isCompiledQuery(made)) {
      byName.set(key, made);
      return made;
    }
    logger.warn({ operationName, errors: made.errors?.map((e) => e.message) }, 'graphql-jit could not compile an operation; graphql-js runs it');
    byName.set(key, null);
    return null;
  };

  const executor: GatewayExecutor = async (rc) => {
    const variables = rc.request.variables ?? {};
    const coerced = getVariableValues(schema, rc.operation.variableDefinitions ?? [], variables, { maxErrors: 50 });
    if (coerced.errors) return { errors: coerced.errors };
    const fn = compiledFor(rc.document, rc.operationName);
    graphqlExecutions.inc({ executor: fn ? 'compiled' : 'interpreted' });
    if (!fn)
      return execute({
        schema,
        document: rc.document,
        contextValue: rc.context,
        variableValues: variables,
        operationName: rc.operationName,
      });
    const result = (await fn.query(undefined, rc.context, variables)) as ExecutionResult;
    return result.errors?.length ? { ...result, errors: asGraphQLErrors(result.errors, rc.document) } : result;
  };

  return {
    load() {
      return Promise.resolve({ executor });
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    stop() {
      return Promise.resolve();
    },
  };
}

/** graphql-jit's errors as graphql-js `GraphQLError`s with the same message, locations (through the document's source), path and cause. */
function asGraphQLErrors(errors: readonly GraphQLError[], document: DocumentNode): GraphQLError[] {
  const source = document.loc?.source;
  let lineStarts: number[] | undefined;
  const offset = (l: SourceLocation) => {
    if (!lineStarts) {
      lineStarts = [0];
      const body = source!.body;
      for (let i = 0; i < body.length; i++) if (body.charCodeAt(i) === 10) lineStarts.push(i + 1);
    }
    return (lineStarts[l.line - 1] ?? 0) + l.column - 1;
  };
  return errors.map((e) =>
    Object.getPrototypeOf(e) === GraphQLError.prototype
      ? e
      : new GraphQLError(e.message, {
          source: source && e.locations?.length ? source : undefined,
          positions: source && e.locations?.length ? e.locations.map(offset) : undefined,
          path: e.path,
          originalError: e.originalError ?? undefined,
          extensions: e.extensions,
        }),
  );
}
