import { announceRevocation, revocationCommitted } from '../../platform/auth/revocation-list';
import { withTransaction } from '../../platform/context';
import { badInput } from '../../platform/errors';
import type { HubContext } from '../context';
import { insertRevocation } from './token-revocation.repository';
import type { RevocationReason, TokenRevocation } from './token-revocation.type';

/** How long a revocation stays in force by default: longer than any token the hub accepts without --allow-long. */
export const REVOCATION_DEFAULT_SECONDS = 30 * 86400;

function identifier(value: string, field: string): string {
  const v = value.trim();
  const control = [...v].some((c) => c.charCodeAt(0) < 0x20);
  if (!v || v.length > 200 || control) throw badInput(`${field} 须为 1–200 个可见字符 / ${field} must be 1–200 printable characters`, field);
  return v;
}

/**
 * Revokes tokens (issue 11 item 1). The row is written and announced (NOTIFY) in one transaction; this process's list
 * reloads at once, the others on NOTIFY or within HUB_REVOCATION_REFRESH_MS. Requests with the token are then refused
 * UNAUTHENTICATED (REVOKED) and its open sockets close with 4403.
 */
export const tokenRevocationService = {
  /** One token, by its `jti`; `until` (default 30 days ahead) must lie in the future. */
  async revokeToken(ctx: HubContext, jti: string, reason: RevocationReason, until?: Date | null): Promise<TokenRevocation> {
    const id = identifier(jti, 'jti');
    if (until && until.getTime() <= Date.now()) throw badInput('until 须晚于现在 / until must lie in the future', 'until');
    return this.write(ctx, { jti: id, reason, until: until ?? undefined });
  },

  /** Every token of `subject` issued up to now (a new sign-in afterwards works). */
  async revokeTokensOf(ctx: HubContext, subject: string, reason: RevocationReason): Promise<TokenRevocation> {
    return this.write(ctx, { subject: identifier(subject, 'subject'), reason });
  },

  async write(ctx: HubContext, r: { jti?: string; subject?: string; reason: RevocationReason; until?: Date }): Promise<TokenRevocation> {
    const row = await withTransaction(ctx, async (tx) => {
      const inserted = await insertRevocation(tx.db, { ...r, revokedBy: tx.principal.subject, forSeconds: REVOCATION_DEFAULT_SECONDS });
      await announceRevocation(tx.db);
      return inserted;
    });
    await revocationCommitted();
    return row;
  },
};
