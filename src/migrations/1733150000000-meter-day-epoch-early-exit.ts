import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `meter_day_bump_epoch` (1733080000000) runs after every statement that writes `meter_day`, twice for an ingest batch's
 * merge (its INSERT and its ON CONFLICT UPDATE each fire one), and planned and ran its epoch upsert over the changed days
 * each time, although an ingest batch's days are today's and yesterday's: none is settled, nothing to bump. It now looks
 * for a settled day first and stops when there is none; what it bumps, and when, is unchanged.
 */
const BUMP = (early: boolean) => `
  CREATE OR REPLACE FUNCTION meter_day_bump_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    settled date := ((clock_timestamp() AT TIME ZONE 'UTC') + interval '8 hours')::date - 2;
  BEGIN
    ${early ? 'IF NOT EXISTS (SELECT 1 FROM changed_days WHERE china_day <= settled) THEN RETURN NULL; END IF;' : ''}
    INSERT INTO meter_day_epoch AS e (meter_id, epoch)
    SELECT DISTINCT meter_id, 1 FROM changed_days WHERE china_day <= settled ORDER BY meter_id
    ON CONFLICT (meter_id) DO UPDATE SET epoch = e.epoch + 1;
    RETURN NULL;
  END $$`;

export class MeterDayEpochEarlyExit1733150000000 implements MigrationInterface {
  name = 'MeterDayEpochEarlyExit1733150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(BUMP(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(BUMP(false));
  }
}
