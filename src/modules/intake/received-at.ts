/**
 * When a public submission (a report, Art. 28; a tip, Art. 8) was received. Submitted through the
 * API: now. Received on paper or by telephone and entered later: the supervising authority in scope
 * of the enterprise concerned (and nobody else: FORBIDDEN) states when it arrived, never in the
 * future; the due date is then counted from that moment, and the entering officer is named.
 */
import { mayWrite, Scoped } from '../../platform/auth/access.rules';
import { badInput, forbidden } from '../../platform/errors';
import type { HubContext } from '../context';

/** Receipt of a submission: when, and who entered it (null: submitted by the submitter through the API). */
export interface Receipt {
  receivedAt: Date;
  enteredBy: string | null;
}

/** A date given by a submitter or officer: a valid date-time, not in the future (a minute of clock slack); BAD_USER_INPUT on `field`. */
export function pastDate(d: Date, field: string): Date {
  if (Number.isNaN(d.getTime())) throw badInput(`${field} 不是有效的日期时间 / ${field} is not a valid date-time`, field);
  if (d.getTime() > Date.now() + 60_000) throw badInput(`${field} 不得晚于当前时间 / ${field} may not lie in the future`, field);
  return d;
}

/**
 * The receipt of a submission about `e`: now, or `given` (the `receivedAt` of a paper or telephone
 * submission) when the caller is the supervising authority in scope. `what` names the submission
 * in the refusal, e.g. { zh: '举报', en: 'report' }.
 */
export function receiptOf(ctx: HubContext, e: Scoped, given: Date | null | undefined, what: { zh: string; en: string }): Receipt {
  if (given == null) return { receivedAt: new Date(), enteredBy: null };
  if (!mayWrite(ctx.principal, e))
    throw forbidden(
      `只有主管水行政部门可以补录${what.zh}的收到时间 / Only the supervising water authority in scope enters when a ${what.en} was received (receivedAt)`,
    );
  return { receivedAt: pastDate(given, 'receivedAt'), enteredBy: ctx.principal.subject };
}
