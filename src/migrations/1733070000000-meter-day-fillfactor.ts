import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every ingest batch updates the summary of each of its meters' current day (`meter_day`, issue 12
 * targets 2 and 3). Those rows were inserted together, so one page holds ~55 of them and one batch
 * updates them all: with full pages each update wrote a new row version on another page and an entry
 * in the key (measured: 1–8 % of the updates heap-only). At fillfactor 40 a page keeps room for a new
 * version of each of its rows, so the updates are heap-only (HOT: no index write; ~100 % measured) and
 * the batch's merge costs the server about a quarter less CPU. The price is space: a month of
 * summaries takes ~2.5× the pages (a closed month can be repacked with `VACUUM FULL` in a quiet hour).
 *
 * Month partitions are made by `hub_add_range_partition` (migration 1733040000000), which now gives a
 * new partition the fillfactor of its parent's default partition: setting it on `meter_day_default`
 * here is what every later month of `meter_day` takes (`meter_reading`'s default has none).
 */
const ADD_PARTITION = (fillfactor: string) => `
  CREATE OR REPLACE FUNCTION hub_add_range_partition(parent text, part text, col text, lo text, hi text) RETURNS boolean LANGUAGE plpgsql
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
  DECLARE
    ff int := ${fillfactor};
  BEGIN
    IF to_regclass(part) IS NOT NULL THEN RETURN false; END IF;
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', part, parent);
    IF ff IS NOT NULL THEN EXECUTE format('ALTER TABLE %I SET (fillfactor = %s)', part, ff); END IF;
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (%I >= %L AND %I < %L)', part, part || '_bound', col, lo, col, hi);
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
                   parent || '_default', col, lo, col, hi, part);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, part, lo, hi);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_bound');
    RETURN true;
  END $$`;

/** The default partition's fillfactor, if it has one. */
const DEFAULTS_FILLFACTOR = `(SELECT o.option_value::int FROM pg_class c, pg_options_to_table(c.reloptions) o
                               WHERE c.oid = to_regclass(parent || '_default') AND o.option_name = 'fillfactor')`;

/** Sets (or resets, `value` null) the fillfactor of every partition of meter_day, the default one included. */
const SET_ON_PARTITIONS = (value: number | null) => `
  DO $$
  DECLARE p regclass;
  BEGIN
    FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'meter_day'::regclass LOOP
      EXECUTE format(${value === null ? `'ALTER TABLE %s RESET (fillfactor)', p` : `'ALTER TABLE %s SET (fillfactor = ${value})', p`});
    END LOOP;
  END $$`;

export class MeterDayFillfactor1733070000000 implements MigrationInterface {
  name = 'MeterDayFillfactor1733070000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(ADD_PARTITION(DEFAULTS_FILLFACTOR));
    await q.query(SET_ON_PARTITIONS(40));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(SET_ON_PARTITIONS(null));
    // As migration 1733040000000 made it: a new partition with the table's defaults.
    await q.query(ADD_PARTITION('NULL'));
  }
}
