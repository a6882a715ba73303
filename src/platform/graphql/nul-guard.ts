import { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, GraphQLError, Kind, visit } from 'graphql';

const NUL = '\u0000';

/** The path of the first string holding a NUL character in a variables value (`input.name`), or null. */
function nulIn(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes(NUL) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulIn(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = nulIn(v, path ? `${path}.${k}` : k);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Refuses an operation whose arguments hold a NUL character (`\u0000`), in a variable or a
 * literal: PostgreSQL text cannot store it, so it would fail deep inside a resolver as an
 * INTERNAL_SERVER_ERROR with a stack trace (security review, issue 11). BAD_USER_INPUT naming
 * where it is, before anything runs or is stored.
 */
export function nulProblem(document: DocumentNode, variables: Record<string, unknown> | null | undefined): GraphQLError | null {
  let where = nulIn(variables ?? {}, '');
  if (!where)
    visit(document, {
      [Kind.STRING](node, _key, _parent, path) {
        if (!where && node.value.includes(NUL)) where = `argument at ${path.join('.')}`;
      },
    });
  if (!where) return null;
  return new GraphQLError(`参数 ${where} 含有空字符（\\u0000），无法保存 / ${where} contains a NUL character (\\u0000), which cannot be stored: remove it`, {
    extensions: { code: 'BAD_USER_INPUT', field: where, http: { status: 400 } },
  });
}

/** {@link nulProblem} over HTTP, once the operation is known (the WebSocket server calls it itself). */
export function nulGuardPlugin(): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ document, request }) {
          const err = nulProblem(document, request.variables);
          return err ? Promise.reject(err) : Promise.resolve();
        },
      });
    },
  };
}
