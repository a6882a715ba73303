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
        t.token(role, {
          regions: role.endsWith('_ADMIN') ? [] : role === 'PROVINCE_AUTHORITY' ? ['130000'] : ['130821'],
          creditCode: '91130821MC0000001X',
          agency: 'test-agency',
        }),
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

describe('loadCalendarYear', () => {
  let t: TestHub;
  const M = `mutation($y: Int!, $h: [String!]!, $w: [String!]!) { loadCalendarYear(year: $y, holidays: $h, workdays: $w) { year holidays workdays loadedBy loadedAt } }`;
  // A far-future year no package covers: the deadline into it is provisional until it is loaded.
  const year = 2085; // 1 January is a Monday
  const from = `${year}-01-01T09:00:00+08:00`;
  beforeAll(async () => {
    t = await startTestHub('calendar_year');
  });
  afterAll(() => t?.stop());

  it('is for SYSTEM_ADMIN only, and audited', async () => {
    const vars = { y: year, h: [`${year}-01-01`], w: [] };
    expect(codeOf(await t.gql(M, vars))).toBe('UNAUTHENTICATED');
    expect(codeOf(await t.gql(M, vars, t.token('CITY_AUTHORITY', { regions: ['130800'] })))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(M, vars, t.token('PROVINCE_AUTHORITY', { regions: ['130000'] })))).toBe('FORBIDDEN');
    const r = await t.gql(M, { ...vars, h: [`${year}-01-01`, `${year}-01-01`] }, t.token('SYSTEM_ADMIN', { subject: 'admin:calendar' }));
    expect(r.errors).toBeUndefined();
    expect(r.data.loadCalendarYear).toMatchObject({ year, holidays: [`${year}-01-01`], workdays: [], loadedBy: 'admin:calendar' });
    const [entry] = await t.db.manager.query(`SELECT outcome, target_type, target_id FROM audit_log WHERE action = 'loadCalendarYear' AND outcome = 'OK'`);
    expect(entry).toEqual({ outcome: 'OK', target_type: 'calendar_year', target_id: String(year) });
  });

  it('makes deadlines into the loaded year final, with its holidays and adjusted days', async () => {
    const admin = t.token('SYSTEM_ADMIN', { subject: 'admin:calendar' });
    // The act on 元旦 (Mon 01-01): Tue 01-02 (1), Wed 01-03 (2) in the fallback.
    await t.db.manager.query(`DELETE FROM calendar_year WHERE year = $1`, [year]);
    if (!officiallyCovered(year)) expect((await t.gql(Q, { from, n: 2 })).data.workingDayDeadline).toEqual({ dueDate: `${year}-01-03`, provisional: true });
    // The notice: 01-01 … 01-02 off, Sat 01-06 worked.
    const r = await t.gql(M, { y: year, h: [`${year}-01-01`, `${year}-01-02`], w: [`${year}-01-06`] }, admin);
    expect(r.errors).toBeUndefined();
    // Wed 01-03 (1), Thu 01-04 (2), Fri 01-05 (3), Sat 01-06 (4).
    expect((await t.gql(Q, { from, n: 2 })).data.workingDayDeadline).toEqual({ dueDate: `${year}-01-04`, provisional: false });
    expect((await t.gql(Q, { from, n: 4 })).data.workingDayDeadline).toEqual({ dueDate: `${year}-01-06`, provisional: false });
  });

  it.each([
    ['a year beyond the lunar tables', { y: 2150, h: [], w: [] }],
    ['a date of another year', { y: year, h: [`${year + 1}-01-01`], w: [] }],
    ['an impossible date', { y: year, h: [`${year}-02-30`], w: [] }],
    ['a weekday as adjusted working day', { y: year, h: [], w: [`${year}-01-03`] }],
    ['a day both off and worked', { y: year, h: [`${year}-01-07`], w: [`${year}-01-07`] }],
  ])('refuses %s with BAD_USER_INPUT', async (_what, vars) => {
    expect(codeOf(await t.gql(M, vars, t.token('SYSTEM_ADMIN', { subject: 'admin:calendar' })))).toBe('BAD_USER_INPUT');
  });
});
