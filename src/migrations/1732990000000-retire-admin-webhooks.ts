import { MigrationInterface, QueryRunner } from 'typeorm';

/** Why a webhook of the retired ADMIN role was deactivated (shown as `Webhook.deactivatedReason`). */
export const RETIRED_OWNER_REASON = '登记者角色 ADMIN 已按三员分立撤销 / owner role ADMIN retired (separated duties)';

/**
 * Separated duties (issue 11 item 2): ADMIN is retired, so its webhooks have no owner who can
 * manage them, and their stored scope (no prefixes) delivered every region's rating changes.
 * They are deactivated and their pending deliveries cancelled; the rows stay as history (a
 * system administrator lists them; re-registering under a new role makes a new webhook).
 * Down does nothing: which were active before is not kept, and reactivating them is not wanted.
 */
export class RetireAdminWebhooks1732990000000 implements MigrationInterface {
  name = 'RetireAdminWebhooks1732990000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE webhook_delivery SET status = 'CANCELLED', locked_until = NULL
        WHERE status = 'PENDING' AND webhook_id IN (SELECT id FROM webhook WHERE owner_role = 'ADMIN')`,
    );
    await q.query(`UPDATE webhook SET active = false, deactivated_reason = $1 WHERE owner_role = 'ADMIN' AND active`, [RETIRED_OWNER_REASON]);
  }

  async down(): Promise<void> {
    // Nothing to undo: see above.
  }
}
