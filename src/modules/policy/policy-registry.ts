import type { Database } from '../../platform/db';
import { logger } from '../../platform/logger';
import { CreditPolicy, checkPolicySet, parsePolicy } from './credit-policy';
import type { KnownPolicy, PolicyOrigin } from './policy-publish.rules';
import { POLICY_CHANNEL, PolicyVersionRow, publishedPolicies, publishedStamp } from './policy-version.repository';

/** Who published a stored policy, and when. */
export interface PolicyProvenance {
  origin: PolicyOrigin;
  publishedBy: string | null;
  publishedAt: Date | null;
}

/** How often a started registry checks the table when no notification arrived (lost connection, missed NOTIFY). */
export const POLICY_POLL_MS = 60_000;

/**
 * The one source of the credit policies in a process: the files shipped in schema/policies/
 * and the versions administrators published (credit_policy_version), checked together
 * (unique versions, terms that do not overlap). Every context takes `current()` when it is
 * made (`ctx.policies`), so a request or job sees one consistent set.
 *
 * Processes share the database, not memory: a publish notifies `hub_credit_policy` on commit
 * and every started registry reloads on it (Postgres LISTEN/NOTIFY), with a cheap periodic
 * check as fallback (`POLICY_POLL_MS`; the count and latest publish time, the table only
 * grows). The publishing process refreshes itself after its commit, which is all the embedded
 * database (one process) needs.
 */
export class PolicyRegistry {
  private all: CreditPolicy[];
  private published = new Map<string, PolicyVersionRow>();
  private stamp = '';
  private queue: Promise<unknown> = Promise.resolve();
  private unlisten?: () => Promise<void>;
  private timer?: NodeJS.Timeout;

  constructor(
    /** The shipped documents, validated (loadPolicies). */
    readonly shipped: readonly CreditPolicy[],
    /** Where published versions are stored; without one, the shipped files are all there is. */
    private readonly database?: Database,
  ) {
    this.all = checkPolicySet([...shipped]);
  }

  /** A registry over `policies` (kept as is when it is one already). */
  static of(policies: readonly CreditPolicy[] | PolicyRegistry, database?: Database): PolicyRegistry {
    return policies instanceof PolicyRegistry ? policies : new PolicyRegistry(policies, database);
  }

  /** Every policy known now, oldest term first. */
  current(): CreditPolicy[] {
    return this.all;
  }

  /** Every policy known now with its origin (what a publish is checked against, besides the table itself). */
  known(): KnownPolicy[] {
    return this.all.map((policy) => ({ policy, origin: this.published.has(policy.version) ? 'PUBLISHED' : 'SHIPPED' }));
  }

  /** Where a known version came from (undefined for an unknown one). */
  provenance(version: string): PolicyProvenance | undefined {
    const row = this.published.get(version);
    if (row) return { origin: 'PUBLISHED', publishedBy: row.publishedBy, publishedAt: row.publishedAt };
    return this.all.some((p) => p.version === version) ? { origin: 'SHIPPED', publishedBy: null, publishedAt: null } : undefined;
  }

  /**
   * Reloads the published versions when the table changed; true when the set changed.
   * Refreshes run one after another, so one asked for after a commit reads that commit.
   * `strict` (at start) throws when the stored versions do not fit the shipped files;
   * otherwise the problem is logged and the set in use is kept.
   */
  refresh(opts: { strict?: boolean } = {}): Promise<boolean> {
    const run = this.queue.then(() => this.load(opts.strict ?? false));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(strict: boolean): Promise<boolean> {
    if (!this.database) return false;
    try {
      const m = this.database.manager;
      const stamp = await publishedStamp(m);
      if (stamp === this.stamp) return false;
      const rows = await publishedPolicies(m);
      const parsed = rows.map((r) => parsePolicy(r.document, `published credit policy ${r.version} (credit_policy_version)`));
      const all = checkPolicySet([...this.shipped, ...parsed]);
      const before = this.all.map((p) => p.version).join(',');
      this.all = all;
      this.published = new Map(rows.map((r) => [r.version, r]));
      this.stamp = stamp;
      const versions = all.map((p) => p.version);
      if (versions.join(',') !== before) logger.info({ policies: versions, published: rows.length }, 'credit policies loaded');
      return versions.join(',') !== before;
    } catch (e) {
      const message = `the published credit policies do not fit the shipped ones (schema/policies/): ${(e as Error).message}`;
      if (strict) throw new Error(message, { cause: e });
      logger.error({ err: e }, 'credit policies not refreshed; the set in use is kept');
      return false;
    }
  }

  /**
   * Loads the published versions (strict: a conflict with the shipped files stops the start)
   * and keeps following publishes from any process. Call once the database is migrated.
   */
  async start(opts: { pollMs?: number } = {}): Promise<void> {
    await this.refresh({ strict: true });
    if (!this.database || this.timer) return;
    this.unlisten = await this.database.listen(POLICY_CHANNEL, () => void this.refresh());
    this.timer = setInterval(() => void this.refresh(), opts.pollMs ?? POLICY_POLL_MS);
    this.timer.unref();
  }

  /** Stops following publishes (the set in use stays). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.unlisten?.();
    this.unlisten = undefined;
  }
}
