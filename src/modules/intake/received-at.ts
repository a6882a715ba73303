import { mayWrite } from '../../platform/auth/access.rules';
import type { Scoped } from '../../platform/auth/access.rules';
import { badInput, forbidden } from '../../platform/errors';
import type { HubContext } from '../context';

/** A date given by a caller: valid and not in the future (BAD_USER_INPUT on `field`). */
export function pastDate(d: Date, field: string): Date {
  if (Number.isNaN(d.getTime())) throw badInput(`${field} 不是有效的日期时间 / ${field} is not a valid date-time`, field);
  if (d.getTime() > Date.now() + 60_000) throw badInput(`${field} 不得晚于当前时间 / ${field} may not lie in the future`, field);
  return d;
}

/**
 * When a submission (report, tip) was received: now, or — entered later from paper or a telephone
 * call — the `given` time, which only the supervising authority in scope of the enterprise may
 * state (FORBIDDEN otherwise; BAD_USER_INPUT when invalid or in the future). `enteredBy` is that
 * officer, null for a submission made through the API.
 */
export function receivedWhen(
  ctx: HubContext,
  e: Scoped,
  given: Date | null | undefined,
  what: { zh: string; en: string },
): { receivedAt: Date; enteredBy: string | null } {
  if (given == null) return { receivedAt: new Date(), enteredBy: null };
  if (!mayWrite(ctx.principal, e))
    throw forbidden(
      `只有主管水行政部门可以补录${what.zh}的收到时间 / Only the supervising water authority in scope enters when ${what.en} was received (receivedAt)`,
    );
  return { receivedAt: pastDate(given, 'receivedAt'), enteredBy: ctx.principal.subject };
}
