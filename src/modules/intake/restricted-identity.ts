/**
 * A submitter's identity (a reporter's, Art. 28; a tipster's, Art. 8) is restricted personal
 * data: only the supervising authority in scope of the enterprise concerned sees it, and every
 * read is audited (never the identity itself: only which submissions were read). Reads are
 * batched per database handle and kind: a page of submissions read together costs one audit
 * statement, whatever its size.
 */
import DataLoader from 'dataloader';
import type { Db } from '../../platform/context';
import { mayWrite, Scoped } from '../../platform/auth/access.rules';
import type { HubContext } from '../context';
import { appendAudit } from '../audit/audit.repository';

/** What kind of submission an identity belongs to: the audit entry's action, target type and detail key. */
export interface RestrictedKind {
  /** e.g. 'readReporterIdentity'. */
  action: string;
  /** e.g. 'false_info_report'. */
  targetType: string;
  /** The detail key listing the ids read, e.g. 'reportIds'. */
  idsKey: string;
}

const loaders = new WeakMap<Db, Map<string, DataLoader<string, true>>>();

function auditRead(ctx: HubContext, kind: RestrictedKind, id: string): Promise<true> {
  let byKind = loaders.get(ctx.db);
  if (!byKind) loaders.set(ctx.db, (byKind = new Map<string, DataLoader<string, true>>()));
  let loader = byKind.get(kind.action);
  if (!loader) {
    loader = new DataLoader<string, true>(async (ids) => {
      await appendAudit(ctx.db, ctx.principal, {
        action: kind.action,
        targetType: kind.targetType,
        targetId: ids.length === 1 ? ids[0] : null,
        outcome: 'OK',
        detail: { [kind.idsKey]: [...ids] },
      });
      return ids.map(() => true as const);
    });
    byKind.set(kind.action, loader);
  }
  return loader.load(id);
}

/**
 * The identity `value()` of submission `id` about enterprise `e`: to the supervising authority in
 * scope only (the read audited), null to everyone else; null without an audit entry when the
 * submitter gave none (`present` false).
 */
export async function readRestrictedIdentity<T>(
  ctx: HubContext,
  kind: RestrictedKind,
  id: string,
  e: Scoped,
  present: boolean,
  /** Called only for a reader who may see it (the identity is decrypted then, not for everyone). */
  value: () => T,
): Promise<T | null> {
  if (!present) return null;
  if (!mayWrite(ctx.principal, e)) return null;
  await auditRead(ctx, kind, id);
  return value();
}
