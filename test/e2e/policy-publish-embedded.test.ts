import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { signToken } from '../../src/platform/auth/principal';
import { chinaDateString } from '../../src/platform/china-time';
import { TEST_SECRET } from '../support/hub';
import { policyDocument, policyEnding } from '../support/policy-time';
import { HubProcess, spawnHub, stopHub, within } from '../support/processes';

/**
 * Publishing on the embedded database (PGlite, one process): the hub grades by the published
 * policy at once, and after a restart it loads it from the data directory with the shipped files.
 */
const E = withCheckChar('91130821MP0000002');
const DAY = 86_400_000;
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const ended = policyEnding(-10, 'test-embedded-ended');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-policy-embedded-'));
const policyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-policy-files-'));
fs.writeFileSync(path.join(policyDir, `${ended.version}.json`), JSON.stringify(policyDocument(ended), null, 2));
const token = signToken({ role: 'PROVINCE_AUTHORITY', regions: ['130000'], subject: 'province:embedded' }, TEST_SECRET);
/** Publishing is configuration: the system administrator's (三员分立). */
const sysadmin = signToken({ role: 'SYSTEM_ADMIN', subject: 'admin:embedded' }, TEST_SECRET);

const start = async (): Promise<{ p: HubProcess; url: string }> => {
  const p = spawnHub('api', 'embedded policy hub', 'unused', '', { DATABASE_URL: '', REDIS_URL: '', HUB_DATA_DIR: dataDir, HUB_POLICY_DIR: policyDir });
  const url = await within(p.ready, 120_000, () => new Error(`the embedded hub did not start${p.output()}`));
  return { p, url };
};
const gql = async (url: string, query: string, variables: Record<string, unknown> = {}, as = token) =>
  (await (
    await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${as}` },
      body: JSON.stringify({ query, variables }),
    })
  ).json()) as { data?: any; errors?: any[] };

let hub: HubProcess | undefined;
afterAll(async () => {
  await stopHub(hub);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(policyDir, { recursive: true, force: true });
});

it('grades by a published policy at once and keeps it across a restart', async () => {
  let { p, url } = await start();
  hub = p;
  expect(
    (await gql(url, `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "嵌入式企业", regionCode: "130821" }) { id } }`, { c: E }))
      .errors,
  ).toBeUndefined();
  const today = chinaDateString(new Date());
  const years = ended.period.years;
  const doc = policyDocument(ended, {
    version: 'test-embedded-next',
    effectiveFrom: today,
    effectiveTo: plusDays(`${Number(today.slice(0, 4)) + years}${today.slice(4)}`, -1),
    period: { start: today, years },
  });
  const published = await gql(url, `mutation($d: JSON!) { publishCreditPolicy(document: $d) { version origin } }`, { d: doc }, sysadmin);
  expect(published.errors).toBeUndefined();
  expect(published.data.publishCreditPolicy).toEqual({ version: 'test-embedded-next', origin: 'PUBLISHED' });
  const evaluate = `mutation($c: String!) { evaluateEnterprise(creditCode: $c) { policyVersion } }`;
  expect((await gql(url, evaluate, { c: E })).data.evaluateEnterprise.policyVersion).toBe('test-embedded-next');

  await stopHub(hub);
  ({ p, url } = await start());
  hub = p;
  const list = (await gql(url, `{ creditPolicies { version origin publishedBy } }`)).data.creditPolicies;
  expect(list).toEqual([
    { version: 'test-embedded-ended', origin: 'SHIPPED', publishedBy: null },
    { version: 'test-embedded-next', origin: 'PUBLISHED', publishedBy: 'admin:embedded' },
  ]);
  expect((await gql(url, evaluate, { c: E })).data.evaluateEnterprise.policyVersion).toBe('test-embedded-next');
}, 300_000);
