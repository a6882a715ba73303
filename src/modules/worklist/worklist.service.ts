import { badInput, forbidden } from '../../platform/errors';
import { EVALUATORS, hasRole } from '../../platform/auth/access.rules';
import { chinaDateString } from '../../platform/china-time';
import type { Queryable } from '../../platform/sql';
import { pageSize } from '../../platform/graphql/connection';
import type { HubContext } from '../context';
import { WORK_KINDS, WORK_STATES } from '../graphql-enums';
import type { WorkKind, WorkState } from '../graphql-enums';
import { calendarYears } from '../calendar/calendar.repository';
import { calendarSource } from '../calendar/working-days.rules';
import type { CalendarSource } from '../calendar/working-days.rules';
import { workSources } from './work-source';
import type { WorkItem } from './work-source';
import { DUE_SOON_DEFAULT, DUE_SOON_MAX, WorkingDayCounter, span, standing } from './worklist.rules';
import type { Standing } from './worklist.rules';

/** `inbox` page size when `first` is left out; also the schema's default. */
export const INBOX_PAGE = 50;
/** Open items read per kind: the inbox's bound (states are computed in memory over them). */
export const MAX_OPEN_PER_KIND = 2000;

export interface InboxArgs {
  state?: readonly WorkState[] | null;
  kinds?: readonly WorkKind[] | null;
  dueWithinWorkingDays?: number | null;
  first?: number | null;
  offset?: number | null;
}

export type InboxItem = WorkItem & Standing & { deadline: { dueDate: string; provisional: boolean } | null };

export interface InboxView {
  today: string;
  items: InboxItem[];
  totalCount: number;
  counts: { state: WorkState; count: number }[];
  hasNextPage: boolean;
  truncated: boolean;
}

/** The China date of now: what "today" is for deadlines. */
export const chinaToday = (now = new Date()) => chinaDateString(now);

/** The calendar (loaded years first) for every year from `from` to `to`, `YYYY-MM-DD`. */
async function calendarFor(db: Queryable, from: string, to: string): Promise<CalendarSource> {
  const years: number[] = [];
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) years.push(y);
  const loaded = await calendarYears(db, years);
  return calendarSource(new Map(loaded.map((y) => [y.year, y] as const)));
}

/**
 * Inboxes (issue 10 item 7): every registered {@link WorkSource}'s open items that the caller
 * may act on or oversee, in one list, oldest first, each with its standing against its deadline
 * as of today (China time) on the official calendar. Deadline lists ("due, due soon, overdue,
 * with how late") are the same list filtered by state.
 */
export const worklistService = {
  async inbox(ctx: HubContext, args: InboxArgs): Promise<InboxView> {
    const p = ctx.principal;
    if (!hasRole(p, EVALUATORS)) throw forbidden(`收件箱仅供主管部门使用 / Role ${p.role} has no inbox; authorities only.`);
    const first = pageSize(args.first, INBOX_PAGE);
    const offset = args.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0 || offset > 100_000)
      throw badInput('offset 须在 0 至 100000 之间 / offset must be between 0 and 100000', 'offset');
    const window = args.dueWithinWorkingDays ?? DUE_SOON_DEFAULT;
    if (!Number.isInteger(window) || window < 0 || window > DUE_SOON_MAX)
      throw badInput(
        `dueWithinWorkingDays 须在 0 至 ${DUE_SOON_MAX} 之间 / dueWithinWorkingDays must be between 0 and ${DUE_SOON_MAX}`,
        'dueWithinWorkingDays',
      );
    const kinds = new Set<string>(args.kinds?.length ? args.kinds : WORK_KINDS);
    const states = args.state?.length ? new Set<WorkState>(args.state) : null;

    const chosen = [...workSources()].filter(([kind]) => kinds.has(kind));
    const batches = await Promise.all(chosen.map(([, source]) => source.open(ctx, MAX_OPEN_PER_KIND + 1)));
    const truncated = batches.some((b) => b.length > MAX_OPEN_PER_KIND);
    const open = batches.flatMap((b) => b.slice(0, MAX_OPEN_PER_KIND));

    const today = chinaToday();
    const [from, to] = span(
      today,
      open.map((i) => i.dueDate),
    );
    const counter = new WorkingDayCounter(from, to, await calendarFor(ctx.db, from, to));
    const all: InboxItem[] = open.map((i) => ({
      ...i,
      ...standing(i.dueDate, today, window, counter),
      deadline: i.dueDate === null ? null : { dueDate: i.dueDate, provisional: i.provisional },
    }));
    all.sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime() || a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));

    const tally = new Map<WorkState, number>(WORK_STATES.map((s) => [s, 0]));
    for (const i of all) tally.set(i.state, tally.get(i.state)! + 1);
    const matching = states ? all.filter((i) => states.has(i.state)) : all;
    return {
      today,
      items: matching.slice(offset, offset + first),
      totalCount: matching.length,
      counts: WORK_STATES.map((state) => ({ state, count: tally.get(state)! })),
      hasNextPage: matching.length > offset + first,
      truncated,
    };
  },

  /**
   * Hub-wide overdue items per registered kind, as of today (China time): the `hub_work_overdue`
   * metric and the admin `/health` details. One count statement per kind.
   */
  async overdueByKind(db: Queryable, today = chinaToday()): Promise<Record<string, number>> {
    const entries = await Promise.all([...workSources()].map(async ([kind, s]) => [kind, await s.countOverdue(db, today)] as const));
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
  },

  /** Hub-wide items due today per kind (the kinds whose source counts them), for the admin `/health` details. */
  async dueTodayByKind(db: Queryable, today = chinaToday()): Promise<Record<string, number>> {
    const entries = await Promise.all(
      [...workSources()].flatMap(([kind, s]) => (s.countDueOn ? [s.countDueOn(db, today).then((n) => [kind, n] as const)] : [])),
    );
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
  },

  /** The `work` block of `/health` for an administrator: overdue and due today, per kind, as of today. */
  async healthDetails(db: Queryable): Promise<{ today: string; overdue: Record<string, number>; dueToday: Record<string, number> }> {
    const today = chinaToday();
    const [overdue, dueToday] = await Promise.all([this.overdueByKind(db, today), this.dueTodayByKind(db, today)]);
    return { today, overdue, dueToday };
  },
};
