import { Database } from '../../src/platform/db';
import { testDatabase } from '../support/hub';

/**
 * The read log's tie to its enterprise (migration 1733140000000): one check per statement instead of the per-row foreign
 * key, the same guarantees. A row naming an unknown enterprise is refused (23503) and its statement stores nothing; an
 * enterprise with logged reads cannot be deleted; one without can.
 */
let db: Database;
let drop: () => Promise<void>;
const UNKNOWN = '00000000-0000-4000-8000-00000000dead';

beforeAll(async () => {
  ({ db, drop } = await testDatabase('readcheck'));
  await db.manager.query(
    `INSERT INTO enterprise (credit_code, name, region_code) VALUES ('911308000000000101', '读取企业甲', '130802'), ('911308000000000102', '读取企业乙', '130802')`,
  );
});
afterAll(() => drop());

const ids = async () => (await db.manager.query(`SELECT id FROM enterprise ORDER BY credit_code`)).map((r: { id: string }) => r.id) as string[];
const log = (enterpriseIds: string[]) =>
  db.manager.query(
    `INSERT INTO result_read (enterprise_id, reader_subject, reader_role, purpose, fields) SELECT e, 'officer:1', 'PROVINCE_AUTHORITY', '监管', '{rating}' FROM unnest($1::uuid[]) e`,
    [enterpriseIds],
  );
const logged = async () => (await db.manager.query(`SELECT count(*)::int AS n FROM result_read`))[0].n as number;
const sqlState = (p: Promise<unknown>) =>
  p.then(
    () => 'stored',
    (e: { code?: string }) => e.code,
  );

it('reads of known enterprises are logged; a statement naming an unknown one is refused whole (23503)', async () => {
  const [a, b] = await ids();
  await log([a, b]);
  expect(await logged()).toBe(2);
  expect(await sqlState(log([a, UNKNOWN, b]))).toBe('23503');
  expect(await sqlState(db.manager.query(`UPDATE result_read SET enterprise_id = $1`, [UNKNOWN]))).toBe('23503');
  expect(await logged()).toBe(2);
});

it('an enterprise with logged reads cannot be deleted; one without can', async () => {
  const [a] = await ids();
  expect(await sqlState(db.manager.query(`DELETE FROM enterprise WHERE id = $1`, [a]))).toBe('23503');
  await db.manager.query(`INSERT INTO enterprise (credit_code, name, region_code) VALUES ('911308000000000103', '未被读取', '130802')`);
  expect(await sqlState(db.manager.query(`DELETE FROM enterprise WHERE credit_code = '911308000000000103'`))).toBe('stored');
  expect((await ids()).length).toBe(2);
});
