import { GraphQLError } from 'graphql';

export type ErrorCode = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'NOT_IMPLEMENTED';

/** A GraphQL error a client can act on: `extensions.code` says what kind, `message` says how to fix it. */
export class HubError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export const badInput = (message: string, field?: string) => new HubError('BAD_USER_INPUT', message, field ? { field } : {});
export const notFound = (message: string) => new HubError('NOT_FOUND', message);
export const forbidden = (message: string) => new HubError('FORBIDDEN', message);
export const unauthenticated = (message: string) => new HubError('UNAUTHENTICATED', message);
/** Duplicates are bad input from the caller's point of view; `reason` tells them apart. */
export const duplicate = (message: string) => new HubError('BAD_USER_INPUT', message, { reason: 'DUPLICATE' });

/** Postgres unique_violation. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string } };
  return err?.code === '23505' || err?.driverError?.code === '23505';
}
