import { chinaDateString } from '../../platform/china-time';
import type { DishonestyLevel } from '../policy/credit-policy';

/**
 * What an enforcement case (行政执法案件) established, as of a date, and what the annex
 * derives from it: the record's level (rows 1–5) and direct grading (row 6). Pure: the
 * enforcement module loads the facts, the credit engine and the case service both ask here.
 *
 * Conventions (workflows.md "Enforcement cases"): a deadline is the whole of its last day, so
 * `deadline` and `dueAt` are the first instant after it (00:00 China time of the next day); a
 * notice complied with after its deadline was not complied with "within the deadline".
 */

/** 责令整改通知书: number, issued, deadline, complied with on which day (null: not yet / never). */
export interface NoticeFacts {
  noticeNo: string;
  issuedAt: Date;
  /** First instant after the deadline's last day. */
  deadline: Date;
  compliedAt: Date | null;
}

/** 罚款 (行政处罚决定书): decision number, served, due (calendar days rolled to a working day), paid on which day. */
export interface FineFacts {
  decisionNo: string;
  servedAt: Date;
  /** First instant after the payment period's last day. */
  dueAt: Date;
  paidAt: Date | null;
}

export interface CaseFacts {
  caseId: string;
  caseNo: string;
  indicator: string;
  /** In issuing order. */
  notices: NoticeFacts[];
  fines: FineFacts[];
}

export const NOTICE_STATES = ['COMPLIED', 'MISSED', 'PENDING'] as const;
export type NoticeState = (typeof NOTICE_STATES)[number];
export const FINE_STATES = ['PAID_ON_TIME', 'LATE', 'PENDING'] as const;
export type FineState = (typeof FINE_STATES)[number];

/** The direct-grading thresholds of the policy (annex row 6). */
export interface DirectGradingRule {
  cNotices: number;
  dNotices: number;
}

export interface CaseOutcome {
  /** Each notice's state at asOf, in issuing order. */
  notices: { noticeNo: string; state: NoticeState }[];
  fines: { decisionNo: string; state: FineState }[];
  /** The longest run of consecutive notices not complied with by their deadlines. */
  missedRun: string[];
  fined: boolean;
  /** A fine not paid by its due date (paid late, or unpaid after it). */
  fineLate: boolean;
  /** The last notice was complied with in time. */
  rectified: boolean;
  /** 一般 rectified as ordered / 较重 fined, rectified / 严重 fined, not rectified; null while nothing is established. */
  level: DishonestyLevel | null;
  /** Direct C: `cNotices` missed in a row, a fine late, and the next notice complied with in time. */
  directC: boolean;
  /** Direct D (the area check is the engine's): `dNotices` missed in a row and a fine late. */
  directD: boolean;
  /** The facts in words, for reasons. */
  facts: { zh: string; en: string };
}

/** A notice at `asOf`: complied with before its deadline, missed (complied late, or not by then), or pending. */
export function noticeState(n: NoticeFacts, asOf: Date): NoticeState {
  if (n.compliedAt && n.compliedAt <= asOf) return n.compliedAt < n.deadline ? 'COMPLIED' : 'MISSED';
  return n.deadline <= asOf ? 'MISSED' : 'PENDING';
}

/** A fine at `asOf`: paid before its due instant, late (paid late, or unpaid after it), or pending. */
export function fineState(f: FineFacts, asOf: Date): FineState {
  if (f.paidAt && f.paidAt <= asOf) return f.paidAt < f.dueAt ? 'PAID_ON_TIME' : 'LATE';
  return f.dueAt <= asOf ? 'LATE' : 'PENDING';
}

/**
 * The case as of `asOf`: only what had happened by then counts (a notice whose deadline has
 * not passed is pending, a fine not yet due is pending).
 *
 * @example caseOutcome(facts, new Date(), { cNotices: 2, dNotices: 3 }, true).directD
 */
export function caseOutcome(c: CaseFacts, asOf: Date, rule: DirectGradingRule, hasSevere = true): CaseOutcome {
  const issued = c.notices.filter((n) => n.issuedAt <= asOf).sort((a, b) => a.issuedAt.getTime() - b.issuedAt.getTime());
  const notices = issued.map((n) => ({ noticeNo: n.noticeNo, state: noticeState(n, asOf) }));
  const served = c.fines.filter((f) => f.servedAt <= asOf);
  const fines = served.map((f) => ({ decisionNo: f.decisionNo, state: fineState(f, asOf) }));

  let missedRun: string[] = [];
  let run: string[] = [];
  let runEnd = -1;
  notices.forEach((n, i) => {
    run = n.state === 'MISSED' ? [...run, n.noticeNo] : [];
    if (run.length > missedRun.length) [missedRun, runEnd] = [run, i];
  });
  const fined = fines.length > 0;
  const fineLate = fines.some((f) => f.state === 'LATE');
  const last = notices.at(-1);
  const rectified = last?.state === 'COMPLIED';
  const notRectified = last?.state === 'MISSED';
  const level: DishonestyLevel | null = fined ? (notRectified && hasSevere ? 'SEVERE' : 'SERIOUS') : notices.length ? 'GENERAL' : null;
  const next = notices[runEnd + 1];
  const directD = missedRun.length >= rule.dNotices && fineLate;
  const directC = !directD && missedRun.length >= rule.cNotices && fineLate && next?.state === 'COMPLIED';
  return { notices, fines, missedRun, fined, fineLate, rectified, level, directC, directD, facts: describeCase(c, notices, fines, issued, served) };
}

function describeCase(
  c: CaseFacts,
  notices: CaseOutcome['notices'],
  fines: CaseOutcome['fines'],
  issued: NoticeFacts[],
  served: FineFacts[],
): { zh: string; en: string } {
  const zhNotice = { COMPLIED: '按期整改', MISSED: '未按期整改', PENDING: '整改期限未届满' } as const;
  const enNotice = { COMPLIED: 'complied with in time', MISSED: 'not complied with by its deadline', PENDING: 'deadline not yet reached' } as const;
  const zhFine = { PAID_ON_TIME: '已按时缴纳', LATE: '未按时缴纳', PENDING: '缴纳期限未届满' } as const;
  const enFine = { PAID_ON_TIME: 'paid in time', LATE: 'not paid in time', PENDING: 'not yet due' } as const;
  const zh = [
    ...notices.map((n, i) => `责令整改通知书${n.noticeNo}（期限至${chinaDateString(new Date(issued[i].deadline.getTime() - 1))}）${zhNotice[n.state]}`),
    ...fines.map((f, i) => `罚款（${f.decisionNo}，缴纳期限至${chinaDateString(new Date(served[i].dueAt.getTime() - 1))}）${zhFine[f.state]}`),
  ];
  const en = [
    ...notices.map((n, i) => `notice ${n.noticeNo} (due ${chinaDateString(new Date(issued[i].deadline.getTime() - 1))}) ${enNotice[n.state]}`),
    ...fines.map((f, i) => `fine ${f.decisionNo} (due ${chinaDateString(new Date(served[i].dueAt.getTime() - 1))}) ${enFine[f.state]}`),
  ];
  return {
    zh: `案件${c.caseNo}：${zh.length ? zh.join('；') : '尚无整改通知或罚款'}`,
    en: `case ${c.caseNo}: ${en.length ? en.join('; ') : 'no notice or fine yet'}`,
  };
}
