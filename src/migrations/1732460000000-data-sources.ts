import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data sources (a connector, its settings and its cursor) and their sync runs. The cursor
 * lives here, in Postgres, and moves in the same transaction as the readings it covers.
 */
export class DataSources1732460000000 implements MigrationInterface {
  name = 'DataSources1732460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE data_source (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
        connector text NOT NULL,
        config jsonb NOT NULL,
        -- write-only settings (tokens): never returned by the API nor logged
        secrets jsonb NOT NULL DEFAULT '{}'::jsonb,
        every_ms int CHECK (every_ms IS NULL OR every_ms >= 1000),
        enabled boolean NOT NULL DEFAULT true,
        cursor text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE sync_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        source_id uuid NOT NULL REFERENCES data_source(id),
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED','RUNNING','SUCCEEDED','FAILED')),
        range_from timestamptz,
        range_to timestamptz,
        backfill_cursor text,
        queued_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        pages int NOT NULL DEFAULT 0,
        readings_ingested int NOT NULL DEFAULT 0,
        readings_duplicate int NOT NULL DEFAULT 0,
        readings_rejected int NOT NULL DEFAULT 0,
        rejected_sample jsonb NOT NULL DEFAULT '[]'::jsonb,
        attempts int NOT NULL DEFAULT 0,
        error text,
        requested_by text NOT NULL
      );
      CREATE INDEX sync_run_source_idx ON sync_run (source_id, queued_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS sync_run, data_source`);
  }
}
