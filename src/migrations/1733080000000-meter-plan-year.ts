import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The plan-year summaries detection caches (issue 12 target 6; src/modules/detection/plan-year.repository.ts):
 * - `meter_plan_year`: per meter and plan year, the plan-year rules' running state (the year's volume so far, the first
 *   point in the year, the last point before it, the last point folded, each day's consumption as a little-endian
 *   float8 array from the year's first day) after every daily first/last point of the China days up to `through_day`,
 *   under the wrap and rollback thresholds it was computed with. Written and read by detection only.
 * - `meter_first_reading`: a meter's first reading (the earliest summarised day's first), cached by detection once that
 *   day is settled (probing every month partition of meter_day for it grows with the months kept).
 * - `meter_day_epoch`: a counter per meter that moves whenever `meter_day` changes a day before yesterday (China time,
 *   database clock); a cached row is only used while the meter's counter is the one read before its days were read.
 *   Statement-level triggers with transition tables keep it, so an ingest batch of today's and yesterday's days pays
 *   one scan of its own changed rows. `meter_day`'s key is never updated, so an UPDATE's new rows name every day it
 *   changed.
 * No foreign key to meter, as meter_day has none (a meter with readings is never deleted).
 */
export class MeterPlanYear1733080000000 implements MigrationInterface {
  name = 'MeterPlanYear1733080000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meter_plan_year (
        meter_id uuid NOT NULL,
        year int NOT NULL,
        through_day date NOT NULL,
        epoch bigint NOT NULL,
        wrap_m3 double precision NOT NULL,
        tolerance_m3 double precision NOT NULL,
        volume double precision,
        before_at timestamptz,
        before_total double precision,
        first_at timestamptz,
        first_total double precision,
        last_at timestamptz,
        last_total double precision,
        daily bytea NOT NULL,
        PRIMARY KEY (meter_id, year)
      )`);
    // At most 366 float8s (2.9 KB): kept in the row, neither compressed nor moved out of line (detection rewrites each once a day).
    await q.query(`ALTER TABLE meter_plan_year ALTER COLUMN daily SET STORAGE PLAIN`);
    await q.query(`CREATE TABLE meter_first_reading (meter_id uuid PRIMARY KEY, epoch bigint NOT NULL, first_read_at timestamptz NOT NULL)`);
    await q.query(`CREATE TABLE meter_day_epoch (meter_id uuid PRIMARY KEY, epoch bigint NOT NULL)`);
    await q.query(`
      CREATE FUNCTION meter_day_bump_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        settled date := ((clock_timestamp() AT TIME ZONE 'UTC') + interval '8 hours')::date - 2;
      BEGIN
        INSERT INTO meter_day_epoch AS e (meter_id, epoch)
        SELECT DISTINCT meter_id, 1 FROM changed_days WHERE china_day <= settled ORDER BY meter_id
        ON CONFLICT (meter_id) DO UPDATE SET epoch = e.epoch + 1;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION meter_day_bump_all() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE meter_day_epoch SET epoch = epoch + 1;
        DELETE FROM meter_plan_year;
        DELETE FROM meter_first_reading;
        RETURN NULL;
      END $$`);
    for (const [name, event, table] of [
      ['meter_day_inserted', 'INSERT', 'NEW'],
      ['meter_day_updated', 'UPDATE', 'NEW'],
      ['meter_day_deleted', 'DELETE', 'OLD'],
    ])
      await q.query(
        `CREATE TRIGGER ${name} AFTER ${event} ON meter_day REFERENCING ${table} TABLE AS changed_days FOR EACH STATEMENT EXECUTE FUNCTION meter_day_bump_epoch()`,
      );
    await q.query(`CREATE TRIGGER meter_day_truncated AFTER TRUNCATE ON meter_day FOR EACH STATEMENT EXECUTE FUNCTION meter_day_bump_all()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['meter_day_inserted', 'meter_day_updated', 'meter_day_deleted', 'meter_day_truncated'])
      await q.query(`DROP TRIGGER IF EXISTS ${t} ON meter_day`);
    await q.query(`DROP FUNCTION IF EXISTS meter_day_bump_epoch()`);
    await q.query(`DROP FUNCTION IF EXISTS meter_day_bump_all()`);
    await q.query(`DROP TABLE IF EXISTS meter_day_epoch`);
    await q.query(`DROP TABLE IF EXISTS meter_plan_year`);
    await q.query(`DROP TABLE IF EXISTS meter_first_reading`);
  }
}
