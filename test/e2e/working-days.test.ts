import { ROLES } from '../../src/platform/auth/principal';
import { officiallyCovered } from '../../src/modules/calendar/working-days.rules';
import { TestHub, codeOf, startTestHub } from '../support/hub';

/** workingDayDeadline over HTTP: public, computed on the official calendar, bad input refused. */
const Q = `query($from: DateTime!, $n: Int!) { workingDayDeadline(from: $from, workingDays: $n) { dueDate provisional } }`;

describe('workingDayDeadline', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('working_days');
  });
  afterAll(() => t?.stop());

  it('answers anyone, without a token (PUBLIC), and every role', async () => {
    const anonymous = await t.gql(Q, { from: '2026-02-12T10:00:00+08:00', n: 7 });
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data.workingDayDeadline).toEqual({ dueDate: '2026-02-28', provisional: false });
    for (const role of ROLES.filter((r) => r !== 'PUBLIC')) {
      const r = await t.gql(
        Q,
        { from: '2026-02-12T10:00:00+08:00', n: 7 },
        t.token(role, { regions: ['130821'], creditCode: '91130821MC0000001X', agency: 'test-agency' }),
      );
      expect({ role, ...r }).toEqual({ role, status: 200, data: { workingDayDeadline: { dueDate: '2026-02-28', provisional: false } } });
    }
  });

  it('counts in China time and marks a deadline into an uncovered year provisional', async () => {
    // 2026-02-11T16:00Z is 00:00 on 02-12 in China.
    expect((await t.gql(Q, { from: '2026-02-11T16:00:00Z', n: 7 })).data.workingDayDeadline.dueDate).toBe('2026-02-28');
    const r = await t.gql(Q, { from: '2026-12-28T09:00:00+08:00', n: 5 });
    expect(r.errors).toBeUndefined();
    if (!officiallyCovered(2027)) expect(r.data.workingDayDeadline).toEqual({ dueDate: '2027-01-05', provisional: true });
    else expect(r.data.workingDayDeadline.provisional).toBe(false);
  });

  it.each([
    ['workingDays 0', { from: '2026-02-12T10:00:00+08:00', n: 0 }],
    ['workingDays negative', { from: '2026-02-12T10:00:00+08:00', n: -3 }],
    ['workingDays above 366', { from: '2026-02-12T10:00:00+08:00', n: 367 }],
    ['workingDays beyond Int', { from: '2026-02-12T10:00:00+08:00', n: 2 ** 40 }],
    ['an invalid date', { from: '2026-02-30T10:00:00+08:00', n: 7 }],
    ['not a date', { from: 'tomorrow', n: 7 }],
    ['a year beyond the lunar tables', { from: '2199-01-01T00:00:00Z', n: 7 }],
  ])('refuses %s with BAD_USER_INPUT', async (_what, variables) => {
    const r = await t.gql(Q, variables);
    expect(r.data?.workingDayDeadline ?? null).toBeNull();
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
  });
});
