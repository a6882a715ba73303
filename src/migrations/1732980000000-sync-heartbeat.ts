import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a sync run last showed life (started, stored a page, ended), so the scheduler can tell a run whose queue job was
 * lost with Redis (QUEUED or RUNNING, and silent) from one that is working, and queue it again (issue 11 item 7).
 */
export class SyncHeartbeat1732980000000 implements MigrationInterface {
  name = 'SyncHeartbeat1732980000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_run ADD COLUMN heartbeat_at timestamptz`);
    await q.query(`CREATE INDEX sync_run_open_idx ON sync_run (status, coalesce(heartbeat_at, queued_at)) WHERE status IN ('QUEUED','RUNNING')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sync_run_open_idx`);
    await q.query(`ALTER TABLE sync_run DROP COLUMN heartbeat_at`);
  }
}
