import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { reportRateLimit } from '../../src/modules/report/report.service';
import { TestHub, codeOf, startTestHub } from '../support/hub';

/** Issue 10 item 5 over HTTP: a report without a token gets a receipt; the 6th from one address in 10 minutes is refused (never a 500). */
let t: TestHub;
const cc = withCheckChar('91130821JBE000001');
const REPORT = `mutation($c: String!) { reportFalseInformation(input: { creditCode: $c, content: "信息不实", reporterName: "李四" }) { receiptNo due { dueDate provisional } } }`;

beforeAll(async () => {
  t = await startTestHub('report-e2e');
  reportRateLimit.reset();
  const r = await t.gql(
    `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "举报测试企业", regionCode: "130821" }) { id } }`,
    { c: cc },
    t.token('PROVINCE_AUTHORITY', { regions: ['130000'] }),
  );
  expect(r.errors).toBeUndefined();
});
afterAll(() => t?.stop());

it('an anonymous report gets a receipt it can follow; the 6th from one address is RATE_LIMITED', async () => {
  const first = await t.gql(REPORT, { c: cc });
  expect(first.status).toBe(200);
  expect(first.errors).toBeUndefined();
  const receiptNo = first.data.reportFalseInformation.receiptNo as string;
  expect(receiptNo).toMatch(/^JB\d{8}[A-HJ-NP-Z2-9]{12}$/);
  const s = await t.gql(`query($n: String!) { reportStatus(receiptNo: $n) { status due { dueDate } } }`, { n: receiptNo });
  expect(s.data.reportStatus).toEqual({ status: 'RECEIVED', due: { dueDate: first.data.reportFalseInformation.due.dueDate } });
  for (let i = 0; i < 4; i++) expect((await t.gql(REPORT, { c: cc })).errors).toBeUndefined();
  const sixth = await t.gql(REPORT, { c: cc });
  expect(sixth.status).toBe(200);
  expect(codeOf(sixth)).toBe('BAD_USER_INPUT');
  expect(sixth.errors![0].extensions.reason).toBe('RATE_LIMITED');
  // The refused attempt is on record (audited) without the reporter's name.
  const rows = await t.db.manager.query(`SELECT outcome, detail FROM audit_log WHERE action = 'reportFalseInformation' ORDER BY id`);
  expect(rows.map((r: { outcome: string }) => r.outcome)).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'BAD_USER_INPUT']);
  expect(JSON.stringify(rows)).not.toContain('李四');
});
