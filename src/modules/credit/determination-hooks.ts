import type { HubContext } from '../context';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import type { CreditRecordRow } from './credit-record.repository';
import type { CreditRecordStatus } from './credit.rules';

/**
 * What runs in the transaction of every determination, after the record is stored and before the
 * re-grade: e.g. filing upward and the platform push (src/modules/filing, Art. 7). Modules that
 * react to determinations register at module load, so the credit module depends on none of them.
 */
export type DeterminationHook = (ctx: HubContext, e: EnterpriseRow, record: CreditRecordRow) => Promise<void>;

const hooks = new Map<string, DeterminationHook>();

/** Registers a hook under `name` (registering a name again replaces it). */
export function onDetermined(name: string, hook: DeterminationHook): void {
  hooks.set(name, hook);
}

/** Runs every registered hook, one after another, in `ctx`'s transaction. */
export async function runDeterminationHooks(ctx: HubContext, e: EnterpriseRow, record: CreditRecordRow): Promise<void> {
  for (const hook of hooks.values()) await hook(ctx, e, record);
}

/** Why a record's status changed: the workflow step that changed it (its id), or an officer's direct change. */
export interface StatusCause {
  kind: 'REPAIR' | 'OBJECTION' | 'REPORT' | 'OFFICER';
  id: string | null;
  /** When the step that changed it happened (its `at`). */
  at: Date;
}

/** What runs in the transaction of every status change of a record (after the update, before the re-grade). */
export type StatusHook = (ctx: HubContext, e: EnterpriseRow, record: CreditRecordRow, previous: CreditRecordStatus, cause: StatusCause) => Promise<void>;

const statusHooks = new Map<string, StatusHook>();

/** Registers a status-change hook under `name` (registering a name again replaces it). */
export function onStatusChanged(name: string, hook: StatusHook): void {
  statusHooks.set(name, hook);
}

/** Runs every registered status-change hook, one after another, in `ctx`'s transaction. */
export async function runStatusHooks(
  ctx: HubContext,
  e: EnterpriseRow,
  record: CreditRecordRow,
  previous: CreditRecordStatus,
  cause: StatusCause,
): Promise<void> {
  for (const hook of statusHooks.values()) await hook(ctx, e, record, previous, cause);
}
