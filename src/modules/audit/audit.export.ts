import type express from 'express';
import { GraphQLError } from 'graphql';
import type { HubContext } from '../context';
import { logger } from '../../platform/logger';
import { AuditFilter, AuditLogRow } from './audit.repository';
import { auditService } from './audit.service';

export const AUDIT_EXPORT_PATH = '/admin/audit/export';

const COLUMNS = ['seq', 'id', 'at', 'actor', 'actorRole', 'action', 'targetType', 'targetId', 'outcome', 'detail', 'prevHash', 'hash'] as const;

const csvCell = (v: unknown): string => {
  let s: string;
  if (v === null || v === undefined) s = '';
  else if (v instanceof Date) s = v.toISOString();
  else if (typeof v === 'string') s = v;
  else s = JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const line = (format: 'csv' | 'ndjson', r: AuditLogRow): string =>
  format === 'csv'
    ? `${COLUMNS.map((c) => csvCell(r[c])).join(',')}\r\n`
    : `${JSON.stringify({ ...r, at: r.at instanceof Date ? r.at.toISOString() : r.at })}\n`;

function filterOf(q: express.Request['query']): AuditFilter {
  const text = (k: string) => (typeof q[k] === 'string' ? q[k] : undefined);
  const date = (k: string) => (text(k) === undefined ? undefined : new Date(text(k)!));
  return {
    from: date('from'),
    to: date('to'),
    actor: text('actor'),
    actorRole: text('actorRole'),
    action: text('action'),
    targetType: text('targetType'),
    targetId: text('targetId'),
    outcome: text('outcome'),
  };
}

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400 };

/**
 * `GET /admin/audit/export?from=&to=&actor=&action=…&format=ndjson|csv` with an AUDIT_ADMIN bearer token: the matching
 * entries in chain order, streamed (NDJSON by default; CSV with a header row). The export is audited (`exportAuditLog`,
 * and `exportAuditLog.end` with the count sent); refused attempts are on record too and answer a JSON error with a code.
 */
export function mountAuditExport(app: express.Express, contextOf: (req: express.Request) => Promise<HubContext>): void {
  app.get(AUDIT_EXPORT_PATH, async (req, res) => {
    const format = req.query.format === 'csv' ? 'csv' : req.query.format === undefined || req.query.format === 'ndjson' ? 'ndjson' : undefined;
    const ctx = await contextOf(req);
    if (!format) {
      res.status(400).json({ errors: [{ message: 'format：ndjson 或 csv / format must be ndjson or csv', extensions: { code: 'BAD_USER_INPUT' } }] });
      return;
    }
    const entries = auditService.export(ctx, filterOf(req.query), format);
    let first: IteratorResult<AuditLogRow>;
    try {
      // Checks the role (a refusal is on record) and records the export before anything is sent.
      first = await entries.next();
    } catch (e) {
      const code = e instanceof GraphQLError ? String(e.extensions.code) : 'INTERNAL_SERVER_ERROR';
      if (code === 'INTERNAL_SERVER_ERROR') logger.error({ err: e }, 'audit export failed');
      res
        .status(STATUS[code] ?? 500)
        .json({ errors: [{ message: code === 'INTERNAL_SERVER_ERROR' ? 'audit export failed' : (e as Error).message, extensions: { code } }] });
      return;
    }
    res.status(200);
    res.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="audit-log.${format === 'csv' ? 'csv' : 'ndjson'}"`);
    res.setHeader('cache-control', 'no-store');
    if (format === 'csv') res.write(`${COLUMNS.join(',')}\r\n`);
    let aborted = false;
    req.on('close', () => (aborted = !res.writableEnded));
    try {
      for (let r = first; !r.done; r = await entries.next()) {
        if (aborted) break;
        if (!res.write(line(format, r.value)))
          await new Promise((ok) => {
            res.once('drain', ok);
            res.once('close', ok);
          });
      }
      if (aborted) await entries.return(undefined);
    } catch (err) {
      logger.error({ err }, 'audit export failed midway');
      res.destroy();
      return;
    }
    res.end();
  });
}
