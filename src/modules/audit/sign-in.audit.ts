import type { RejectionCode } from '../../platform/auth/principal';
import { rejectedPrincipal } from '../../platform/auth/principal';
import { Queryable } from '../../platform/sql';
import { appendAudit } from './audit.repository';

/**
 * A refused sign-in (a bearer token the hub refused, over HTTP or in a WebSocket's connection_init): one `signIn` entry
 * with the reason code and the transport; nothing of the token (not even its subject: an unverified claim).
 */
export async function auditSignInRefused(m: Queryable, reason: RejectionCode, transport: string): Promise<void> {
  await appendAudit(m, rejectedPrincipal(reason, reason), { action: 'signIn', targetType: 'token', outcome: 'UNAUTHENTICATED', detail: { reason, transport } });
}
