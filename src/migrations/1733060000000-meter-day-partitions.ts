import { MigrationInterface, QueryRunner } from 'typeorm';
import { READING_PARTITION_FUNCTIONS } from './1733040000000-meter-reading-partitions';

/**
 * `meter_day` partitioned by China month like `meter_reading` (issue 12, target 6): unpartitioned, a
 * year of summaries (3.65 M rows for 10,000 meters) put every ingest batch's upserts all over one
 * large key, and a day's ingest slowed with the years kept. Now a batch touches this month's small
 * partition only. The same layout: `meter_day_history` (MINVALUE to the first month of meter_reading's),
 * `meter_day_pYYYYMM` per month, `meter_day_default`. `meter_reading_add_month` now makes a month for both
 * tables, so the scheduler's `meter_reading_ensure_partitions` and `hub readings detach` cover both.
 */
export class MeterDayPartitions1733060000000 implements MigrationInterface {
  name = 'MeterDayPartitions1733060000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE meter_day RENAME TO meter_day_flat;
      ALTER INDEX meter_day_pkey RENAME TO meter_day_flat_pkey;
      CREATE TABLE meter_day (LIKE meter_day_flat INCLUDING DEFAULTS, PRIMARY KEY (meter_id, china_day)) PARTITION BY RANGE (china_day);
      CREATE TABLE meter_day_default PARTITION OF meter_day DEFAULT;

      -- Makes partition part of parent for [lo, hi) of column col unless it exists, taking its rows out of the default
      -- partition first (a CHECK of the bounds lets ATTACH skip its scan; dropped once attached). Returns whether it made one.
      CREATE FUNCTION hub_add_range_partition(parent text, part text, col text, lo text, hi text) RETURNS boolean LANGUAGE plpgsql
        SECURITY DEFINER SET search_path FROM CURRENT AS $$
      BEGIN
        IF to_regclass(part) IS NOT NULL THEN RETURN false; END IF;
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', part, parent);
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (%I >= %L AND %I < %L)', part, part || '_bound', col, lo, col, hi);
        EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
                       parent || '_default', col, lo, col, hi, part);
        EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, part, lo, hi);
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_bound');
        RETURN true;
      END $$;
      REVOKE ALL ON FUNCTION hub_add_range_partition(text, text, text, text, text) FROM PUBLIC;

      -- China month m of both tables: meter_reading by instant (00:00+08), meter_day by date.
      CREATE OR REPLACE FUNCTION meter_reading_add_month(m date) RETURNS boolean LANGUAGE plpgsql
        SECURITY DEFINER SET search_path FROM CURRENT AS $$
      DECLARE
        first date := date_trunc('month', m::timestamp)::date;
        next date := (first + interval '1 month')::date;
        suffix text := to_char(first, 'YYYYMM');
        made boolean;
      BEGIN
        IF first < date '1970-01-01' OR first > (now() AT TIME ZONE 'Asia/Shanghai')::date + 800 THEN
          RAISE EXCEPTION '月份 % 超出可建分区的范围 / month % is outside the range partitions are made for', to_char(first, 'YYYY-MM'), to_char(first, 'YYYY-MM')
            USING ERRCODE = '22023';
        END IF;
        IF to_regclass('meter_reading_p' || suffix) IS NOT NULL AND to_regclass('meter_day_p' || suffix) IS NOT NULL THEN RETURN false; END IF;
        PERFORM pg_advisory_xact_lock(hashtext('meter_reading_partitions'));
        made := hub_add_range_partition('meter_reading', 'meter_reading_p' || suffix, 'read_at', meter_reading_month_bound(first), meter_reading_month_bound(next));
        -- The summaries' month follows the readings' month while it is attached (an archived month is not made again).
        IF EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass('meter_reading_p' || suffix) AND inhparent = 'meter_reading'::regclass) THEN
          made := hub_add_range_partition('meter_day', 'meter_day_p' || suffix, 'china_day', first::text, next::text) OR made;
        END IF;
        RETURN made;
      END $$;

      -- The scheduler's call, as before, and months with summaries in meter_day's default partition too.
      CREATE OR REPLACE FUNCTION meter_reading_ensure_partitions(ahead int) RETURNS int LANGUAGE plpgsql
        SECURITY DEFINER SET search_path FROM CURRENT SET lock_timeout = '5s' AS $$
      DECLARE
        this_month date := date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date;
        m date;
        made int := 0;
      BEGIN
        IF ahead IS NULL OR ahead < 0 OR ahead > 24 THEN
          RAISE EXCEPTION 'ahead must be 0..24 months, not %', ahead USING ERRCODE = '22023';
        END IF;
        FOR m IN
          SELECT (this_month + make_interval(months => i))::date FROM generate_series(0, ahead) i
          UNION
          SELECT DISTINCT date_trunc('month', read_at AT TIME ZONE 'Asia/Shanghai')::date FROM meter_reading_default
          UNION
          SELECT DISTINCT date_trunc('month', china_day::timestamp)::date FROM meter_day_default
          ORDER BY 1
        LOOP
          BEGIN
            IF meter_reading_add_month(m) THEN made := made + 1; END IF;
          EXCEPTION WHEN invalid_object_definition OR invalid_parameter_value THEN
            -- A month inside the history partitions' range, or out of range: its rows stay where they are.
            NULL;
          END;
        END LOOP;
        RETURN made;
      END $$;
    `);
    // The months meter_reading has (attached), and history before the first of them.
    await q.query(`
      DO $$
      DECLARE
        first date := (SELECT min(to_date(substr(c.relname, 16), 'YYYYMM')) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = 'meter_reading'::regclass AND c.relname ~ '^meter_reading_p[0-9]{6}$');
        m date;
      BEGIN
        EXECUTE format('CREATE TABLE meter_day_history PARTITION OF meter_day FOR VALUES FROM (MINVALUE) TO (%L)', first);
        FOR m IN SELECT to_date(substr(c.relname, 16), 'YYYYMM') FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                  WHERE i.inhparent = 'meter_reading'::regclass AND c.relname ~ '^meter_reading_p[0-9]{6}$' ORDER BY 1
        LOOP
          PERFORM hub_add_range_partition('meter_day', 'meter_day_p' || to_char(m, 'YYYYMM'), 'china_day', m::text, (m + interval '1 month')::date::text);
        END LOOP;
      END $$;
      INSERT INTO meter_day SELECT * FROM meter_day_flat;
      DROP TABLE meter_day_flat;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meter_day_flat (LIKE meter_day INCLUDING DEFAULTS, PRIMARY KEY (meter_id, china_day));
      INSERT INTO meter_day_flat SELECT * FROM meter_day;
      DROP TABLE meter_day;
      ALTER TABLE meter_day_flat RENAME TO meter_day;
      ALTER INDEX meter_day_flat_pkey RENAME TO meter_day_pkey;
      DROP FUNCTION meter_reading_ensure_partitions(int);
      DROP FUNCTION meter_reading_add_month(date);
      DROP FUNCTION hub_add_range_partition(text, text, text, text, text);
      DROP FUNCTION meter_reading_month_bound(date);
    `);
    // The functions as migration 1733040000000 made them.
    await q.query(READING_PARTITION_FUNCTIONS);
  }
}
