import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-meter daily summaries (issue 12 target 3): one row per meter and Asia/Shanghai day with the first and last
 * reading, the count and the pair markers detection reads instead of scanning the plan year's readings (see
 * src/modules/meter/meter-day.repository.ts, which keeps them up to date on ingest and rebuilds a day on demand).
 * The backfill below is that module's summary, frozen here as of this migration. No foreign key to meter, as
 * meter_reading has none (1732550000000: ingest locks its meters instead): a summary exists only for readings, and
 * meter_keep_readings already refuses to delete a meter that has readings.
 */
export class MeterDay1733030000000 implements MigrationInterface {
  name = 'MeterDay1733030000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meter_day (
        meter_id uuid NOT NULL,
        china_day date NOT NULL,
        first_read_at timestamptz NOT NULL,
        first_total double precision NOT NULL,
        first_flow double precision,
        last_read_at timestamptz NOT NULL,
        last_total double precision NOT NULL,
        last_flow double precision,
        reading_count int NOT NULL,
        min_step double precision,
        max_rate double precision,
        flat_flowing_pairs int NOT NULL DEFAULT 0,
        unordered boolean NOT NULL DEFAULT false,
        PRIMARY KEY (meter_id, china_day)
      )`);
    await q.query(`
      INSERT INTO meter_day (meter_id, china_day, first_read_at, first_total, first_flow, last_read_at, last_total, last_flow,
                             reading_count, min_step, max_rate, flat_flowing_pairs)
      SELECT meter_id, china_day,
             min(read_at), min(cumulative_volume) FILTER (WHERE prev_at IS NULL), min(flow_rate) FILTER (WHERE prev_at IS NULL),
             max(read_at), min(cumulative_volume) FILTER (WHERE is_last), min(flow_rate) FILTER (WHERE is_last),
             count(*)::int,
             min(cumulative_volume - prev_total),
             max((cumulative_volume - prev_total) / ((extract(epoch FROM read_at - prev_at) * 1000)::float8 / 3600000))
               FILTER (WHERE cumulative_volume >= prev_total AND read_at > prev_at),
             (count(*) FILTER (WHERE abs(cumulative_volume - prev_total) <= 1e-9::float8 AND flow_rate > 0 AND prev_flow > 0))::int
        FROM (SELECT s.*, lag(read_at) OVER w AS prev_at, lag(cumulative_volume) OVER w AS prev_total, lag(flow_rate) OVER w AS prev_flow,
                     lead(read_at) OVER w IS NULL AS is_last
                FROM (SELECT meter_id, read_at, cumulative_volume, flow_rate, ((read_at AT TIME ZONE 'UTC') + interval '8 hours')::date AS china_day
                        FROM meter_reading) s
              WINDOW w AS (PARTITION BY meter_id, china_day ORDER BY read_at)) x
       GROUP BY meter_id, china_day`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS meter_day`);
  }
}
