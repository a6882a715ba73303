/**
 * Credit repair (信用修复, Art. 22, 24, 25; workflows.md "Credit repair"), the pure part: the
 * order of the steps (submit → return/supplement … → forward → confirm → decide), the date each step may carry, what an application must hold, and the
 * decision deadline (3 working days after the confirmation day on the official calendar).
 *
 * Convention for `decisionDueAt`: the deadline is the whole of its last day (workflows.md
 * "Working days"), so the instant given is the END of the due day, 23:59:59.999 China Standard
 * Time (one millisecond before 24:00). A decision at any moment of the due day is in time.
 */
import { chinaDayByIndex, DAY_MS } from '../../platform/china-time';
import { badInput } from '../../platform/errors';
import { CLOCK_SLACK_MS } from '../../platform/checks';
import type { RepairStatus } from '../graphql-enums';

export type { RepairStatus };

/** Art. 25: the competent authority decides within 3 working days of the upper level's confirmation. */
export const REPAIR_DECISION_WORKING_DAYS = 3;
export const STATEMENT_MAX = 2000;
export const EVIDENCE_MAX_ITEMS = 50;
export const EVIDENCE_ITEM_MAX = 500;

export type RepairStep = 'return' | 'supplement' | 'forward' | 'confirm' | 'decide';

/** The status a step starts from: the competent authority checks a SUBMITTED file (returns or forwards it), the enterprise supplements a RETURNED one, the next level up confirms a FORWARDED one. */
const FROM: Record<RepairStep, RepairStatus> = { return: 'SUBMITTED', supplement: 'RETURNED', forward: 'SUBMITTED', confirm: 'FORWARDED', decide: 'CONFIRMED' };

const STEP_TEXT: Record<RepairStep, { zh: string; en: string }> = {
  return: { zh: '退回补正', en: 'returned for supplement' },
  supplement: { zh: '补正', en: 'supplemented' },
  forward: { zh: '报送上一级确认', en: 'forwarded to the next level up' },
  confirm: { zh: '确认', en: 'confirmed' },
  decide: { zh: '作出决定', en: 'decided' },
};

/** BAD_USER_INPUT unless `status` is the one `step` starts from (a step out of order). */
export function checkStepOrder(step: RepairStep, status: RepairStatus): void {
  if (status === FROM[step]) return;
  if (step === 'decide' && ['SUBMITTED', 'RETURNED', 'FORWARDED'].includes(status))
    throw badInput(
      '该信用修复申请尚未经上一级水行政主管部门确认，不能作出决定（第二十五条） / The repair must be confirmed by the next level up before it is decided (Art. 25)',
      'id',
    );
  if (step === 'confirm' && (status === 'SUBMITTED' || status === 'RETURNED'))
    throw badInput(
      '该信用修复申请尚未经主管部门审核报送，上一级不能确认（第二十五条） / The competent authority must check and forward the repair before the next level up confirms it (Art. 25)',
      'id',
    );
  const done = status === 'APPROVED' || status === 'REJECTED';
  const t = STEP_TEXT[step];
  throw badInput(
    done
      ? `该信用修复申请已作出决定（${status}） / The repair has already been decided (${status})`
      : `该信用修复申请状态为 ${status}，不能${t.zh}；只有 ${FROM[step]} 状态的申请可以${t.zh} / The repair is ${status}; only a ${FROM[step]} repair can be ${t.en}`,
    'id',
  );
}

/** The note of a return for supplement: what is missing, required, at most {@link STATEMENT_MAX} characters. */
export function checkReturnNote(note: string | null | undefined): string {
  const n = note?.trim() ?? '';
  if (!n) throw badInput('退回补正须说明需补充的内容（note） / A return for supplement needs a note saying what is missing', 'note');
  if (n.length > STATEMENT_MAX) throw badInput(`note 不得超过${STATEMENT_MAX}字 / note may have at most ${STATEMENT_MAX} characters`, 'note');
  return n;
}

export const PREVIOUS = { zh: '上一步骤', en: 'the previous step' };
export const DETERMINATION = { zh: '信用记录的认定日期', en: "the record's determination" };

/**
 * The date a step happened: `at` (default now), never in the future (beyond the clock slack),
 * never before `notBefore` (the previous step; for a submission, the record's determination).
 * BAD_USER_INPUT naming `at` otherwise.
 */
export function stepAt(at: Date | null | undefined, notBefore: Date, what: { zh: string; en: string } = PREVIOUS, now = Date.now()): Date {
  const when = at ?? new Date(now);
  if (Number.isNaN(when.getTime())) throw badInput('at 不是有效的日期时间 / at is not a valid date-time', 'at');
  if (when.getTime() > now + CLOCK_SLACK_MS) throw badInput('at 不得晚于当前时间 / at may not lie in the future', 'at');
  if (when.getTime() < notBefore.getTime())
    throw badInput(`at 不得早于${what.zh}（${notBefore.toISOString()}） / at may not lie before ${what.en} (${notBefore.toISOString()})`, 'at');
  return when;
}

/** The statement, trimmed: required, at most {@link STATEMENT_MAX} characters. */
export function checkStatement(statement: string): string {
  const s = statement.trim();
  if (!s) throw badInput('修复申请说明不能为空 / statement must not be empty', 'statement');
  if (s.length > STATEMENT_MAX) throw badInput(`修复申请说明不得超过${STATEMENT_MAX}字 / statement may have at most ${STATEMENT_MAX} characters`, 'statement');
  return s;
}

/** Evidence references, trimmed, blanks dropped, duplicates removed; bounded in number and length. */
export function checkEvidence(evidence: readonly string[] | null | undefined): string[] {
  const items = [...new Set((evidence ?? []).map((e) => e.trim()).filter((e) => e.length > 0))];
  if (items.length > EVIDENCE_MAX_ITEMS)
    throw badInput(`证明材料不得超过${EVIDENCE_MAX_ITEMS}项 / at most ${EVIDENCE_MAX_ITEMS} evidence references`, 'evidence');
  if (items.some((e) => e.length > EVIDENCE_ITEM_MAX))
    throw badInput(`每项证明材料不得超过${EVIDENCE_ITEM_MAX}字 / each evidence reference may have at most ${EVIDENCE_ITEM_MAX} characters`, 'evidence');
  return items;
}

/** 信用修复型承诺: refused when explicitly not signed; null when not stated. */
export function checkCommitment(signed: boolean | null | undefined): boolean | null {
  if (signed === false)
    throw badInput(
      '申请信用修复须签署信用修复承诺书（信用修复型承诺） / A repair needs the signed credit-repair commitment (commitmentSigned)',
      'commitmentSigned',
    );
  return signed ?? null;
}

/** A rejection states why: the note, trimmed, required; an approval's note is optional. At most 2000 characters. */
export function checkDecisionNote(approve: boolean, note: string | null | undefined): string | null {
  const n = note?.trim() || null;
  if (!approve && !n) throw badInput('不予修复须说明理由（note） / A rejection needs a note stating why', 'note');
  if (n && n.length > STATEMENT_MAX) throw badInput(`note 不得超过${STATEMENT_MAX}字 / note may have at most ${STATEMENT_MAX} characters`, 'note');
  return n;
}

/** The decision deadline as an instant: the end of the due day `YYYY-MM-DD`, 23:59:59.999 China time (see the module comment). */
export function decisionDueAt(dueDate: string): Date {
  const index = Math.floor(Date.parse(`${dueDate}T00:00:00Z`) / DAY_MS);
  return new Date(chinaDayByIndex(index).end.getTime() - 1);
}
