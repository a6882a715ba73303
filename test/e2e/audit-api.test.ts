import { verifyChain } from '../../src/modules/audit/audit.chain';
import { TestHub, codeOf, startTestHub } from '../support/hub';

/** The audit log for the audit administrator (issue 11 item 2, the audit part): query and export, each read on record. */
let t: TestHub;
let auditor: string;
const MISSING = '00000000-0000-4000-8000-000000000000';
const Q = `query($f: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $f, first: $first, after: $after) {
    edges { cursor node { id seq at actor actorRole action targetType targetId outcome detail prevHash hash } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const entries = (action: string): Promise<{ actor: string; actor_role: string; outcome: string; detail: any }[]> =>
  t.db.manager.query(`SELECT actor, actor_role, outcome, detail FROM audit_log WHERE action = $1 ORDER BY seq`, [action]);

beforeAll(async () => {
  t = await startTestHub('auditapi');
  auditor = t.token('AUDIT_ADMIN', { subject: 'auditor-1' });
  const admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'], subject: 'officer-7' });
  for (let i = 0; i < 3; i++) await t.gql(`mutation($id: ID!) { setCreditRecordStatus(id: $id, status: REVOKED, reason: "r") { id } }`, { id: MISSING }, admin);
});
afterAll(() => t?.stop());

describe('auditLog', () => {
  it('pages the filtered entries in chain order with seq, hash and prevHash, and the read is itself on record', async () => {
    const f = { action: 'setCreditRecordStatus', actor: 'officer-7' };
    const p1 = await t.gql(Q, { f, first: 2 }, auditor);
    expect(p1.errors).toBeUndefined();
    const c1 = p1.data.auditLog;
    expect(c1.edges).toHaveLength(2);
    expect(c1.pageInfo.hasNextPage).toBe(true);
    const p2 = await t.gql(Q, { f, first: 2, after: c1.pageInfo.endCursor }, auditor);
    const nodes = [...c1.edges, ...p2.data.auditLog.edges].map((e: any) => e.node);
    expect(nodes).toHaveLength(3);
    expect(p2.data.auditLog.pageInfo.hasNextPage).toBe(false);
    const seqs = nodes.map((n: any) => Number(n.seq));
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    for (const n of nodes) {
      expect(n).toMatchObject({
        actor: 'officer-7',
        actorRole: 'PROVINCE_AUTHORITY',
        action: 'setCreditRecordStatus',
        targetType: 'credit_record',
        targetId: MISSING,
      });
      expect(n.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(n.detail).toMatchObject({ reason: 'r' });
    }
    const reads = await entries('readAuditLog');
    expect(reads.slice(-2).map((r) => [r.actor, r.outcome, r.detail.entries])).toEqual([
      ['auditor-1', 'OK', 2],
      ['auditor-1', 'OK', 1],
    ]);
    expect(reads.at(-1)!.detail.filter).toEqual(f);
  });

  it('filters by outcome and time; a bad cursor or filter is BAD_USER_INPUT', async () => {
    const r = await t.gql(Q, { f: { outcome: 'NOT_FOUND', from: '2000-01-01T00:00:00Z', to: '2999-01-01T00:00:00Z' } }, auditor);
    expect(r.data.auditLog.edges.length).toBeGreaterThanOrEqual(3);
    expect(r.data.auditLog.edges.every((e: any) => e.node.outcome === 'NOT_FOUND')).toBe(true);
    const none = await t.gql(Q, { f: { action: 'setCreditRecordStatus', to: '2000-01-01T00:00:00Z' } }, auditor);
    expect(none.data.auditLog.edges).toEqual([]);
    expect(codeOf(await t.gql(Q, { after: 'not-a-cursor' }, auditor))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.gql(Q, { f: { actor: 'a\u0000' } }, auditor))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.gql(Q, { first: -1 }, auditor))).toBe('BAD_USER_INPUT');
  });

  it.each(['PROVINCE_AUTHORITY', 'SYSTEM_ADMIN', 'SECURITY_ADMIN', 'CITY_AUTHORITY', 'PARTNER_AGENCY'] as const)(
    '%s is FORBIDDEN, and the attempt is on record',
    async (role) => {
      const r = await t.gql(
        Q,
        {},
        t.token(role, {
          subject: `probe-${role}`,
          regions: role.endsWith('_ADMIN') ? [] : role === 'PROVINCE_AUTHORITY' ? ['130000'] : ['130800'],
          agency: '工信局',
        }),
      );
      expect(codeOf(r)).toBe('FORBIDDEN');
      expect(r.data?.auditLog ?? null).toBeNull();
      expect((await entries('readAuditLog')).at(-1)).toMatchObject({ actor: `probe-${role}`, actor_role: role, outcome: 'FORBIDDEN' });
    },
  );

  it('without a token: UNAUTHENTICATED, on record', async () => {
    expect(codeOf(await t.gql(Q, {}))).toBe('UNAUTHENTICATED');
    expect((await entries('readAuditLog')).at(-1)).toMatchObject({ actor_role: 'PUBLIC', outcome: 'UNAUTHENTICATED' });
  });
});

describe('GET /admin/audit/export', () => {
  const get = (query: string, token?: string) => fetch(`${t.url}/admin/audit/export${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('streams the entries in chain order as NDJSON, and the export is on record (start and end)', async () => {
    const res = await get('?action=setCreditRecordStatus&from=2000-01-01T00:00:00Z', auditor);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ action: 'setCreditRecordStatus', actor: 'officer-7' });
    expect(lines[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(lines[1].prevHash === lines[0].hash || Number(lines[1].seq) > Number(lines[0].seq) + 1).toBe(true);
    const [start] = (await entries('exportAuditLog')).slice(-1);
    expect(start).toMatchObject({ actor: 'auditor-1', outcome: 'OK', detail: { format: 'ndjson', filter: { action: 'setCreditRecordStatus' } } });
    expect((await entries('exportAuditLog.end')).at(-1)).toMatchObject({ outcome: 'OK', detail: { sent: 3 } });
  });

  it('as CSV with a header row', async () => {
    const res = await get('?format=csv&action=setCreditRecordStatus', auditor);
    expect(res.status).toBe(200);
    const rows = (await res.text()).trim().split('\r\n');
    expect(rows[0]).toBe('seq,id,at,actor,actorRole,action,targetType,targetId,outcome,detail,prevHash,hash');
    expect(rows).toHaveLength(4);
    expect(rows[1]).toContain(',officer-7,PROVINCE_AUTHORITY,setCreditRecordStatus,');
  });

  it('refuses business roles (403) and callers without a token (401) with a JSON error, on record', async () => {
    const admin = await get('', t.token('PROVINCE_AUTHORITY', { regions: ['130000'], subject: 'officer-9' }));
    expect(admin.status).toBe(403);
    expect(((await admin.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await entries('exportAuditLog')).at(-1)).toMatchObject({ actor: 'officer-9', outcome: 'FORBIDDEN' });
    const anon = await get('');
    expect(anon.status).toBe(401);
    expect((await get('?format=xml', auditor)).status).toBe(400);
    expect((await get('?from=yesterday', auditor)).status).toBe(400);
  });

  it('the chain still verifies after all these reads', async () => {
    expect(await verifyChain(t.db.manager)).toMatchObject({ ok: true });
  });
});
