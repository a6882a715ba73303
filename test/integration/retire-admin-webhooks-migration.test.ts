import { RETIRED_OWNER_REASON, RetireAdminWebhooks1732990000000 } from '../../src/migrations/1732990000000-retire-admin-webhooks';
import { testDatabase } from '../support/hub';

/**
 * Migration 1732990000000 (issue 11 item 2): a webhook the retired ADMIN registered (scope: every
 * region, no owner left to manage it) is deactivated with the reason and its pending deliveries
 * cancelled; the rows stay; other owners' webhooks and a delivered attempt are untouched.
 */
it("deactivates the retired ADMIN's webhooks and cancels their pending deliveries, nobody else's", async () => {
  const { db, drop } = await testDatabase('retire_admin_webhooks');
  const qr = db.dataSource.createQueryRunner();
  const q = (sql: string, params: unknown[] = []) => qr.query(sql, params);
  try {
    const [{ id: eid }] = await q(
      `INSERT INTO enterprise (credit_code, name, region_code) VALUES ('91130821MA00000019', '迁移测试企业', '130821') RETURNING id`,
    );
    const [{ id: ev }] = await q(
      `INSERT INTO outbox_event (topic, enterprise_id, sequence, payload) VALUES ('rating.changed', $1, 1, '{"regionCode": "130821"}') RETURNING id`,
      [eid],
    );
    const hook = async (role: string, active = true) =>
      (
        await q(
          `INSERT INTO webhook (owner_subject, owner_role, url, events, secret, active, deactivated_reason) VALUES ($1, $2, 'https://x.example/', '{rating.changed}', 'whsec_x', $3, $4) RETURNING id`,
          [`${role.toLowerCase()}:s`, role, active, active ? null : 'deactivated by its owner'],
        )
      )[0].id as string;
    const admin = await hook('ADMIN');
    const adminOff = await hook('ADMIN', false);
    const partner = await hook('PARTNER_AGENCY');
    const delivery = async (w: string, status: string) =>
      (await q(`INSERT INTO webhook_delivery (webhook_id, event_id, status) VALUES ($1, $2, $3) RETURNING id`, [w, ev, status]))[0].id as string;
    const pending = await delivery(admin, 'PENDING');
    const delivered = await delivery(adminOff, 'DELIVERED');
    const partnerPending = await delivery(partner, 'PENDING');

    await new RetireAdminWebhooks1732990000000().up(qr);

    const hooks = await q(`SELECT id, active, deactivated_reason AS reason FROM webhook`);
    expect(hooks).toEqual(
      expect.arrayContaining([
        { id: admin, active: false, reason: RETIRED_OWNER_REASON },
        { id: adminOff, active: false, reason: 'deactivated by its owner' },
        { id: partner, active: true, reason: null },
      ]),
    );
    const statuses = Object.fromEntries((await q(`SELECT id, status FROM webhook_delivery`)).map((d: { id: string; status: string }) => [d.id, d.status]));
    expect(statuses).toEqual({ [pending]: 'CANCELLED', [delivered]: 'DELIVERED', [partnerPending]: 'PENDING' });
  } finally {
    await qr.release();
    await drop();
  }
});
