import http from 'node:http';
import { ErrorRequestHandler } from 'express';
import { logger } from './logger';

const answer = (status: number, message: string, code: string) => ({ status, body: { errors: [{ message, extensions: { code } }] } });

/**
 * The last Express error handler: errors before GraphQL (a body that is not JSON, too large, wrong charset) answer as
 * GraphQL-style JSON with a code, never Express's default page, which echoes the body parser's message (a quote of the
 * body: ID numbers, phones) and its stack. Logs carry the code and the path only.
 */
export const jsonErrorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) return next(err);
  const e = err as { type?: unknown; status?: unknown; statusCode?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  let a: ReturnType<typeof answer>;
  if (e.type === 'entity.parse.failed') a = answer(400, 'The request body is not valid JSON.', 'BAD_REQUEST');
  else if (e.type === 'entity.too.large') a = answer(413, 'The request body is too large.', 'BAD_REQUEST');
  else if (status >= 400 && status < 500) a = answer(status, `${http.STATUS_CODES[status] ?? 'Bad request'}.`, 'BAD_REQUEST');
  else a = answer(500, 'Internal server error.', 'INTERNAL_SERVER_ERROR');
  if (a.status >= 500) logger.error({ err, path: req.path }, 'unexpected HTTP error');
  else
    logger.info(
      { code: a.body.errors[0].extensions.code, status: a.status, reason: typeof e.type === 'string' ? e.type : undefined, path: req.path },
      'bad HTTP request',
    );
  res.status(a.status).json(a.body);
};
