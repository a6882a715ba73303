import type { HubContext } from '../context';
import { badInput, forbidden, unauthenticated } from '../../platform/errors';
import { Page, pageSize, toConnection } from '../../platform/graphql/connection';
import { decodeCursor, encodeCursor, rows } from '../../platform/sql';
import { AuditFilter, AuditLogRow, appendAudit, auditPage } from './audit.repository';

/** The one role that reads and exports the audit log (三员分立: the audit administrator); business roles never do. */
export const AUDIT_READERS = ['AUDIT_ADMIN'] as const;
export const AUDIT_PAGE = 100;
export const AUDIT_PAGE_MAX = 1000;
/** Entries read per statement while exporting. */
const EXPORT_BATCH = 1000;

const FILTER_TEXTS = ['actor', 'actorRole', 'action', 'targetType', 'targetId', 'outcome'] as const;

/** The filter as stored with the entry that records the read (dates as ISO text, absent fields left out). */
function filterFacts(f: AuditFilter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f))
    if (v !== undefined && v !== null) out[k] = v instanceof Date ? (Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString()) : v;
  return out;
}

function checkFilter(f: AuditFilter): void {
  for (const k of FILTER_TEXTS) {
    const v = f[k];
    // eslint-disable-next-line no-control-regex -- a NUL or control character matches no entry and Postgres refuses NUL
    if (typeof v === 'string' && (v.length > 512 || /[\u0000-\u001F\u007F]/.test(v)))
      throw badInput(`filter.${k}：至多 512 个字符，不得含控制字符 / at most 512 characters, no control characters`, `filter.${k}`);
  }
  for (const k of ['from', 'to'] as const) {
    const v = f[k];
    if (v && Number.isNaN(v.getTime())) throw badInput(`filter.${k}：不是有效时间 / not a valid time`, `filter.${k}`);
  }
  if (f.from && f.to && f.from > f.to) throw badInput('filter.from 晚于 filter.to / filter.from is after filter.to', 'filter.from');
}

/**
 * Every read and export of the audit log is itself on record (action `readAuditLog` / `exportAuditLog`), refused ones
 * too: a business role's attempt is FORBIDDEN and appended with that outcome.
 */
async function authorise(ctx: HubContext, action: string, facts: Record<string, unknown>): Promise<void> {
  const p = ctx.principal;
  const refusal =
    p.rejected !== undefined
      ? unauthenticated(p.rejected)
      : p.role === 'PUBLIC'
        ? unauthenticated('审计日志需要审计管理员令牌 / the audit log needs a bearer token of the audit administrator (AUDIT_ADMIN)')
        : !(AUDIT_READERS as readonly string[]).includes(p.role)
          ? forbidden(`审计日志仅审计管理员可读 / the audit log is read by AUDIT_ADMIN only; role ${p.role} may not ${action}`)
          : undefined;
  if (refusal) {
    await appendAudit(ctx.db, p, { action, targetType: 'audit_log', outcome: String(refusal.extensions.code), detail: facts });
    throw refusal;
  }
}

export const auditService = {
  /** A page of entries in chain order (`after`: the cursor of the last entry read). */
  async page(ctx: HubContext, filter: AuditFilter, first?: number | null, after?: string | null): Promise<Page<AuditLogRow>> {
    const facts = { filter: filterFacts(filter), first: first ?? null, after: after ?? null };
    await authorise(ctx, 'readAuditLog', facts);
    const n = pageSize(first, AUDIT_PAGE, AUDIT_PAGE_MAX);
    checkFilter(filter);
    let afterSeq = '0';
    if (after) {
      afterSeq = decodeCursor(after);
      if (!/^\d{1,19}$/.test(afterSeq)) throw badInput('after：不是本列表的游标 / not a cursor of this list', 'after');
    }
    const found = await auditPage(ctx.db, filter, afterSeq, n + 1);
    const page = toConnection(found, n, (r) => encodeCursor(r.seq));
    await appendAudit(ctx.db, ctx.principal, {
      action: 'readAuditLog',
      targetType: 'audit_log',
      outcome: 'OK',
      detail: { ...facts, entries: page.edges.length, fromSeq: page.edges[0]?.node.seq ?? null, toSeq: page.edges.at(-1)?.node.seq ?? null },
    });
    return page;
  },

  /**
   * The entries matching `filter`, in chain order, read `EXPORT_BATCH` at a time, for a streamed export. The export is on
   * record before the first entry is sent (what was asked), and when it ends (how many were sent, up to which seq).
   */
  async *export(ctx: HubContext, filter: AuditFilter, format: string): AsyncGenerator<AuditLogRow> {
    const facts = { filter: filterFacts(filter), format };
    await authorise(ctx, 'exportAuditLog', facts);
    checkFilter(filter);
    const started = await appendAudit(ctx.db, ctx.principal, { action: 'exportAuditLog', targetType: 'audit_log', outcome: 'OK', detail: facts });
    // The export's own entry (and what follows it) is not part of what it exports.
    const [{ seq: until }] = await rows<{ seq: string }>(ctx.db, `SELECT seq::text AS seq FROM audit_log WHERE id = $1`, [started]);
    let last = '0';
    let sent = 0;
    let complete = false;
    try {
      for (;;) {
        const page = (await auditPage(ctx.db, filter, last, EXPORT_BATCH)).filter((r) => BigInt(r.seq) < BigInt(until));
        for (const r of page) {
          yield r;
          last = r.seq;
          sent++;
        }
        if (page.length < EXPORT_BATCH) break;
      }
      complete = true;
    } finally {
      await appendAudit(ctx.db, ctx.principal, {
        action: 'exportAuditLog.end',
        targetType: 'audit_log',
        outcome: complete ? 'OK' : 'ABORTED',
        detail: { entryId: started, sent, lastSeq: last },
      }).catch(() => undefined);
    }
  },
};
