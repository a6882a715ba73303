import type { HubContext } from '../context';
import type { Queryable } from '../../platform/sql';

/**
 * One piece of open work with a deadline (or awaiting a step that starts one): what an
 * authority's inbox and deadline lists are made of. Every workflow with a working-day
 * deadline (repairs, objections, reports, tips, filings, fines, letters) exposes its open
 * items through a {@link WorkSource}.
 */
export interface WorkItem {
  /** The workflow: 'REPAIR', 'OBJECTION', 'REPORT', 'TIP', 'FILING', 'FINE', 'LETTER', … (the WorkKind enum of the schema). */
  kind: string;
  /** The workflow item's own id (a repair's, an objection's, …): the id its own query and mutations take. */
  id: string;
  /** The next step to be done, e.g. 'CHECK', 'CONFIRM', 'DECIDE', 'COMPARE', 'VERIFY', 'ACKNOWLEDGE'. */
  step: string;
  /** The enterprise concerned, when there is one. */
  enterpriseId: string | null;
  /** When the item arrived (receipt, submission, determination): inboxes list oldest first by it. */
  openedAt: Date;
  /** The last day of the deadline now running (YYYY-MM-DD, China time); null while no deadline runs (e.g. a repair awaiting confirmation). */
  dueDate: string | null;
  /** Whether the due date was computed on a year without the official calendar (statutory fallback). */
  provisional: boolean;
  /** A short bilingual summary for a dashboard line ("信用修复待确认 / repair awaiting confirmation"), never personal data. */
  summary: string;
}

/** A workflow's open work, as a source of {@link WorkItem}s. */
export interface WorkSource {
  /**
   * Open items the caller (`ctx.principal`) may act on or oversee: scoped to its jurisdiction
   * and role, oldest first (by openedAt), at most `limit`.
   */
  open(ctx: HubContext, limit: number): Promise<WorkItem[]>;
  /** How many open items hub-wide have a due date before `today` (YYYY-MM-DD, China time): the overdue metric. */
  countOverdue(db: Queryable, today: string): Promise<number>;
  /** How many open items hub-wide are due on `day` (YYYY-MM-DD, China time): the admin `/health` details. Optional: a source without it is left out there. */
  countDueOn?(db: Queryable, day: string): Promise<number>;
}

const sources = new Map<string, WorkSource>();

/**
 * Registers a workflow's source under its kind (registering a kind again replaces it); each
 * workflow registers at module load, as deadline recomputers do (`../deadlines.ts`).
 *
 * @example registerWorkSource('REPAIR', repairWork);
 */
export function registerWorkSource(kind: string, source: WorkSource): void {
  sources.set(kind, source);
}

/** The registered sources, by kind. */
export function workSources(): ReadonlyMap<string, WorkSource> {
  return sources;
}
