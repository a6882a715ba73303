import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, DocumentNode, GraphQLError, visit } from 'graphql';
import type { Principal } from '../auth/principal';
import type { Context } from '../context';

/**
 * Introspection (`__schema`, `__type`) for authenticated callers only in production (issue 11 item 6): the public learns
 * no more of the API than the documented operations it may call. Open outside production, and in production with
 * `HUB_INTROSPECTION=true`. `__typename` stays open (clients need it). Over HTTP ({@link introspectionPlugin}) and
 * WebSocket (subscriptions.ts calls {@link introspectionRefusal}).
 */
export function usesIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** UNAUTHENTICATED (HTTP 401) for an anonymous caller's introspection when it is closed, else null. */
export function introspectionRefusal(document: DocumentNode, principal: Principal, open: boolean): GraphQLError | null {
  if (open || (principal.role !== 'PUBLIC' && principal.rejected === undefined) || !usesIntrospection(document)) return null;
  return new GraphQLError('内省查询需要登录 / Introspection (__schema, __type) needs a bearer token in production.', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

/** Refuses, before execution, introspection from callers without a valid token unless `open`. */
export function introspectionPlugin(open: boolean): ApolloServerPlugin<Context<unknown, unknown>> {
  return {
    requestDidStart({ contextValue }) {
      if (open) return Promise.resolve();
      return Promise.resolve({
        didResolveOperation({ document }) {
          const refusal = introspectionRefusal(document, contextValue.principal, open);
          return refusal ? Promise.reject(refusal) : Promise.resolve();
        },
      });
    },
  };
}
