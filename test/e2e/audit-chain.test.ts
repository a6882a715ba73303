import { createHash } from 'node:crypto';
import { appendAudit } from '../../src/modules/audit/audit.repository';
import { TestHub, startTestHub } from '../support/hub';

/**
 * The audit trail survives anything and is tamper-evident (issue 11 items 4 and 5): entries with NUL bytes and huge
 * arguments are kept as a cut with a digest.
 */
let t: TestHub;
let admin: string;
const sm3 = (s: string) => createHash('sm3').update(s).digest('hex');
const MISSING = '00000000-0000-4000-8000-000000000000';
const lastId = async (): Promise<string> => (await t.db.manager.query(`SELECT coalesce(max(id), 0)::text AS id FROM audit_log`))[0].id;
const entriesSince = (since: string, action: string): Promise<{ outcome: string; target_id: string | null; detail: Record<string, any> }[]> =>
  t.db.manager.query(`SELECT outcome, target_id, detail FROM audit_log WHERE id > $1 AND action = $2 ORDER BY id`, [since, action]);

beforeAll(async () => {
  t = await startTestHub('auditchain');
  admin = t.token('ADMIN');
});
afterAll(() => t?.stop());

describe('entries survive NUL bytes and huge arguments', () => {
  const setStatus = `mutation($id: ID!, $r: String!) { setCreditRecordStatus(id: $id, status: REVOKED, reason: $r) { id } }`;

  it.each([
    ['a NUL byte', 'wrong\u0000facts', 'wrong\uFFFDfacts'],
    ['a 1 MB argument', 'r'.repeat(1 << 20), 'r'.repeat(512)],
  ])('an audited mutation with %s has its entry, with the digest and a cut', async (_name, reason, cut) => {
    const since = await lastId();
    const r = await t.gql(setStatus, { id: MISSING, r: reason }, admin);
    expect(r.errors).toBeDefined(); // no such record (or the argument refused): the attempt is on record all the same
    const entries = await entriesSince(since, 'setCreditRecordStatus');
    expect(entries).toHaveLength(1);
    expect(entries[0].detail.reason).toEqual({ cut, sm3: sm3(reason), length: reason.length });
  });

  it('a mutation refused before it ran, with a NUL byte in its target id, is on record', async () => {
    const since = await lastId();
    // `status` missing: validation refuses the operation; the plugin audits it from the arguments as written.
    const r = await t.gql(`mutation { setCreditRecordStatus(id: "a\\u0000b", reason: "x") { id } }`, {}, admin);
    expect(r.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const entries = await entriesSince(since, 'setCreditRecordStatus');
    expect(entries.map((e) => [e.outcome, e.target_id])).toEqual([['GRAPHQL_VALIDATION_FAILED', 'a\uFFFDb']]);
    expect(entries[0].detail.cut).toEqual({ targetId: { sm3: sm3('a\u0000b'), length: 3 } });
  });

  it('the repository itself never loses an entry, whatever its texts and detail hold', async () => {
    const since = await lastId();
    const subject = 'officer\u0000x';
    await appendAudit(
      t.db.manager,
      { subject, role: 'ADMIN', regions: [] },
      {
        action: 'probe',
        targetType: 'thing',
        targetId: 't'.repeat(2000),
        outcome: 'BAD_USER_INPUT',
        detail: { name: 'a\u0000', nested: { list: ['\u0001', 1, true, null] }, big: 'b'.repeat(1 << 20) },
      },
    );
    const [e] = await t.db.manager.query(`SELECT actor, target_id, detail FROM audit_log WHERE id > $1 AND action = 'probe'`, [since]);
    expect(e.actor).toBe('officer\uFFFDx');
    expect(e.target_id).toBe('t'.repeat(512));
    expect(e.detail.cut).toEqual({ actor: { sm3: sm3(subject), length: 9 }, targetId: { sm3: sm3('t'.repeat(2000)), length: 2000 } });
    expect(e.detail.name).toEqual({ cut: 'a\uFFFD', sm3: sm3('a\u0000'), length: 2 });
    expect(e.detail.nested.list[0]).toMatchObject({ cut: '\uFFFD' });
    expect(e.detail.big).toMatchObject({ sm3: sm3('b'.repeat(1 << 20)), length: 1 << 20 });
  });
});
