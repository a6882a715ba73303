import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Status changes reach the city credit platform too (Art. 7, 27): a record revoked on an upheld
 * objection or a confirmed report, or changed by an officer, is pushed as a STATUS_CHANGE so the
 * platform stops showing what the hub revoked (an approved repair already pushes its REPAIR_DECISION).
 */
export class StatusChangePush1732920000000 implements MigrationInterface {
  name = 'StatusChangePush1732920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE platform_push DROP CONSTRAINT platform_push_subject_kind_check;
      ALTER TABLE platform_push ADD CONSTRAINT platform_push_subject_kind_check
        CHECK (subject_kind IN ('DETERMINATION','REPAIR_DECISION','STATUS_CHANGE'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM platform_push WHERE subject_kind = 'STATUS_CHANGE';
      ALTER TABLE platform_push DROP CONSTRAINT platform_push_subject_kind_check;
      ALTER TABLE platform_push ADD CONSTRAINT platform_push_subject_kind_check CHECK (subject_kind IN ('DETERMINATION','REPAIR_DECISION'));
    `);
  }
}
