import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { TestHub, codeOf, startTestHub } from '../support/hub';

/** ingestReadings: the bulk path, idempotent, bad rows rejected with reasons and the rest kept. */
let t: TestHub;
let admin: string;
const E = withCheckChar('91130821MC0000001');
const OTHER = withCheckChar('91130822MC0000002');
const INGEST = `mutation($r: [ReadingInput!]!) { ingestReadings(readings: $r) { accepted duplicates rejected { index reason } } }`;
const at = (h: number) => new Date(Date.UTC(2026, 0, 1, h)).toISOString();

beforeAll(async () => {
  t = await startTestHub('ingest');
  admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'] });
  for (const [c, region, meter] of [
    [E, '130821', 'M-E-1'],
    [OTHER, '130822', 'M-O-1'],
  ]) {
    await t.gql(`mutation { registerEnterprise(input: { creditCode: "${c}", name: "企业", regionCode: "${region}" }) { id } }`, {}, admin);
    const r = await t.gql(
      `mutation { registerMeter(input: { creditCode: "${c}", meterCode: "${meter}", online: true, level: 1, maxFlowRate: 50 }) { id } }`,
      {},
      admin,
    );
    expect(r.errors).toBeUndefined();
  }
});
afterAll(() => t?.stop());

it('stores good rows, rejects bad ones with reasons, and counts repeats as duplicates', async () => {
  const batch = [
    { meterCode: 'M-E-1', readAt: at(0), cumulativeVolume: 100, flowRate: 4 },
    { meterCode: 'M-E-1', readAt: at(1), cumulativeVolume: 104, flowRate: 4 },
    { meterCode: 'M-X-9', readAt: at(1), cumulativeVolume: 1 },
    { meterCode: 'M-E-1', readAt: at(2), cumulativeVolume: -3 },
    { meterCode: 'M-E-1', readAt: '2999-01-01T00:00:00Z', cumulativeVolume: 110 },
    { meterCode: 'M-E-1', readAt: at(1), cumulativeVolume: 104, flowRate: 4 },
  ];
  const r = await t.gql(INGEST, { r: batch }, admin);
  expect(r.errors).toBeUndefined();
  expect(r.data.ingestReadings.accepted).toBe(2);
  expect(r.data.ingestReadings.duplicates).toBe(1);
  expect(r.data.ingestReadings.rejected).toEqual([
    { index: 2, reason: expect.stringMatching(/unknown meter M-X-9/) },
    { index: 3, reason: expect.stringMatching(/negative/) },
    { index: 4, reason: expect.stringMatching(/future/) },
  ]);
  const again = await t.gql(INGEST, { r: batch.slice(0, 2) }, admin);
  expect(again.data.ingestReadings).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
  const m = await t.gql(`{ meter(meterCode: "M-E-1") { lastReadingAt readings(first: 10) { readAt cumulativeVolume } } }`, {}, admin);
  expect(m.data.meter.lastReadingAt).toBe(new Date(at(1)).toISOString());
  expect(m.data.meter.readings.map((x: any) => x.cumulativeVolume)).toEqual([104, 100]);
});

it('a county officer cannot feed meters of another county, row by row', async () => {
  const county = t.token('COUNTY_AUTHORITY', { regions: ['130821'] });
  const r = await t.gql(
    INGEST,
    {
      r: [
        { meterCode: 'M-O-1', readAt: at(3), cumulativeVolume: 5 },
        { meterCode: 'M-E-1', readAt: at(3), cumulativeVolume: 108 },
      ],
    },
    county,
  );
  expect(r.data.ingestReadings.accepted).toBe(1);
  expect(r.data.ingestReadings.rejected).toEqual([{ index: 0, reason: expect.stringMatching(/outside your jurisdiction/) }]);
  expect(codeOf(await t.gql(INGEST, { r: [] }))).toBe('UNAUTHENTICATED');
});
