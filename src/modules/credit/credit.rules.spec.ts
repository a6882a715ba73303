import { loadPolicies } from '../policy/credit-policy.loader';
import { policyInForce } from '../policy/credit-policy';
import { EngineRecord, EvaluationInput, dEpisodes, evaluate, levelScore } from './credit.rules';
import type { CaseFacts } from './enforcement.rules';
import type { Evaluation } from './credit.rules';

/** All reasons, English and Chinese, one per line. */
const text = (e: Evaluation) => e.reasons.flatMap((r) => [r.en, r.zh]).join('\n');

const policies = loadPolicies();
const p2023 = policies.find((p) => p.version === 'chengde-2023')!;
const asOf = new Date('2025-06-30T00:00:00+08:00');
let n = 0;
const dis = (indicator: string, level: EngineRecord['level'], occurredAt = '2024-05-01', extra: Partial<EngineRecord> = {}): EngineRecord => ({
  id: `r${++n}`,
  kind: 'DISHONESTY',
  indicator,
  level,
  occurredAt: new Date(`${occurredAt}T12:00:00+08:00`),
  status: 'ACTIVE',
  ...extra,
});
const honor = (honorLevel: EngineRecord['honorLevel'], awardedAt: string, extra: Partial<EngineRecord> = {}): EngineRecord => ({
  id: `h${++n}`,
  kind: 'HONOR',
  honorLevel,
  awardedByGovernment: true,
  honorCategory: 'WATER_SAVING_CARRIER',
  occurredAt: new Date(`${awardedAt}T00:00:00+08:00`),
  status: 'ACTIVE',
  ...extra,
});
const chinaDay = (d: string) => new Date(`${d}T00:00:00+08:00`);
const plusDays = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000);
/** A case on `indicator` with one notice a month from `from`, each complied with in time or missed, and one fine served with the first notice. */
const enforcementCase = (indicator: string, states: ('MISSED' | 'COMPLIED')[], fine: 'LATE' | 'PAID', from = '2024-03-01'): CaseFacts => {
  const start = chinaDay(from);
  const notices = states.map((s, i) => {
    const issuedAt = plusDays(start, 30 * i);
    const deadline = plusDays(issuedAt, 15);
    return { noticeNo: `N-${i + 1}`, issuedAt, deadline, compliedAt: s === 'COMPLIED' ? plusDays(issuedAt, 10) : null };
  });
  const dueAt = plusDays(start, 16);
  return {
    caseId: `case-${++n}`,
    caseNo: `承水罚〔2024〕${n}号`,
    indicator,
    notices,
    fines: [{ decisionNo: `F-${n}`, servedAt: plusDays(start, 1), dueAt, paidAt: fine === 'PAID' ? plusDays(start, 5) : null }],
  };
};
const run = (over: Partial<EvaluationInput>) => evaluate({ policy: p2023, records: [], permits: [], history: [], asOf, ...over });

describe('credit engine (Chengde 2023, Art. 13–17)', () => {
  it('grades a clean enterprise B with 1000 points and the B measures', () => {
    const r = run({});
    expect(r.grade).toBe('B');
    expect(r.score).toBe(1000);
    expect(r.policyVersion).toBe('chengde-2023');
    expect(r.measures).toEqual(p2023.measures.B);
    expect(r.reasons[0].en).toMatch(/Art\. 15/);
    expect(r.indicators).toHaveLength(10);
  });

  describe('A needs a government honor of municipal level or above (Art. 14)', () => {
    it.each(['MUNICIPAL', 'PROVINCIAL', 'NATIONAL'] as const)('%s honor in the period → A', (level) => {
      expect(run({ records: [honor(level, '2024-01-01')] }).grade).toBe('A');
    });
    it('county honor → B', () => expect(run({ records: [honor('COUNTY', '2024-01-01')] }).grade).toBe('B'));
    it('honor from a non-government body → B', () =>
      expect(run({ records: [honor('NATIONAL', '2024-01-01', { awardedByGovernment: false })] }).grade).toBe('B'));
    it('an honor whose awarding body is unknown is not a government award → B, and the reason says why', () => {
      for (const awardedByGovernment of [null, undefined]) {
        const r = run({ records: [honor('NATIONAL', '2024-01-01', { awardedByGovernment })] });
        expect(r.grade).toBe('B');
        expect(r.reasons[0].en).toMatch(/1 honor\(s\) not counted because the awarding body is not known/);
      }
    });
    it('an honor without a category does not count; one of a category the policy excludes neither', () => {
      expect(run({ records: [honor('NATIONAL', '2024-01-01', { honorCategory: null })] }).grade).toBe('B');
      const narrow = { ...p2023, honorCategories: ['WATER_EFFICIENCY_LEADER' as const] };
      expect(run({ policy: narrow, records: [honor('NATIONAL', '2024-01-01')] }).grade).toBe('B');
      expect(run({ policy: narrow, records: [honor('NATIONAL', '2024-01-01', { honorCategory: 'WATER_EFFICIENCY_LEADER' })] }).grade).toBe('A');
    });
    it('every Art. 10 category counts by default', () => {
      for (const honorCategory of ['WATER_SAVING_CARRIER', 'WATER_EFFICIENCY_LEADER', 'OTHER_RECOGNISED'] as const)
        expect(run({ records: [honor('MUNICIPAL', '2024-01-01', { honorCategory })] }).grade).toBe('A');
    });
    it('honor exactly two years before the period start counts; one day earlier does not', () => {
      expect(run({ records: [honor('MUNICIPAL', '2021-10-18')] }).grade).toBe('A');
      expect(run({ records: [honor('MUNICIPAL', '2021-10-17')] }).grade).toBe('B');
    });
    it('honor awarded after asOf does not count', () => expect(run({ records: [honor('MUNICIPAL', '2025-07-01')] }).grade).toBe('B'));
    it('revoked honor does not count', () => expect(run({ records: [honor('MUNICIPAL', '2024-01-01', { status: 'REVOKED' })] }).grade).toBe('B'));
    it('an honor does not lift a dishonesty record', () => expect(run({ records: [honor('NATIONAL', '2024-01-01'), dis('1.1', 'GENERAL')] }).grade).toBe('C'));
  });

  describe('scores per indicator (annex)', () => {
    it('the worst active record on an indicator sets its score, and names it', () => {
      const g = dis('2.2', 'GENERAL');
      const s = dis('2.2', 'SERIOUS');
      const r = run({ records: [g, s] });
      const ind = r.indicators.find((i) => i.code === '2.2')!;
      expect(ind.score).toBe(40);
      expect(ind.recordIds).toEqual([s.id]);
      expect(r.score).toBe(940);
    });
    it('3.1 and 4.1 serious leave 20 points', () => {
      expect(levelScore(p2023, '3.1', 'SERIOUS')).toBe(20);
      expect(levelScore(p2023, '4.1', 'SERIOUS')).toBe(20);
    });
    it('3.1 and 4.1 have no severe level', () => {
      expect(() => levelScore(p2023, '3.1', 'SEVERE')).toThrow(/no severe level/);
      expect(() => levelScore(p2023, '4.1', 'SEVERE')).toThrow(/no severe level/);
    });
    it('an unknown indicator is refused', () => expect(() => levelScore(p2023, '9.9', 'GENERAL')).toThrow(/not in policy/));
  });

  describe('C (Art. 16)', () => {
    it('one general record → C with 980', () => {
      const r = run({ records: [dis('1.1', 'GENERAL')] });
      expect(r.grade).toBe('C');
      expect(r.score).toBe(980);
      expect(text(r)).toMatch(/Art\. 16\(1\)/);
      expect(r.measures).toEqual(p2023.measures.C);
    });
    it('score exactly 700 is C, not D (more than five general: 16(1) does not apply, 16(3) decides)', () => {
      // two serious on 3.1 and 4.1 (−80 each) and seven general elsewhere (−20 each): 1000 − 160 − 140 = 700
      const records = [dis('3.1', 'SERIOUS'), dis('4.1', 'SERIOUS'), ...['1.1', '1.2', '1.3', '2.1', '2.2', '2.3', '5.1'].map((c) => dis(c, 'GENERAL'))];
      const r = run({ records });
      expect(r.score).toBe(700);
      expect(r.grade).toBe('C');
      expect(r.reasons.map((x) => x.clause)).toEqual(['第十六条第（三）项']);
    });
  });

  describe('counting records as Art. 16(1) and 17(1) count (policy counting ladder)', () => {
    const many = (
      n: number,
      level: EngineRecord['level'],
      on = (i: number) => ['1.1', '1.2', '1.3', '2.1', '2.2', '2.3', '3.1', '4.1', '5.1', '5.2'][i % 10],
    ) => Array.from({ length: n }, (_, i) => dis(on(i), level));
    it('the shipped policies count 5 general / 2 serious for C and 3 serious / 1 severe for D', () => {
      for (const p of policies) expect(p.counting).toEqual({ cMaxGeneral: 5, cMaxSerious: 2, dMinSerious: 3, dMinSevere: 1 });
    });
    it('five general records → C under 16(1); six → 16(1) does not apply, C under 16(3) by the score', () => {
      const five = run({ records: many(5, 'GENERAL') });
      expect(five.grade).toBe('C');
      expect(five.reasons[0].clause).toBe('第十六条第（一）项');
      const six = run({ records: many(6, 'GENERAL') });
      expect(six.grade).toBe('C');
      expect(six.score).toBe(880);
      expect(six.reasons.map((x) => x.clause)).toEqual(['第十六条第（三）项']);
      expect(text(six)).not.toMatch(/16\(1\)/);
    });
    it('six general records on one indicator: one record is one 条, still not 16(1)', () => {
      const r = run({ records: many(6, 'GENERAL', () => '2.1') });
      expect(r.score).toBe(980);
      expect(r.grade).toBe('C');
      expect(r.reasons.map((x) => x.clause)).toEqual(['第十六条第（三）项']);
    });
    it('two serious records → C under 16(1); three → D under 17(1)', () => {
      const two = run({ records: many(2, 'SERIOUS') });
      expect(two.grade).toBe('C');
      expect(two.reasons[0].clause).toBe('第十六条第（一）项');
      const three = run({ records: many(3, 'SERIOUS') });
      expect(three.grade).toBe('D');
      expect(three.reasons[0].clause).toBe('第十七条第（一）项');
      expect(three.reasons[0].zh).toMatch(/3条有效的较重失信信息.*达到3条及以上/);
      expect(three.decisiveRecordIds).toHaveLength(3);
    });
    it('ten serious records on one indicator are D, not C at 940', () => {
      const r = run({ records: many(10, 'SERIOUS', () => '1.2') });
      expect(r.score).toBe(940);
      expect(r.grade).toBe('D');
      expect(r.reasons[0].en).toMatch(/10 active serious record\(s\).* — Art\. 17\(1\)/);
    });
    it('one severe record → D under 17(1), whatever the score', () => {
      const r = run({ records: [dis('2.3', 'SEVERE')] });
      expect(r.grade).toBe('D');
      expect(r.reasons[0].clause).toBe('第十七条第（一）项');
    });
    it('only ACTIVE records count: three serious, one repaired, is C', () => {
      const [a, b, c] = many(3, 'SERIOUS');
      expect(run({ records: [a, b, { ...c, status: 'REPAIRED' }] }).grade).toBe('C');
    });
    it('the ladder is policy data: a policy allowing 3 serious for C grades three serious C', () => {
      const lenient = { ...p2023, counting: { ...p2023.counting, cMaxSerious: 3, dMinSerious: 4 } };
      expect(run({ policy: lenient, records: many(3, 'SERIOUS') }).grade).toBe('C');
    });
    it('each reason is Chinese first with the clause the Chinese way, English citing Art. N(M)', () => {
      const r = run({ records: [dis('1.1', 'GENERAL')] });
      expect(r.reasons[0]).toEqual({
        clause: '第十六条第（一）项',
        zh: expect.stringMatching(/^C级：评价期内有1条有效失信信息（一般1条，较重0条）.*（第十六条第（一）项）$/),
        en: expect.stringMatching(/^C: 1 active dishonesty record.* — Art\. 16\(1\)$/),
      });
      expect(run({}).reasons[0].clause).toBe('第十五条');
    });
  });

  describe('C (Art. 16), continued', () => {
    it('two notices missed, the fine late, complied after the third → direct C, the reason naming the facts', () => {
      const k = enforcementCase('3.1', ['MISSED', 'MISSED', 'COMPLIED'], 'LATE');
      const r = run({ cases: [k] });
      expect(r.grade).toBe('C');
      expect(r.score).toBe(1000);
      const all = text(r);
      expect(all).toMatch(/Art\. 16\(4\)/);
      expect(all).toContain('责令整改通知书N-1');
      expect(all).toContain('未按期整改');
      expect(all).toContain('按期整改');
      expect(all).toContain('未按时缴纳');
      expect(all).not.toMatch(/unheeded/);
      expect(r.decisiveRecordIds).toEqual([k.caseId]);
    });
    it('graded D once in the period and since repaired → C', () => {
      const rec = dis('2.3', 'SEVERE', '2024-01-10', { status: 'REPAIRED' });
      const r = run({ records: [rec], history: [{ grade: 'D', asOf: new Date('2024-02-01T00:00:00+08:00'), decisiveRecordIds: [rec.id] }] });
      expect(r.grade).toBe('C');
      expect(r.score).toBe(1000);
      expect(text(r)).toMatch(/graded D once .* Art\. 16\(2\)/);
    });
    it('a D whose records were revoked as mistaken (upheld objection) is no D episode', () => {
      const rec = dis('2.3', 'SEVERE', '2024-01-10', { status: 'REVOKED' });
      const r = run({ records: [rec], history: [{ grade: 'D', asOf: new Date('2024-02-01T00:00:00+08:00'), decisiveRecordIds: [rec.id] }] });
      expect(r.grade).toBe('B');
    });
    it('graded D twice and repaired twice: the once-rule does not apply, the repaired records still cap at C', () => {
      const a = dis('2.3', 'SEVERE', '2024-01-10', { status: 'REPAIRED' });
      const b = dis('1.1', 'SEVERE', '2024-06-10', { status: 'REPAIRED' });
      const at = (d: string) => new Date(`${d}T00:00:00+08:00`);
      const history = [
        { grade: 'D' as const, asOf: at('2024-01-11'), decisiveRecordIds: [a.id] },
        { grade: 'C' as const, asOf: at('2024-03-01'), decisiveRecordIds: [] },
        { grade: 'D' as const, asOf: at('2024-06-11'), decisiveRecordIds: [b.id] },
      ];
      const r = run({ records: [a, b], history });
      expect(r.grade).toBe('C');
      expect(text(r)).not.toMatch(/graded D once/);
      expect(text(r)).not.toMatch(/16\(2\)|第十六条第（二）项/);
      expect(text(r)).toMatch(/C by elimination/);
      expect(text(r)).toMatch(/2 repaired dishonesty record/);
    });
    it('a D decides its records: severe ones, or all active ones below 700', () => {
      const sev = dis('2.3', 'SEVERE');
      const gen = dis('1.1', 'GENERAL');
      expect(run({ records: [sev, gen] }).decisiveRecordIds).toEqual([sev.id]);
      const c = run({ records: [gen] });
      expect(c.decisiveRecordIds).toEqual([gen.id]);
      expect(run({}).decisiveRecordIds).toEqual([]);
    });
    it('a D before the period does not count for the D-once rule', () => {
      expect(run({ history: [{ grade: 'D', asOf: new Date('2023-10-01T00:00:00+08:00') }] }).grade).toBe('B');
    });
    it('a repaired record in the period still keeps A and B out of reach (Art. 14/15, original text)', () => {
      const r = run({ records: [dis('1.1', 'GENERAL', '2024-05-01', { status: 'REPAIRED' }), honor('NATIONAL', '2024-01-01')] });
      expect(r.grade).toBe('C');
      expect(r.score).toBe(1000);
    });
  });

  describe('D (Art. 17)', () => {
    it('any active severe record → D even with a high score', () => {
      const r = run({ records: [dis('2.3', 'SEVERE')] });
      expect(r.score).toBe(900);
      expect(r.grade).toBe('D');
      expect(r.reasons[0].en).toMatch(/Art\. 17\(1\)/);
      expect(r.measures).toEqual(p2023.measures.D);
    });
    it('680 (below 700) → D', () => {
      const records = ['1.1', '1.2', '1.3', '2.1', '2.2'].map((c) => dis(c, 'SERIOUS')).concat(dis('5.1', 'GENERAL'));
      const r = run({ records });
      expect(r.score).toBe(680);
      expect(r.grade).toBe('D');
      expect(text(r)).toMatch(/Art\. 17\(2\)/);
    });
    it('three notices missed and the fine late in area 1, 2 or 5 → direct D; in area 3 no direct D', () => {
      for (const ind of ['1.2', '2.1', '5.2']) {
        const r = run({ cases: [enforcementCase(ind, ['MISSED', 'MISSED', 'MISSED'], 'LATE')] });
        expect(r.grade).toBe('D');
        expect(text(r)).toMatch(/Art\. 17\(3\)/);
      }
      expect(run({ cases: [enforcementCase('3.1', ['MISSED', 'MISSED', 'MISSED'], 'LATE')] }).grade).toBe('B');
      // with its record (serious: fined, not rectified, and 3.1 has no severe level) it is C by the record
      const k = enforcementCase('3.1', ['MISSED', 'MISSED', 'MISSED'], 'LATE');
      const r = run({ cases: [k], records: [dis('3.1', 'SERIOUS', '2024-05-01', { caseId: k.caseId })] });
      expect(r.grade).toBe('C');
      expect(text(r)).not.toMatch(/17\(3\)/);
    });
    it('a fine paid in time, or a notice still within its deadline, is no direct grade', () => {
      expect(run({ cases: [enforcementCase('2.1', ['MISSED', 'MISSED', 'MISSED'], 'PAID')] }).grade).toBe('B');
      expect(run({ cases: [enforcementCase('2.1', ['MISSED', 'MISSED', 'COMPLIED'], 'PAID')] }).grade).toBe('B');
      const pending = enforcementCase('2.1', ['MISSED', 'MISSED', 'MISSED'], 'LATE');
      expect(run({ cases: [pending], asOf: new Date(pending.notices[2].deadline.getTime() - 1) }).grade).not.toBe('D');
    });
    it('a direct D names the record determined from the case as decisive', () => {
      const k = enforcementCase('1.1', ['MISSED', 'MISSED', 'MISSED'], 'LATE');
      const rec = dis('1.1', 'SEVERE', '2024-05-01', { caseId: k.caseId });
      const r = run({ cases: [k], records: [rec] });
      expect(r.grade).toBe('D');
      expect(r.decisiveRecordIds).toEqual([rec.id]);
    });
    it('a case whose record was revoked or repaired no longer grades directly', () => {
      for (const status of ['REVOKED', 'REPAIRED'] as const) {
        const k = enforcementCase('1.1', ['MISSED', 'MISSED', 'MISSED'], 'LATE');
        const r = run({ cases: [k], records: [dis('1.1', 'GENERAL', '2024-05-01', { caseId: k.caseId, status })] });
        expect(r.grade).not.toBe('D');
      }
    });
    it('a case counts only when its first notice falls in the period and not after asOf', () => {
      expect(run({ cases: [enforcementCase('1.1', ['MISSED', 'MISSED', 'MISSED'], 'LATE', '2023-09-01')] }).grade).toBe('B');
      const later = enforcementCase('1.1', ['MISSED', 'MISSED', 'MISSED'], 'LATE', '2025-07-01');
      expect(run({ cases: [later] }).grade).toBe('B');
    });
    it('a permit revoked in the period → D; revoked after asOf does not count yet', () => {
      const revoked = { permitNo: 'P-1', revokedAt: new Date('2024-08-01T00:00:00+08:00') };
      const r = run({ permits: [revoked] });
      expect(r.grade).toBe('D');
      expect(r.reasons[0].en).toMatch(/P-1 revoked as a penalty \(吊销\)/);
      expect(run({ permits: [revoked], asOf: new Date('2024-07-31T00:00:00+08:00') }).grade).toBe('B');
      expect(run({ permits: [{ ...revoked, revocationKind: 'REVOCATION' }] }).grade).toBe('D');
    });
    it('a permit cancelled (注销) or withdrawn (撤回) is no direct D', () => {
      for (const revocationKind of ['CANCELLATION', 'WITHDRAWAL'] as const)
        expect(run({ permits: [{ permitNo: 'P-1', revokedAt: new Date('2024-08-01T00:00:00+08:00'), revocationKind }] }).grade).toBe('B');
    });
    it('a revocation annulled on review is void from the start: no D at any asOf, and its D episode disappears', () => {
      const at = (d: string) => new Date(`${d}T00:00:00+08:00`);
      const permit = { id: 'p-1', permitNo: 'P-1', revokedAt: at('2024-08-01'), revocationKind: 'REVOCATION' as const, annulledAt: at('2025-01-10') };
      expect(run({ permits: [permit], asOf: at('2024-09-01') }).grade).toBe('B');
      expect(run({ permits: [{ ...permit, annulledAt: null }] }).decisiveRecordIds).toEqual(['p-1']);
      // D from the revocation (later annulled), then D again from a severe record, since repaired:
      // only the second is a D episode, so the once-rule of Art. 16(2) applies
      const rec = dis('2.3', 'SEVERE', '2025-01-20', { status: 'REPAIRED' });
      const history = [
        { grade: 'D' as const, asOf: at('2024-08-02'), decisiveRecordIds: ['p-1'] },
        { grade: 'B' as const, asOf: at('2025-01-11'), decisiveRecordIds: [] },
        { grade: 'D' as const, asOf: at('2025-01-21'), decisiveRecordIds: [rec.id] },
      ];
      const r = run({ permits: [permit], records: [rec], history });
      expect(r.grade).toBe('C');
      expect(text(r)).toMatch(/graded D once .* Art\. 16\(2\)/);
      expect(dEpisodes(history)).toHaveLength(2);
    });
    it('a 吊销 is lifted by repairing the record that carries it: no direct D, and its D episode counts as repaired once (Art. 16(2))', () => {
      const at = (d: string) => new Date(`${d}T00:00:00+08:00`);
      const permit = { id: 'p-2', permitNo: 'P-2', revokedAt: at('2024-08-01'), revocationKind: 'REVOCATION' as const };
      const carrier = dis('1.1', 'GENERAL', '2024-08-01', { permitId: 'p-2' });
      expect(run({ permits: [permit], records: [carrier] }).grade).toBe('D');
      const history = [{ grade: 'D' as const, asOf: at('2024-08-02'), decisiveRecordIds: ['p-2'] }];
      const repaired = run({ permits: [permit], records: [{ ...carrier, status: 'REPAIRED' }], history });
      expect(repaired.grade).toBe('C');
      expect(repaired.score).toBe(1000);
      expect(text(repaired)).not.toMatch(/revoked as a penalty/);
      expect(text(repaired)).toMatch(/graded D once .* Art\. 16\(2\)/);
      // a second, ACTIVE record carrying the same revocation keeps the D; a REVOKED carrier alone does not lift it
      expect(
        run({ permits: [permit], records: [{ ...carrier, status: 'REPAIRED' }, dis('1.1', 'GENERAL', '2024-08-02', { permitId: 'p-2' })], history }).grade,
      ).toBe('D');
      expect(run({ permits: [permit], records: [{ ...carrier, status: 'REVOKED' }], history }).grade).toBe('D');
    });
  });

  describe('which records count', () => {
    it('records before the period, after asOf, repaired or revoked leave the score alone', () => {
      const r = run({
        records: [dis('1.1', 'SEVERE', '2023-10-17'), dis('1.2', 'SEVERE', '2025-07-01'), dis('1.3', 'SEVERE', '2024-01-01', { status: 'REVOKED' })],
      });
      expect(r.grade).toBe('B');
      expect(r.score).toBe(1000);
    });
    it('a record on the first day of the period counts', () => expect(run({ records: [dis('1.1', 'GENERAL', '2023-10-18')] }).grade).toBe('C'));
    it('the period ends after 2025-10-17 (China time): conduct on its last day counts, the next day belongs to the next policy', () => {
      const lastDay = new Date('2025-10-17T23:00:00+08:00');
      expect(run({ asOf: lastDay, records: [dis('1.1', 'GENERAL', '2025-10-17')] }).grade).toBe('C');
      const next = policyInForce(policies, new Date('2025-10-18T00:00:00+08:00'))!;
      const r = evaluate({
        policy: next,
        records: [dis('1.1', 'GENERAL', '2025-10-17')],
        permits: [],
        history: [],
        asOf: new Date('2025-10-18T12:00:00+08:00'),
      });
      expect(r.grade).toBe('B');
    });
    it('a permit revoked before the period does not grade D', () =>
      expect(run({ permits: [{ permitNo: 'P-0', revokedAt: new Date('2023-09-01T00:00:00+08:00') }] }).grade).toBe('B'));
  });

  it('D episodes: consecutive D evaluations are one episode', () => {
    const h = (grade: 'A' | 'B' | 'C' | 'D', day: number) => ({ grade, asOf: new Date(2024, 0, day) });
    expect(dEpisodes([h('D', 1), h('D', 2), h('C', 3)])).toHaveLength(1);
    expect(dEpisodes([h('D', 1), h('C', 2), h('D', 3)])).toHaveLength(2);
    expect(dEpisodes([])).toHaveLength(0);
  });
});

describe('policy versions', () => {
  it('evaluations use the policy in force at asOf and name it', () => {
    expect(policyInForce(policies, new Date('2025-10-17T23:59:59+08:00'))!.version).toBe('chengde-2023');
    const later = policyInForce(policies, new Date('2025-10-18T00:00:00+08:00'))!;
    expect(later.version).toBe('chengde-2025-assumed');
    expect(later.assumedContinuation).toBe(true);
    expect(policyInForce(policies, new Date('2023-10-17T12:00:00+08:00'))).toBeUndefined();
  });
  it('records of the 2023 period do not count in the 2025 period', () => {
    const later = policyInForce(policies, new Date('2026-01-01T00:00:00+08:00'))!;
    const r = evaluate({ policy: later, records: [dis('1.1', 'SEVERE', '2024-05-01')], permits: [], history: [], asOf: new Date('2026-01-01T00:00:00+08:00') });
    expect(r.grade).toBe('B');
    expect(r.policyVersion).toBe('chengde-2025-assumed');
  });
  it('a rating under an assumed continuation says so, citing 第三十二条 last, in both languages', () => {
    const later = policyInForce(policies, new Date('2026-01-01T00:00:00+08:00'))!;
    const r = evaluate({ policy: later, records: [], permits: [], history: [], asOf: new Date('2026-01-01T00:00:00+08:00') });
    expect(r.assumedContinuation).toBe(true);
    expect(r.reasons[0].clause).toBe('第十五条');
    expect(r.reasons.at(-1)).toEqual({
      clause: '第三十二条',
      zh: expect.stringMatching(/假定延续.*（第三十二条）$/),
      en: expect.stringMatching(/assumed continuation.* — Art\. 32$/),
    });
    expect(run({}).assumedContinuation).toBe(false);
    expect(run({}).reasons.map((x) => x.clause)).not.toContain('第三十二条');
  });
  it('refuses to evaluate outside the policy term', () => {
    expect(() => run({ asOf: new Date('2026-01-01T00:00:00+08:00') })).toThrow(/not in force/);
  });
});
