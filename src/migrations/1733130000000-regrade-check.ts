import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The daily re-grade (issue 12, target 4) decides from the enterprise row alone whether an
 * enterprise's result can have changed, instead of digesting its records and permits in every
 * batch. Statement triggers on the engine's inputs (credit records, revoked permits,
 * enforcement cases), whatever writes them (the hub's paths, a data load, a hand-made fix),
 * bump the enterprise's `inputs_version`, raise `inputs_latest` to the latest date written
 * (a record or revocation dated ahead counts once its date comes) and keep `has_cases`. The
 * re-grade stores its check beside them: the rating it found (`checked_rating_id`), the
 * inputs version it read, the policy and the asOf. The affected enterprises are locked in id
 * order first, as the re-grade's batches lock them, so the two wait for each other instead of
 * deadlocking. The digest columns of 1733090000000 go; every enterprise is evaluated in full
 * by the first re-grade after this migration, which stores its check.
 */
export class RegradeCheck1733130000000 implements MigrationInterface {
  name = 'RegradeCheck1733130000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE enterprise
        ADD COLUMN inputs_version bigint NOT NULL DEFAULT 0,
        ADD COLUMN inputs_latest timestamptz,
        ADD COLUMN has_cases boolean NOT NULL DEFAULT false,
        ADD COLUMN checked_rating_id uuid,
        ADD COLUMN checked_version bigint,
        ADD COLUMN checked_policy text,
        ADD COLUMN checked_at timestamptz`);
    await q.query(`UPDATE enterprise e SET has_cases = true WHERE EXISTS (SELECT 1 FROM enforcement_case k WHERE k.enterprise_id = e.id)`);
    await q.query(`ALTER TABLE credit_rating_confirmation DROP COLUMN inputs_digest, DROP COLUMN inputs_at`);
    // One function per input table: the changed rows of the statement (new, old or both) give the enterprises and dates.
    for (const [table, fn, rows, latest] of INPUTS) {
      const changed = (t: string) => `SELECT enterprise_id, ${latest} AS latest FROM ${t}${rows ? ` WHERE ${rows}` : ''}`;
      const cases = table === 'enforcement_case';
      await q.query(`
        CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            PERFORM regrade_inputs_bump(ARRAY(SELECT enterprise_id FROM (${changed('new_rows')}) c), (SELECT max(latest) FROM (${changed('new_rows')}) c), ${cases});
          ELSIF TG_OP = 'UPDATE' THEN
            PERFORM regrade_inputs_bump(ARRAY(SELECT enterprise_id FROM (${changed('new_rows')} UNION ALL ${changed('old_rows')}) c),
                                        (SELECT max(latest) FROM (${changed('new_rows')}) c), ${cases});
          ELSE
            PERFORM regrade_inputs_bump(ARRAY(SELECT enterprise_id FROM (${changed('old_rows')}) c), NULL, ${cases});
          END IF;
          RETURN NULL;
        END $$`);
    }
    // Bumps the enterprises `ids` (locked in id order), raising inputs_latest to `latest`; `cases`: their cases changed.
    await q.query(`
      CREATE FUNCTION regrade_inputs_bump(ids uuid[], latest timestamptz, cases boolean) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF cardinality(ids) = 0 THEN RETURN; END IF;
        PERFORM 1 FROM enterprise e WHERE e.id = ANY(ids) ORDER BY e.id FOR NO KEY UPDATE;
        IF cases THEN
          UPDATE enterprise e SET inputs_version = e.inputs_version + 1, has_cases = EXISTS (SELECT 1 FROM enforcement_case k WHERE k.enterprise_id = e.id)
           WHERE e.id = ANY(ids);
        ELSE
          UPDATE enterprise e SET inputs_version = e.inputs_version + 1, inputs_latest = greatest(e.inputs_latest, latest) WHERE e.id = ANY(ids);
        END IF;
      END $$`);
    // A truncated input table: every enterprise (and, for cases, none has any now).
    await q.query(`
      CREATE FUNCTION regrade_inputs_bump_all() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE enterprise SET inputs_version = inputs_version + 1, has_cases = has_cases AND TG_TABLE_NAME <> 'enforcement_case';
        RETURN NULL;
      END $$`);
    for (const [table, fn] of INPUTS) {
      await q.query(
        `CREATE TRIGGER ${table}_inputs_inserted AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_inputs_updated AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_inputs_deleted AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
      );
      await q.query(`CREATE TRIGGER ${table}_inputs_truncated AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION regrade_inputs_bump_all()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table, fn] of INPUTS) {
      for (const t of ['inserted', 'updated', 'deleted', 'truncated']) await q.query(`DROP TRIGGER IF EXISTS ${table}_inputs_${t} ON ${table}`);
      await q.query(`DROP FUNCTION IF EXISTS ${fn}()`);
    }
    await q.query(`DROP FUNCTION IF EXISTS regrade_inputs_bump_all()`);
    await q.query(`DROP FUNCTION IF EXISTS regrade_inputs_bump(uuid[], timestamptz, boolean)`);
    await q.query(`ALTER TABLE credit_rating_confirmation ADD COLUMN inputs_digest text, ADD COLUMN inputs_at timestamptz`);
    await q.query(`
      ALTER TABLE enterprise DROP COLUMN inputs_version, DROP COLUMN inputs_latest, DROP COLUMN has_cases, DROP COLUMN checked_rating_id,
        DROP COLUMN checked_version, DROP COLUMN checked_policy, DROP COLUMN checked_at`);
  }
}

/**
 * The engine's input tables: trigger function, which rows count (the engine reads revoked
 * permits only) and the date that enters the `≤ asOf` window.
 */
const INPUTS: readonly (readonly [table: string, fn: string, rows: string | null, latest: string])[] = [
  ['credit_record', 'regrade_records_changed', null, 'occurred_at'],
  ['water_permit', 'regrade_permits_changed', 'revoked_at IS NOT NULL', 'revoked_at'],
  ['enforcement_case', 'regrade_cases_changed', null, 'NULL::timestamptz'],
];
