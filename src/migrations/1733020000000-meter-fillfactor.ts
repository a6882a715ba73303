import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every ingest batch moves `last_reading_at` on each of its meters: with full pages each such
 * update writes a new row version elsewhere and an entry in all three of meter's indexes. Half-full
 * pages let it be a heap-only (HOT) update on the same page, with no index writes (issue 12,
 * target 2: the update cost a sixth of the COPY ingest path). New pages take the setting at
 * once; existing ones as rows move, or all at once with `VACUUM FULL meter` in a quiet hour.
 */
export class MeterFillfactor1733020000000 implements MigrationInterface {
  name = 'MeterFillfactor1733020000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE meter SET (fillfactor = 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE meter RESET (fillfactor)`);
  }
}
