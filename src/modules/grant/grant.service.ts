import { withTransaction } from '../../platform/context';
import { badInput, forbidden, notFound } from '../../platform/errors';
import { logger } from '../../platform/logger';
import { decodeCursor, encodeCursor } from '../../platform/sql';
import { Page, pageSize, toConnection } from '../../platform/graphql/connection';
import { HubContext } from '../context';
import { ROLES, type Role } from '../../platform/auth/principal';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import { assertAccess, requireEnterprise } from '../enterprise/enterprise.service';
import { stepAt } from '../repair/repair.rules';
import { checkGrant } from './grant.rules';
import { ResultGrantRow, ResultReadRow, findGrant, insertGrant, insertReads, listGrants, setGrantRevoked } from './grant.repository';
import type { ResultGrantInput } from './grant.type';

/** `Enterprise.resultReads` page size when `first` is left out. */
export const RESULT_READS_PAGE = 50;

/** A logged read as the API shows it: the role as recorded, and as a Role unless since retired (stored rows stay history). */
export type ResultReadView = Omit<ResultReadRow, 'readerRole'> & { readerRole: Role | null; readerRoleName: string };
function asRead(r: ResultReadRow): ResultReadView {
  return { ...r, readerRole: (ROLES as readonly string[]).includes(r.readerRole) ? (r.readerRole as Role) : null, readerRoleName: r.readerRole };
}
const GRANT_STEP = { zh: '授权日期', en: 'the grant' };

/**
 * Written authorisations to read an evaluation result (书面授权, Art. 23) and the read log.
 * Only the enterprise grants; it revokes, and so may the security administrator (安全管理员: authorisation
 * management, e.g. a grantee's credentials were compromised), who also lists every grant; the
 * enterprise and the authorities supervising it list its grants;
 * the read log is written once per request by {@link resultReadPlugin}.
 */
export const grantService = {
  /** The enterprise (its own ENTERPRISE token) grants a named party access to its result. */
  async grant(ctx: HubContext, input: ResultGrantInput): Promise<ResultGrantRow> {
    const p = ctx.principal;
    if (p.role !== 'ENTERPRISE')
      throw forbidden('只有企业本身可以授权查询其评价结果 / Only the enterprise itself may authorise others to read its result (Art. 23).');
    return withTransaction(ctx, async (ctx) => {
      const e = await requireEnterprise(ctx, input.creditCode, 'read');
      if (p.creditCode !== e.creditCode) throw forbidden('只能授权查询本单位的评价结果 / You may authorise reads of your own result only.');
      const g = checkGrant(input, e.creditCode);
      const row = await insertGrant(ctx.db, { enterpriseId: e.id, scope: input.scope, grantedBy: p.subject, ...g });
      return row!;
    });
  },

  /** The enterprise (or the security administrator) revokes a grant: from `at` (default now; not in the future, not before the grant) no read relies on it. */
  async revoke(ctx: HubContext, id: string, at?: Date | null): Promise<ResultGrantRow> {
    const p = ctx.principal;
    if (p.role !== 'ENTERPRISE' && p.role !== 'SECURITY_ADMIN')
      throw forbidden('只有企业本身或安全管理员可以撤销授权 / Only the enterprise itself or the security administrator may revoke its grants.');
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound(`No grant ${id}.`);
    return withTransaction(ctx, async (ctx) => {
      const g = await findGrant(ctx.db, id, true);
      if (!g) throw notFound(`No grant ${id}.`);
      const e = await ctx.loaders.enterprise.load(g.enterpriseId);
      if (p.role === 'ENTERPRISE' && (!e || p.creditCode !== e.creditCode)) throw forbidden('只能撤销本单位的授权 / You may revoke your own grants only.');
      if (g.revokedAt) throw badInput(`该授权已于${g.revokedAt.toISOString()}撤销 / the grant was revoked already`, 'id');
      const when = stepAt(at, g.grantedAt, GRANT_STEP);
      return (await setGrantRevoked(ctx.db, id, when, p.subject))!;
    });
  },

  /** Every grant, newest first, `activeOnly`: those in force now (the security administrator's; the resolver checks the role). */
  list(ctx: HubContext, activeOnly: boolean, first?: number | null): Promise<ResultGrantRow[]> {
    return listGrants(ctx.db, activeOnly ? new Date() : null, Math.min(Math.max(first ?? RESULT_READS_PAGE, 0), 500));
  },

  /** The enterprise's grants, newest first: the enterprise and the authorities supervising it (read-only). */
  async ofEnterprise(ctx: HubContext, e: EnterpriseRow): Promise<ResultGrantRow[]> {
    assertAccess(ctx, e, 'internal');
    return ctx.loaders.resultGrants.load(e.id);
  },

  /** Who read the enterprise's result, newest first: the enterprise and the authorities supervising it. */
  async reads(ctx: HubContext, e: EnterpriseRow, first?: number | null, after?: string | null): Promise<Page<ResultReadView>> {
    assertAccess(ctx, e, 'internal');
    const n = pageSize(first, RESULT_READS_PAGE);
    const before = after ? decodeCursor(after) : undefined;
    if (before !== undefined && !/^[0-9]{1,19}$/.test(before)) throw badInput('after is not a cursor returned by this field (pageInfo.endCursor)', 'after');
    const rows = (await ctx.loaders.resultReads(e.id, { limit: n + 1, before: before ?? null })).map(asRead);
    return toConnection(rows, n, (r) => encodeCursor(r.id));
  },

  /** Writes the request's result reads, one statement for all; a failure is logged, never the reader's problem. */
  async flushReads(ctx: HubContext): Promise<void> {
    const access = ctx.resultAccess;
    if (!access?.reads.size) return;
    const reads = [...access.reads.values()].map((r) => ({ enterpriseId: r.enterpriseId, grantId: r.grantId, fields: [...r.fields] }));
    access.reads.clear();
    await insertReads(ctx.db, ctx.principal, access.purposeOf(ctx.principal), ctx.requestId, reads).catch((err: unknown) =>
      logger.error({ err, reads: reads.length }, 'result read log append failed'),
    );
  },
};
