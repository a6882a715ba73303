import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { HubContext } from '../context';
import { AuditLogEntry, AuditLogEntryConnection, AuditLogFilter } from './audit.type';
import { AUDIT_PAGE, auditService } from './audit.service';

/** The audit log for the audit administrator (三员分立): filtered, paged in chain order; each read is itself on record. */
@Resolver(() => AuditLogEntry)
export class AuditLogResolver {
  // No @Authorized: the service checks the role so that a refused read is on record too.
  @Query(() => AuditLogEntryConnection, {
    description:
      '审计日志 (AUDIT_ADMIN only; other roles FORBIDDEN): entries in hash-chain order (seq), filtered; every read, refused ones too, appends a `readAuditLog` entry. Export: GET /admin/audit/export.',
  })
  auditLog(
    @Ctx() ctx: HubContext,
    @Arg('filter', () => AuditLogFilter, { nullable: true }) filter?: AuditLogFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: AUDIT_PAGE, description: 'Page size, 0–1000 (default 100).' }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page.' }) after?: string | null,
  ) {
    return auditService.page(ctx, filter ?? {}, first, after);
  }
}
