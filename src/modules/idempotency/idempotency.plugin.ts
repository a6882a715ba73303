import { ApolloServerPlugin, GraphQLResponse, HeaderMap } from '@apollo/server';
import { FormattedExecutionResult, OperationTypeNode } from 'graphql';
import type { BeforeCommit } from '../../platform/context';
import { logger } from '../../platform/logger';
import type { HubContext } from '../context';
import { claimKey, findKey, markCommitted, releaseKey, storeAnswer } from './idempotency.repository';
import {
  IDEMPOTENCY_ANSWER_SECONDS,
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_STALE_SECONDS,
  TRANSIENT_CODES,
  keyProblem,
  requestHash,
  scopeOf,
} from './idempotency.rules';

/** An answer the plugin gives in place of running the mutation. */
function answer(status: number, body: FormattedExecutionResult, replayed = false): GraphQLResponse {
  const headers = new HeaderMap();
  if (replayed) headers.set('idempotent-replayed', 'true');
  return { http: { status, headers }, body: { kind: 'single', singleResult: body } };
}

const refusal = (status: number, code: string, reason: string, zh: string, en: string) =>
  answer(status, { errors: [{ message: `${zh} / ${en}`, extensions: { code, reason } }] });

/** This request's attempt, once it holds its key. */
interface Attempt {
  id: string;
  attempt: string;
  committed: boolean;
}

/**
 * `Idempotency-Key` on mutations over HTTP (issue 11 item 7): a client that lost the connection after a mutation
 * committed retries with the same key and gets the same answer, and nothing is written twice, within
 * IDEMPOTENCY_RETENTION_HOURS. Keys belong to the caller (the token's subject; an anonymous caller's address).
 *
 * - First use: the key is taken (a row IN_PROGRESS), the mutation runs, and the last statement of its transaction marks
 *   the key COMMITTED (so the mark and the writes commit together); the answer is then kept, encrypted.
 * - Again, same request: the kept answer, with `Idempotent-Replayed: true` (HTTP status as first answered).
 * - Again while the first attempt runs: 409 `CONFLICT` (reason IDEMPOTENCY_IN_PROGRESS): retry shortly.
 * - Again after a commit whose answer was lost (the process died in between, IDEMPOTENCY_ANSWER_SECONDS ago): 409 (reason
 *   IDEMPOTENCY_ANSWER_LOST): the change is stored; read it back instead of repeating it.
 * - Again with another request (operation or variables): 422 `BAD_USER_INPUT` (reason IDEMPOTENCY_KEY_REUSED).
 * - An attempt that failed without committing for a passing reason (INTERNAL_SERVER_ERROR, SERVICE_UNAVAILABLE) frees
 *   its key, so the retry runs; one refused for what it asked (BAD_USER_INPUT, FORBIDDEN…) keeps its refusal.
 * Queries ignore the header.
 */
export function idempotencyPlugin(): ApolloServerPlugin<HubContext> {
  return {
    requestDidStart({ request }) {
      const key = request.http?.headers.get(IDEMPOTENCY_HEADER);
      if (key === undefined) return Promise.resolve();
      let held: Attempt | undefined;
      return Promise.resolve({
        async responseForOperation({ operation, contextValue: ctx }) {
          if (operation.operation !== OperationTypeNode.MUTATION) return null;
          const problem = keyProblem(key);
          if (problem) return refusal(400, 'BAD_USER_INPUT', 'IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key 无效', problem);
          const scope = scopeOf(ctx.principal, ctx.clientAddress);
          const hash = requestHash(request.query, request.operationName, request.variables);
          const claimed = await claimKey(ctx.db, scope, key, hash, IDEMPOTENCY_STALE_SECONDS);
          if (claimed) {
            const mine: Attempt = { ...claimed, committed: false };
            held = mine;
            const outer = ctx.beforeCommit;
            const mark: BeforeCommit = async (txCtx, result) => {
              await outer?.(txCtx, result);
              if (mine.committed) return;
              // Lost the key to a retry that took over (this attempt looked dead): roll back rather than write twice.
              if (!(await markCommitted(txCtx.db, mine.id, mine.attempt)))
                throw new Error('Idempotency-Key taken over by another attempt; this one rolls back');
              mine.committed = true;
            };
            ctx.beforeCommit = mark;
            return null;
          }
          const seen = await findKey(ctx.db, scope, key);
          if (!seen || seen.requestHash !== hash)
            return refusal(
              422,
              'BAD_USER_INPUT',
              'IDEMPOTENCY_KEY_REUSED',
              '该 Idempotency-Key 已用于另一请求',
              'This Idempotency-Key was used with another request (operation or variables): use a new key for a new request',
            );
          if (seen.state === 'DONE' && seen.response !== null)
            return answer(seen.httpStatus ?? 200, JSON.parse(seen.response) as FormattedExecutionResult, true);
          if (seen.state === 'COMMITTED' && seen.ageS > IDEMPOTENCY_ANSWER_SECONDS)
            return refusal(
              409,
              'CONFLICT',
              'IDEMPOTENCY_ANSWER_LOST',
              '该请求已执行并保存，但答复丢失；请查询结果，勿重复提交',
              'The request with this key was carried out and stored, but its answer was lost: read the result back instead of repeating it',
            );
          return refusal(
            409,
            'CONFLICT',
            'IDEMPOTENCY_IN_PROGRESS',
            '使用该 Idempotency-Key 的请求正在处理，请稍后重试',
            'A request with this Idempotency-Key is still being processed: retry in a moment',
          );
        },
        async willSendResponse({ response, contextValue: ctx }) {
          if (!held || response.body.kind !== 'single') return;
          const { id, attempt, committed } = held;
          const result = response.body.singleResult;
          try {
            const transient = (result.errors ?? []).some((e) => TRANSIENT_CODES.has(String(e.extensions?.code)));
            if (transient && !committed) await releaseKey(ctx.db, id, attempt);
            else await storeAnswer(ctx.db, id, attempt, response.http.status ?? 200, JSON.stringify({ data: result.data, errors: result.errors }));
          } catch (err) {
            // The change (if any) stands; a retry is told it was stored (COMMITTED) or, if nothing was, runs once the attempt is stale.
            logger.error({ err, requestId: ctx.requestId }, 'idempotency: answer not kept');
          }
        },
      });
    },
  };
}
