import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `meter_reading` partitioned by China month (issue 12, target 6): a national deployment keeps
 * ~35 billion readings a year, and every reading query is bounded by time, so each touches
 * only the months it asks for and the cost of one month's ingest or detection does not grow
 * with the years kept. Old months detach for archive (`hub readings detach`).
 *
 * Layout: `meter_reading_history` holds everything before the first month partition
 * (MINVALUE bound: a late backfill of old readings has a home, and "before t" queries never
 * need the default partition); `meter_reading_pYYYYMM` one per China month (bounds at
 * 00:00+08); `meter_reading_default` catches what has no month yet (readings are never more
 * than minutes ahead, and months are created three ahead, so it stays empty; a month created
 * later takes its rows out of it).
 *
 * Every key leads with the meter id (PK (meter_id, read_at)), so a Citus deployment can
 * distribute the table by meter_id.
 *
 * The daily summaries (`meter_day`, migration 1733030000000) are partitioned the same way by date
 * (`meter_day_history`, `meter_day_pYYYYMM`, `meter_day_default`): unpartitioned, a year of them put
 * every ingest batch's upserts all over one large key.
 *
 * Months (of both tables at once) are created by `meter_reading_ensure_partitions(ahead)`: SECURITY
 * DEFINER, so the runtime role (no CREATE on the schema) may run it from the scheduler and nothing else.
 */
/** meter_reading's columns and key, as the initial migration made them (the partitioned table and the flat one of `down` alike). */
const COLUMNS = `meter_id uuid NOT NULL, read_at timestamptz NOT NULL, cumulative_volume double precision NOT NULL, flow_rate double precision,
  ingested_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (meter_id, read_at)`;

export class MeterReadingPartitions1733040000000 implements MigrationInterface {
  name = 'MeterReadingPartitions1733040000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE meter_reading RENAME TO meter_reading_flat;
      ALTER INDEX meter_reading_pkey RENAME TO meter_reading_flat_pkey;
      ALTER INDEX meter_reading_read_at_idx RENAME TO meter_reading_flat_read_at_idx;

      CREATE TABLE meter_reading (${COLUMNS}) PARTITION BY RANGE (read_at);
      CREATE INDEX meter_reading_read_at_idx ON meter_reading (read_at);
      CREATE TABLE meter_reading_default PARTITION OF meter_reading DEFAULT;

      ALTER TABLE meter_day RENAME TO meter_day_flat;
      ALTER INDEX meter_day_pkey RENAME TO meter_day_flat_pkey;
      CREATE TABLE meter_day (LIKE meter_day_flat INCLUDING DEFAULTS, PRIMARY KEY (meter_id, china_day)) PARTITION BY RANGE (china_day);
      CREATE TABLE meter_day_default PARTITION OF meter_day DEFAULT;

      -- The first instant of China month m (any date in it), as timestamptz text for a partition bound.
      CREATE FUNCTION meter_reading_month_bound(m date) RETURNS text IMMUTABLE LANGUAGE sql
        AS $$ SELECT to_char(date_trunc('month', m::timestamp), 'YYYY-MM-DD') || ' 00:00:00+08' $$;

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

      -- The scheduler's call: this China month and the next ahead, plus any month with rows in either default
      -- partition. Returns how many months it made. Waits at most 5 s for a lock.
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
      REVOKE ALL ON FUNCTION hub_add_range_partition(text, text, text, text, text) FROM PUBLIC;
      REVOKE ALL ON FUNCTION meter_reading_add_month(date) FROM PUBLIC;
      REVOKE ALL ON FUNCTION meter_reading_ensure_partitions(int) FROM PUBLIC;
    `);
    // History bound: two years before this month, or the first month already holding readings if earlier; months (of both tables) from there to three ahead.
    await q.query(`
      DO $$
      DECLARE
        first date := least(date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') - interval '24 months',
                            (SELECT date_trunc('month', min(read_at) AT TIME ZONE 'Asia/Shanghai') FROM meter_reading_flat),
                            (SELECT date_trunc('month', min(china_day)::timestamp) FROM meter_day_flat))::date;
      BEGIN
        EXECUTE format('CREATE TABLE meter_reading_history PARTITION OF meter_reading FOR VALUES FROM (MINVALUE) TO (%L)', meter_reading_month_bound(first));
        EXECUTE format('CREATE TABLE meter_day_history PARTITION OF meter_day FOR VALUES FROM (MINVALUE) TO (%L)', first);
        PERFORM meter_reading_add_month(m::date)
           FROM generate_series(first::timestamp, date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') + interval '3 months', interval '1 month') m;
      END $$;
      INSERT INTO meter_reading SELECT * FROM meter_reading_flat;
      DROP TABLE meter_reading_flat;
      INSERT INTO meter_day SELECT * FROM meter_day_flat;
      DROP TABLE meter_day_flat;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meter_reading_flat (${COLUMNS});
      INSERT INTO meter_reading_flat SELECT * FROM meter_reading;
      DROP TABLE meter_reading;
      CREATE TABLE meter_day_flat (LIKE meter_day INCLUDING DEFAULTS, PRIMARY KEY (meter_id, china_day));
      INSERT INTO meter_day_flat SELECT * FROM meter_day;
      DROP TABLE meter_day;
      DROP FUNCTION meter_reading_ensure_partitions(int);
      DROP FUNCTION meter_reading_add_month(date);
      DROP FUNCTION hub_add_range_partition(text, text, text, text, text);
      DROP FUNCTION meter_reading_month_bound(date);
      ALTER TABLE meter_reading_flat RENAME TO meter_reading;
      ALTER INDEX meter_reading_flat_pkey RENAME TO meter_reading_pkey;
      CREATE INDEX meter_reading_read_at_idx ON meter_reading (read_at);
      ALTER TABLE meter_day_flat RENAME TO meter_day;
      ALTER INDEX meter_day_flat_pkey RENAME TO meter_day_pkey;
    `);
  }
}
