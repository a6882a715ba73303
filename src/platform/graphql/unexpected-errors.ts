import { randomUUID } from 'node:crypto';
import { ExecutionResult, GraphQLError } from 'graphql';
import { isDatabaseError, logger } from '../logger';

/**
 * An error the hub did not mean to send (no code, or INTERNAL_SERVER_ERROR): logged by type and codes (safeError) under a
 * fresh errorId. A database error's message quotes the row, so the caller gets the id in its place; other errors pass.
 * Used by both transports: graphql-ws (maskResult) and the HTTP server's formatError.
 */
export function maskUnexpected(error: GraphQLError): GraphQLError {
  const code = error.extensions?.code;
  if (code !== undefined && code !== 'INTERNAL_SERVER_ERROR') return error;
  const original = error.originalError ?? error;
  const errorId = randomUUID();
  logger.error({ err: original, path: error.path, errorId }, 'unexpected error');
  if (!isDatabaseError(original)) return error;
  return new GraphQLError(`Internal error (database); the hub's log has it under errorId ${errorId}.`, {
    nodes: error.nodes,
    path: error.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
  });
}

/** Results shared by subscribers (one execution per event and share key) are masked, and logged, once. */
const masked = new WeakMap<object, ExecutionResult>();

/** `result` with its unexpected errors masked (`maskUnexpected`); the same object when it has no errors. */
export function maskResult(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  let out = masked.get(result);
  if (!out) masked.set(result, (out = { ...result, errors: result.errors.map(maskUnexpected) }));
  return out;
}
