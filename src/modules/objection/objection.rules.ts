/**
 * Objections (异议, Art. 26; workflows.md "Objections"), the pure part: what an objection must
 * hold, the order of its steps and the comparison deadline (核查比对: 5 working days after the
 * FIRST receipt, whether the evaluating body or the credit authority received it; a credit
 * authority's receipt is routed to the evaluating body without restarting the clock).
 */
import { badInput } from '../../platform/errors';
import type { ObjectionOutcome, ObjectionReceiver, ObjectionStatus } from '../graphql-enums';

export { stepAt, PREVIOUS } from '../repair/repair.rules';

/** Art. 26: the comparison is done within 5 working days of receipt. */
export const OBJECTION_COMPARISON_WORKING_DAYS = 5;
export const TEXT_MAX = 2000;

export const RECEIPT = { zh: '被异议的信用记录的认定日期或评价日期', en: "the disputed record's determination or the rating's date" };

/** The statement (异议陈述), trimmed: required, at most 2000 characters. */
export function checkStatement(statement: string | null | undefined): string {
  const s = statement?.trim() ?? '';
  if (!s) throw badInput('须陈述异议的事实和理由（statement） / An objection needs a statement', 'statement');
  if (s.length > TEXT_MAX) throw badInput(`statement 不得超过${TEXT_MAX}字 / statement may have at most ${TEXT_MAX} characters`, 'statement');
  return s;
}

/** The decision's reason, trimmed: required for every outcome (a rejection states why), at most 2000 characters. */
export function checkReason(reason: string | null | undefined): string {
  const r = reason?.trim() ?? '';
  if (!r) throw badInput('须说明处理理由（reason） / A decision on an objection needs a reason', 'reason');
  if (r.length > TEXT_MAX) throw badInput(`reason 不得超过${TEXT_MAX}字 / reason may have at most ${TEXT_MAX} characters`, 'reason');
  return r;
}

/** The state an objection must be in for `step`; BAD_USER_INPUT otherwise (a step out of order, a second decision). */
export function checkObjectionStep(
  step: 'route' | 'decide',
  o: { status: ObjectionStatus; receivedBy: ObjectionReceiver; routedAt: Date | null; recordId: string | null },
  outcome?: ObjectionOutcome,
): void {
  if (o.status !== 'OPEN') throw badInput('该异议已处理完毕，不能再次处理 / The objection has already been decided', 'id');
  if (step === 'route') {
    if (o.receivedBy !== 'CREDIT_AUTHORITY')
      throw badInput('该异议由评价机构直接受理，无需转交 / The evaluating body received the objection itself; there is nothing to route', 'id');
    if (o.routedAt) throw badInput('该异议已转交评价机构 / The objection has already been routed to the evaluating body', 'id');
    return;
  }
  if (o.receivedBy === 'CREDIT_AUTHORITY' && !o.routedAt)
    throw badInput(
      '信用主管部门受理的异议须先转交评价机构（routeObjection） / An objection received by the credit authority is routed to the evaluating body before it is decided',
      'id',
    );
  if (outcome === 'FACTS_WRONG' && !o.recordId)
    throw badInput(
      '“事实有误”仅适用于针对信用记录的异议；针对评价结果的异议请选择 DATA_INCOMPLETE 或 REJECTED / FACTS_WRONG applies to an objection against a record only',
      'outcome',
    );
}
