import { ApolloServerPlugin } from '@apollo/server';
import Negotiator from 'negotiator';

/**
 * Codes of request errors in a well-formed GraphQL-over-HTTP request: refused before execution because of the document
 * or its variables. Not BAD_REQUEST: a request that is not GraphQL over HTTP (no query, a number for a query) stays 400.
 */
const REQUEST_ERRORS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE']);

const JSON_TYPE = 'application/json';
/** The media type of GraphQL over HTTP's own responses (`Accept: application/graphql-response+json`). */
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

/** The response type Apollo Server will choose for this Accept header (its own negotiation, with the same library). */
function responseType(accept: string | undefined): string | undefined {
  if (!accept) return JSON_TYPE;
  return new Negotiator({ headers: { accept } }).mediaType([JSON_TYPE, GRAPHQL_RESPONSE]);
}

/**
 * HTTP status of a request error (parse, validation, variable coercion, operation resolution, the hub's limits refused
 * before execution), as GraphQL over HTTP says: 400 under `application/graphql-response+json`, 200 under
 * `application/json` (the legacy type, whose clients read errors from the body). Statuses that carry their own meaning
 * (401 for a refused token, 413, 429, 503) and errors raised while executing are left as they are.
 */
export function requestErrorStatusPlugin(): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        willSendResponse({ request, response }) {
          const body = response.body;
          if (body.kind !== 'single' || body.singleResult.data !== undefined) return Promise.resolve();
          const errors = body.singleResult.errors ?? [];
          const status = response.http.status ?? 400;
          if (errors.length === 0 || (status !== 400 && status !== 500)) return Promise.resolve();
          if (!errors.every((e) => REQUEST_ERRORS.has(String(e.extensions?.code)))) return Promise.resolve();
          const type = response.http.headers.get('content-type') ?? responseType(request.http?.headers.get('accept'));
          response.http.status = type?.startsWith(GRAPHQL_RESPONSE) ? 400 : 200;
          return Promise.resolve();
        },
      });
    },
  };
}
