/**
 * Checks that several modules make, each in one place: the shape of an id, a time a caller
 * sends that may not lie ahead, and a row that must exist.
 *
 * @example
 *   if (!isUuid(id)) throw notFound(`No credit record ${id}`);    // no query for a malformed id
 *   notInFuture(input.occurredAt, 'occurredAt');                   // BAD_USER_INPUT naming the field
 *   const record = requireFound(await findCreditRecord(m, id), 'credit record', id);
 */
import { badInput, notFound } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` is a UUID (the hub's row ids); anything else names no row. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** Clocks differ: a time up to this far ahead of ours still counts as now. */
export const CLOCK_SLACK_MS = 10 * 60_000;

/** `at`, or BAD_USER_INPUT when it is no valid time or later than now + slack. */
export function notInFuture(at: Date, field: string, now = Date.now(), slackMs = CLOCK_SLACK_MS): Date {
  if (Number.isNaN(at.getTime())) throw badInput(`${field} is not a valid date-time`, field);
  if (at.getTime() > now + slackMs) throw badInput(`${field} may not lie in the future`, field);
  return at;
}

/** The row, or NOT_FOUND "No `what` `id`" (instead of a `!` that would fail as an internal error). */
export function requireFound<T>(row: T | null | undefined, what: string, id: string): T {
  if (row === null || row === undefined) throw notFound(`No ${what} ${id}`);
  return row;
}
