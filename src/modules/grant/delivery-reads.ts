import type { Context } from '../../platform/context';
import { logger } from '../../platform/logger';
import type { Queryable } from '../../platform/sql';
import type { HubContext } from '../context';
import { RATING_CHANGED, RatingChangedEvent } from '../outbox/outbox';

/** One delivered message to log: who received which enterprise's result, relying on what purpose. */
interface DeliveredRead {
  enterpriseId: string;
  subject: string;
  role: string;
  agency: string | null;
  purpose: string;
  requestId: string;
  at: Date;
}

/** The fields a `ratingChanged` message discloses, as `result_read.fields` names them. */
export const SUBSCRIPTION_FIELDS = ['ratingChanged'];

const isRatingChange = (e: unknown): e is RatingChangedEvent =>
  typeof e === 'object' && e !== null && (e as RatingChangedEvent).type === RATING_CHANGED && typeof (e as RatingChangedEvent).enterpriseId === 'string';

/**
 * The result reads of `ratingChanged` deliveries (Art. 23): one `result_read` row per message and
 * subscriber, noted on the send path by an array push only and written in batches — every
 * `maxRows` rows or `intervalMs` after the first unwritten one, one set-based INSERT (`unnest`) per
 * batch, so a burst of 200 changes to 1,000 subscribers is a few hundred statements, not 200,000.
 * A failed write is logged and dropped (the reader never waits for, nor fails by, the log).
 */
export class DeliveryReadLog {
  private rows: DeliveredRead[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly writing = new Set<Promise<void>>();

  constructor(
    private readonly db: Queryable,
    private readonly maxRows = 500,
    private readonly intervalMs = 1000,
  ) {}

  /** Notes that the subscriber of `ctx` was sent `event`: nothing for the enterprise itself, PUBLIC, or an event that is not a result. */
  note(c: Context, event: unknown): void {
    if (!isRatingChange(event)) return;
    const ctx = c as HubContext;
    const p = ctx.principal;
    // The resolvers ran in one subscriber's context for all who share the answer: their notes are replaced by this log.
    ctx.resultAccess?.reads.clear();
    if (p.role === 'PUBLIC' || (p.role === 'ENTERPRISE' && p.creditCode === event.creditCode)) return;
    const purpose = ctx.resultAccess ? ctx.resultAccess.purposeOf(p) : '未说明 / not stated';
    this.rows.push({
      enterpriseId: event.enterpriseId,
      subject: p.subject,
      role: p.role,
      agency: p.agency ?? null,
      purpose,
      requestId: ctx.requestId,
      at: new Date(),
    });
    if (this.rows.length >= this.maxRows) this.write();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.write(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Writes what is buffered and waits for every write under way (shutdown, tests). */
  async flush(): Promise<void> {
    this.write();
    await Promise.all([...this.writing]);
  }

  private write(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.rows.length) return;
    const batch = this.rows;
    this.rows = [];
    const w = insertDeliveredReads(this.db, batch).catch((err: unknown) => logger.error({ err, reads: batch.length }, 'result read log append failed'));
    this.writing.add(w);
    void w.finally(() => this.writing.delete(w));
  }
}

/** One statement for a batch of delivered reads (eight array parameters: no bind-parameter limit). */
async function insertDeliveredReads(m: Queryable, reads: readonly DeliveredRead[]): Promise<void> {
  await m.query(
    `INSERT INTO result_read (enterprise_id, reader_subject, reader_role, reader_agency, purpose, fields, request_id, read_at)
     SELECT r.e, r.subj, r.rl, r.ag, r.pu, $8::text[], r.rq, r.ts
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) AS r(e, subj, rl, ag, pu, rq, ts)`,
    [
      reads.map((r) => r.enterpriseId),
      reads.map((r) => r.subject),
      reads.map((r) => r.role),
      reads.map((r) => r.agency),
      reads.map((r) => r.purpose),
      reads.map((r) => r.requestId),
      reads.map((r) => r.at),
      SUBSCRIPTION_FIELDS,
    ],
  );
}
