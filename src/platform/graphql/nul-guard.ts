import { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, GraphQLError, Kind, visit } from 'graphql';

const NUL = '\u0000';
/**
 * The longest string an argument may hold (characters), whatever the field: a backstop under the fields' own limits
 * (a tip's content, a name), so an operation cannot push megabytes of text into a lookup, a log line or the audit trail.
 */
export const MAX_ARGUMENT_CHARS = 20_000;

type Problem = { where: string; kind: 'nul' | 'long' };

/** What is wrong with a string, if anything. */
const stringProblem = (s: string): Problem['kind'] | null => (s.includes(NUL) ? 'nul' : s.length > MAX_ARGUMENT_CHARS ? 'long' : null);

/** The first string of a variables value holding a NUL character or too long (`input.name`), or null. */
function problemIn(value: unknown, path: string): Problem | null {
  if (typeof value === 'string') {
    const kind = stringProblem(value);
    return kind ? { where: path, kind } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = problemIn(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = problemIn(v, path ? `${path}.${k}` : k);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Refuses an operation whose arguments hold a NUL character (`\u0000`) or a string over MAX_ARGUMENT_CHARS, in a
 * variable or a literal: PostgreSQL text cannot store NUL, so it failed deep inside a resolver as an
 * INTERNAL_SERVER_ERROR with a stack trace (security review, issue 11); megabytes of text have no place in any
 * argument. BAD_USER_INPUT naming where it is, before anything runs or is stored.
 */
export function nulProblem(document: DocumentNode, variables: Record<string, unknown> | null | undefined): GraphQLError | null {
  let found = problemIn(variables ?? {}, '');
  if (!found)
    visit(document, {
      [Kind.STRING](node, _key, _parent, path) {
        const kind = found ? null : stringProblem(node.value);
        if (kind) found = { where: `argument at ${path.join('.')}`, kind };
      },
    });
  if (!found) return null;
  const { where, kind } = found;
  const message =
    kind === 'nul'
      ? `参数 ${where} 含有空字符（\\u0000），无法保存 / ${where} contains a NUL character (\\u0000), which cannot be stored: remove it`
      : `参数 ${where} 超过 ${MAX_ARGUMENT_CHARS} 个字符 / ${where} is longer than ${MAX_ARGUMENT_CHARS} characters: shorten it`;
  return new GraphQLError(message, {
    extensions: { code: 'BAD_USER_INPUT', field: where, reason: kind === 'nul' ? 'NUL_CHARACTER' : 'TOO_LONG', http: { status: 400 } },
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
