/**
 * Art. 23 for results delivered rather than queried: a grade change pushed to a partner over
 * the `ratingChanged` subscription, or POSTed to its webhook, is a read of the enterprise's
 * result by someone other than the enterprise, logged in `result_read` like a query's read.
 * Subscription deliveries are buffered off the send path and written set-based (one INSERT per
 * second or per {@link FLUSH_AT} rows: 200 changes to 1,000 subscribers are a few hundred
 * statements, not 200,000); a webhook's is written with its delivery attempt.
 */
import type { Principal } from '../../platform/auth/principal';
import { logger } from '../../platform/logger';
import type { Queryable } from '../../platform/sql';
import { DEFAULT_PURPOSES } from './result-access';

/** Rows buffered before a flush is started at once (else within {@link FLUSH_MS}). */
export const FLUSH_AT = 1_000;
const FLUSH_MS = 1_000;

interface Delivery {
  enterpriseId: string;
  subject: string;
  role: string;
  agency: string | null;
  purpose: string;
  field: string;
  requestId: string;
}

const insertDeliveries = (m: Queryable, rows: Delivery[]) =>
  m.query(
    `INSERT INTO result_read (enterprise_id, reader_subject, reader_role, reader_agency, purpose, fields, request_id)
     SELECT e, s, r, a, p, ARRAY[f], q FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS d(e, s, r, a, p, f, q)`,
    [
      rows.map((d) => d.enterpriseId),
      rows.map((d) => d.subject),
      rows.map((d) => d.role),
      rows.map((d) => d.agency),
      rows.map((d) => d.purpose),
      rows.map((d) => d.field),
      rows.map((d) => d.requestId),
    ],
  );

/** The purpose a delivery relies on: the one the subscriber stated, else its role's default. */
export const deliveryPurpose = (p: Principal, stated: string | null) => stated ?? DEFAULT_PURPOSES[p.role] ?? '未说明 / not stated';

/** The process's buffer of subscription deliveries to log. */
export class DeliveryReadLog {
  private pending: Delivery[] = [];
  private timer: NodeJS.Timeout | null = null;
  private db: Queryable | null = null;
  private flushing: Promise<void> = Promise.resolve();

  /** Notes that `p` was sent the result of `enterpriseId` (nothing for the enterprise itself). O(1), no I/O. */
  note(db: Queryable, p: Principal, enterprise: { enterpriseId: string; creditCode: string }, statedPurpose: string | null, requestId: string): void {
    if (p.role === 'PUBLIC' || (p.role === 'ENTERPRISE' && p.creditCode === enterprise.creditCode)) return;
    this.db = db;
    this.pending.push({
      enterpriseId: enterprise.enterpriseId,
      subject: p.subject,
      role: p.role,
      agency: p.agency ?? null,
      purpose: deliveryPurpose(p, statedPurpose),
      field: 'ratingChanged',
      requestId,
    });
    if (this.pending.length >= FLUSH_AT) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes what is buffered (one statement); a failure is logged and the rows dropped, never thrown at a subscriber. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const rows = this.pending;
    this.pending = [];
    const db = this.db;
    if (!rows.length || !db) return this.flushing;
    this.flushing = this.flushing.then(() =>
      insertDeliveries(db, rows).then(
        () => undefined,
        (err: unknown) => logger.error({ err, rows: rows.length }, 'result read log append failed (subscription deliveries)'),
      ),
    );
    return this.flushing;
  }
}

/** Every subscription delivery of this process. */
export const deliveryReadLog = new DeliveryReadLog();

/** Logs a webhook delivery of `enterpriseId`'s grade change as a read by the webhook's owner (not when the owner is the enterprise itself). */
export async function logWebhookRead(m: Queryable, webhookId: string, enterpriseId: string, deliveryId: string): Promise<void> {
  await m.query(
    `INSERT INTO result_read (enterprise_id, reader_subject, reader_role, reader_agency, purpose, fields, request_id)
     SELECT $2, w.owner_subject, w.owner_role, w.agency, CASE w.owner_role WHEN 'PARTNER_AGENCY' THEN $3 ELSE $4 END, '{webhook}', $5
       FROM webhook w WHERE w.id = $1 AND w.owner_role NOT IN ('ENTERPRISE', 'PUBLIC')`,
    [webhookId, enterpriseId, DEFAULT_PURPOSES.PARTNER_AGENCY, DEFAULT_PURPOSES.CITY_AUTHORITY, `webhook:${deliveryId}`],
  );
}
