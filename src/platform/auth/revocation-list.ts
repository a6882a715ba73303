import { logger } from '../logger';
import { Queryable, rows } from '../sql';
import type { Principal } from './principal';
import type { RevocationCheck } from './token-verifier';

/** The channel a revocation is announced on (`pg_notify`): every hub process reloads its list at once. */
export const REVOCATION_CHANNEL = 'hub_token_revocation';

/** In this process: a revocation was just written (the lists of this process reload without waiting for NOTIFY). */
const started = new Set<RevocationList>();

/**
 * Announces a revocation written through `m` to the other hub processes (call it inside the writing transaction: NOTIFY
 * is delivered on commit); they reload on NOTIFY, or at worst within their refresh interval.
 */
export async function announceRevocation(m: Queryable): Promise<void> {
  await m.query(`SELECT pg_notify('${REVOCATION_CHANNEL}', '')`);
}

/** After the revocation committed: this process's lists reload now (the embedded database has no NOTIFY). */
export async function revocationCommitted(): Promise<void> {
  await Promise.all([...started].map((l) => l.refresh()));
}

/**
 * The revocations in force (`token_revocation` rows whose `until` lies ahead), held in memory so that checking a request
 * costs a set lookup. Every process reloads the list when a revocation is announced (Postgres LISTEN/NOTIFY, as the
 * policy registry does: no Redis needed, embedded included) and every `refreshMs` anyway, for a notification lost with
 * its connection. A revocation thus reaches every process at once, at worst within `refreshMs`.
 *
 * A revocation by subject refuses that subject's tokens issued up to the revocation (`iat` ≤ `revoked_at`); a new
 * sign-in afterwards works.
 */
export class RevocationList implements RevocationCheck {
  private jtis = new Set<string>();
  private subjects = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private unlisten?: () => Promise<void>;
  private warned = false;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly db: { manager: Queryable; listen?(channel: string, fn: () => void): Promise<() => Promise<void>> },
    private readonly refreshMs: number,
  ) {}

  isRevoked(p: Principal): boolean {
    if (p.tokenId !== undefined && this.jtis.has(p.tokenId)) return true;
    const at = this.subjects.get(p.subject);
    return at !== undefined && (p.issuedAt ?? 0) <= at;
  }

  /** Called after every reload (the WebSocket server closes the sockets of tokens revoked meanwhile). */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Reloads the list; keeps the previous one when the database does not answer (or is not migrated yet). */

  async refresh(): Promise<void> {
    try {
      const list = await rows<{ jti: string | null; subject: string | null; at: number }>(
        this.db.manager,
        `SELECT jti, subject, (extract(epoch FROM revoked_at) * 1000)::float8 AS at FROM token_revocation WHERE until > now()`,
      );
      this.jtis = new Set(list.flatMap((r) => (r.jti ? [r.jti] : [])));
      this.subjects = new Map(list.flatMap((r) => (r.subject ? [[r.subject, Number(r.at)] as const] : [])));
      this.warned = false;
    } catch (err) {
      // Before the first migration (the hub listens while migrating) the table does not exist yet.
      const missing = (err as { code?: string; driverError?: { code?: string } }).driverError?.code === '42P01' || (err as { code?: string }).code === '42P01';
      if (!this.warned && !missing) logger.warn({ err }, 'the token revocation list could not be reloaded; the last one stays in force');
      this.warned = true;
      return;
    }
    for (const fn of this.listeners) fn();
  }

  async start(): Promise<void> {
    await this.refresh();
    started.add(this);
    this.unlisten = await this.db.listen?.(REVOCATION_CHANNEL, () => void this.refresh());
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    started.delete(this);
    await this.unlisten?.();
  }
}
