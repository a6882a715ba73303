/** Art. 9 in the demo: a few records determined where the conduct happened, outside the registration county, each with its letter (函告). */
import { randomUUID } from 'node:crypto';
import { REGIONS } from './demo.data';
import type { Ent, Rec } from './demo.generate';
import type { CreditPolicy } from '../policy/credit-policy';
import { authorityKindOf, defaultPublicSummary, letterText } from '../credit/provenance.rules';
import type { NewCreditLetter } from '../credit/credit-letter.repository';

export type DemoLetter = NewCreditLetter & { id: string };

/**
 * Moves the conduct of up to `n` active dishonesty records to the neighbouring county (their
 * authority then determined them) and writes the letter each sends to the registration county.
 * Deterministic: the first records in order, the next county in REGIONS.
 */
export function relocateConduct(records: Rec[], ents: Ent[], policy: CreditPolicy, n = 3): DemoLetter[] {
  const byId = new Map(ents.map((e) => [e.id, e]));
  const regions = REGIONS.map((r) => r[0]);
  const letters: DemoLetter[] = [];
  for (const r of records) {
    if (letters.length >= n) break;
    if (r.kind !== 'DISHONESTY' || r.status !== 'ACTIVE' || !r.indicator || !r.level) continue;
    const e = byId.get(r.enterpriseId)!;
    const conduct = regions[(regions.indexOf(e.region) + 1) % regions.length];
    const ind = policy.indicators.find((i) => i.code === r.indicator)!;
    Object.assign(r, {
      conductRegionCode: conduct,
      determiningRegionCode: conduct,
      determiningAuthorityKind: authorityKindOf(conduct),
      determinedBy: `officer:${conduct}-01`,
      publicSummary: defaultPublicSummary({
        kind: 'DISHONESTY',
        indicator: ind.code,
        indicatorNameZh: ind.nameZh,
        level: r.level,
        occurredAt: r.occurredAt,
        sourceAct: r.sourceAct,
      }),
    });
    const text = letterText({
      enterpriseName: e.name,
      creditCode: e.creditCode,
      registrationRegion: e.region,
      conductRegion: conduct,
      fromRegion: conduct,
      indicator: ind.code,
      indicatorNameZh: ind.nameZh,
      level: r.level,
      occurredAt: r.occurredAt,
      determinedAt: r.determinedAt,
      sourceAct: r.sourceAct,
      sourceDocumentNo: r.sourceDocumentNo,
    });
    letters.push({
      id: randomUUID(),
      recordId: r.id,
      fromRegionCode: conduct,
      fromAuthorityKind: authorityKindOf(conduct),
      toRegionCode: e.region,
      toAuthorityKind: authorityKindOf(e.region),
      subject: text.subject,
      body: text.body,
      sentAt: r.determinedAt,
    });
  }
  return letters;
}
