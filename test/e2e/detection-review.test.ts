import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TestHub, codeOf, startTestHub } from '../support/hub';

/** Meter data → candidate violations → an officer confirms (credit record, re-grade) or dismisses. */
let t: TestHub;
let admin: string;
const E = withCheckChar('91130821MD0000001');
const asOf = new Date();
const iso = (msAgo: number) => new Date(asOf.getTime() - msAgo).toISOString();
const H = 3_600_000;
const DETECT = `mutation($c: String, $a: DateTime) { detectAnomalies(creditCode: $c, asOf: $a) { id kind indicator suggestedLevel status meter { meterCode } evidence } }`;

beforeAll(async () => {
  t = await startTestHub('detect');
  // The county where the meter is reviews its candidates (and determines as the county).
  admin = t.token('COUNTY_AUTHORITY', { regions: ['130821'] });
  const ok = async (q: string) => expect((await t.gql(q, {}, admin)).errors).toBeUndefined();
  await ok(`mutation { registerEnterprise(input: { creditCode: "${E}", name: "承德县测试矿业有限公司", regionCode: "130821" }) { id } }`);
  // SILENT: online, last reading 3 days ago. SPIKY: 100 m³ in 15 minutes against a 10 m³/h maximum.
  await ok(`mutation { registerMeter(input: { creditCode: "${E}", meterCode: "SILENT", online: true, level: 2 }) { id } }`);
  await ok(
    `mutation { registerMeter(input: { creditCode: "${E}", meterCode: "SPIKY", online: false, level: 2, maxFlowRate: 10, calibrationExpiresAt: "2020-01-01T00:00:00Z" }) { id } }`,
  );
  const r = await t.gql(
    `mutation($r: [ReadingInput!]!) { ingestReadings(readings: $r) { accepted rejected { reason } } }`,
    {
      r: [
        { meterCode: 'SILENT', readAt: iso(72 * H), cumulativeVolume: 10 },
        { meterCode: 'SPIKY', readAt: iso(2 * H), cumulativeVolume: 500, flowRate: 2 },
        { meterCode: 'SPIKY', readAt: iso(2 * H - 15 * 60_000), cumulativeVolume: 600, flowRate: 2 },
      ],
    },
    admin,
  );
  expect(r.data.ingestReadings.accepted).toBe(3);
});
afterAll(() => t?.stop());

it('raises candidates with evidence, and a repeat refreshes instead of duplicating', async () => {
  const first = await t.gql(DETECT, { c: E, a: asOf.toISOString() }, admin);
  expect(first.errors).toBeUndefined();
  const kinds = first.data.detectAnomalies.map((c: any) => `${c.meter?.meterCode ?? '-'}:${c.kind}:${c.indicator}`).sort();
  expect(kinds).toEqual(['SILENT:NON_NETWORKED:2.3', 'SPIKY:CALIBRATION_EXPIRED:2.2', 'SPIKY:FLOW_SPIKE:2.2']);
  const again = await t.gql(DETECT, { c: E, a: asOf.toISOString() }, admin);
  expect(again.data.detectAnomalies.map((c: any) => c.id).sort()).toEqual(first.data.detectAnomalies.map((c: any) => c.id).sort());
  const list = await t.gql(`{ candidateViolations(status: OPEN) { totalCount edges { node { kind } } } }`, {}, admin);
  expect(list.data.candidateViolations.totalCount).toBe(3);
});

it('confirming creates the credit record in the same step and re-grades; dismissing needs a reason', async () => {
  const list = await t.gql(`{ candidateViolations(status: OPEN, kind: NON_NETWORKED) { edges { node { id suggestedLevel } } } }`, {}, admin);
  const id = list.data.candidateViolations.edges[0].node.id;
  const other = t.token('COUNTY_AUTHORITY', { regions: ['130822'] });
  expect(codeOf(await t.gql(`mutation($id: ID!) { confirmCandidate(id: $id, basis: "x") { id } }`, { id }, other))).toBe('FORBIDDEN');
  expect(codeOf(await t.gql(`mutation($id: ID!) { confirmCandidate(id: $id, basis: " ") { id } }`, { id }, admin))).toBe('BAD_USER_INPUT');
  const r = await t.gql(
    `mutation($id: ID!) { confirmCandidate(id: $id, basis: "《细则》附件 2.3 一般失信", provenance: { sourceDocumentNo: "承县水检〔2026〕5号" }) {
      id indicator level status sourceAct sourceDocumentNo conductRegionCode determiningAuthority { kind } enterprise { rating { grade score } } } }`,
    { id },
    admin,
  );
  expect(r.errors).toBeUndefined();
  expect(r.data.confirmCandidate).toEqual(expect.objectContaining({ indicator: '2.3', level: 'GENERAL', status: 'ACTIVE' }));
  // A meter finding is an inspection (行政检查) of the enterprise's own premises, unless the officer says otherwise.
  expect(r.data.confirmCandidate).toMatchObject({ sourceAct: 'ADMINISTRATIVE_INSPECTION', sourceDocumentNo: '承县水检〔2026〕5号' });
  expect(r.data.confirmCandidate.determiningAuthority.kind).toBe('COUNTY_WATER_AUTHORITY');
  expect(r.data.confirmCandidate.enterprise.rating).toEqual({ grade: 'C', score: 980 });
  const c = await t.gql(`{ candidateViolations(status: CONFIRMED) { edges { node { id creditRecord { id } resolutionNote } } } }`, {}, admin);
  expect(c.data.candidateViolations.edges[0].node.creditRecord.id).toBe(r.data.confirmCandidate.id);
  expect(codeOf(await t.gql(`mutation($id: ID!) { confirmCandidate(id: $id, basis: "again") { id } }`, { id }, admin))).toBe('BAD_USER_INPUT');

  const spike = (await t.gql(`{ candidateViolations(status: OPEN, kind: FLOW_SPIKE) { edges { node { id } } } }`, {}, admin)).data.candidateViolations.edges[0]
    .node.id;
  expect(codeOf(await t.gql(`mutation($id: ID!) { dismissCandidate(id: $id, reason: "") { id } }`, { id: spike }, admin))).toBe('BAD_USER_INPUT');
  const d = await t.gql(
    `mutation($id: ID!) { dismissCandidate(id: $id, reason: "现场核查：表计更换导致") { status resolutionNote creditRecord { id } } }`,
    { id: spike },
    admin,
  );
  expect(d.data.dismissCandidate).toEqual({ status: 'DISMISSED', resolutionNote: '现场核查：表计更换导致', creditRecord: null });
  const audit = await t.db.manager.query(
    `SELECT action, target_type, outcome FROM audit_log WHERE action IN ('confirmCandidate','dismissCandidate') ORDER BY id`,
  );
  expect(audit.filter((a: any) => a.outcome === 'OK').map((a: any) => [a.action, a.target_type])).toEqual([
    ['confirmCandidate', 'candidate_violation'],
    ['dismissCandidate', 'candidate_violation'],
  ]);
});

it('candidate lists page with a cursor and stay within jurisdiction', async () => {
  const p1 = await t.gql(`{ candidateViolations(first: 2) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`, {}, admin);
  expect(p1.data.candidateViolations.totalCount).toBe(3);
  expect(p1.data.candidateViolations.pageInfo.hasNextPage).toBe(true);
  const p2 = await t.gql(
    `query($a: String) { candidateViolations(first: 2, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }`,
    { a: p1.data.candidateViolations.pageInfo.endCursor },
    admin,
  );
  const ids = [...p1.data.candidateViolations.edges, ...p2.data.candidateViolations.edges].map((e: any) => e.node.id);
  expect(new Set(ids).size).toBe(3);
  const other = t.token('COUNTY_AUTHORITY', { regions: ['130822'] });
  expect((await t.gql(`{ candidateViolations { totalCount } }`, {}, other)).data.candidateViolations.totalCount).toBe(0);
  expect(codeOf(await t.gql(`{ candidateViolations { totalCount } }`))).toBe('FORBIDDEN');
});
