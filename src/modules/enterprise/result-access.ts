import type { Principal, PrincipalRole } from '../../platform/auth/principal';

/** What a grant allows: the evaluation result only, or the result with the credit records behind it. */
export const GRANT_SCOPES = ['RESULT_ONLY', 'WITH_RECORDS'] as const;
export type GrantScope = (typeof GRANT_SCOPES)[number];

/** The fields of an enterprise that disclose its evaluation result (logged in `result_read.fields`). */
export type ResultField = 'rating' | 'ratingHistory' | 'creditRecords';

/** The longest purpose a grant or an `X-Purpose` header may state. */
export const PURPOSE_MAX = 500;

/**
 * The purpose a reader without a grant relies on when it states none (Art. 18–21 measures are
 * applied by "有关部门"): authorities supervise by credit, partner agencies apply the joint
 * rewards and punishments of Art. 18–21.
 */
export const DEFAULT_PURPOSES: Partial<Record<PrincipalRole, string>> = {
  PROVINCE_AUTHORITY: '信用监管 / credit supervision',
  CITY_AUTHORITY: '信用监管 / credit supervision',
  COUNTY_AUTHORITY: '信用监管 / credit supervision',
  CREDIT_AUTHORITY: '信用监管 / credit supervision',
  PARTNER_AGENCY: '联合奖惩（第十八至二十一条） / joint rewards and punishments (Art. 18–21)',
};

/** A grant as the read path needs it. */
export interface ActiveGrant {
  id: string;
  scope: GrantScope;
}

interface PendingRead {
  enterpriseId: string;
  grantId: string | null;
  fields: Set<ResultField>;
}

/**
 * Per-request state of Art. 23: the grants this request relies on (enterprise id → grant), the
 * purpose the caller stated (`X-Purpose`), and the result reads to log, one per enterprise,
 * written in one statement when the response is sent (a dashboard of 1,000 enterprises is one insert).
 */
export class ResultAccess {
  readonly grants = new Map<string, ActiveGrant>();
  readonly reads = new Map<string, PendingRead>();
  /** Reads already written by the statement that read them (enterprise id → fields): not noted again. */
  readonly written = new Map<string, readonly ResultField[]>();
  constructor(readonly statedPurpose: string | null = null) {}

  /** Notes that `p` read `field` of the enterprise: nothing for the enterprise itself, nor for PUBLIC (it sees disclosed information only). */
  note(p: Principal, e: { id: string; creditCode: string }, field: ResultField): void {
    if (p.role === 'PUBLIC' || (p.role === 'ENTERPRISE' && p.creditCode === e.creditCode)) return;
    if (this.written.get(e.id)?.includes(field)) return;
    let r = this.reads.get(e.id);
    if (!r) this.reads.set(e.id, (r = { enterpriseId: e.id, grantId: this.grants.get(e.id)?.id ?? null, fields: new Set() }));
    r.fields.add(field);
  }

  /** The purpose a read relied on: the grant's (filled in by the insert), else the stated one, else the role's default. */
  purposeOf(p: Principal): string {
    return this.statedPurpose ?? DEFAULT_PURPOSES[p.role] ?? '未说明 / not stated';
  }
}

/**
 * The purpose stated in an `X-Purpose` header: URL-encoded UTF-8 (`encodeURIComponent('联合奖惩')`);
 * a value that does not decode is taken as sent. Blank → none; cut at {@link PURPOSE_MAX} characters.
 */
export function purposeFromHeader(value: string | string[] | undefined): string | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return null;
  let text = raw;
  try {
    text = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // not URL-encoded: as sent
  }
  text = text.trim();
  return text ? [...text].slice(0, PURPOSE_MAX).join('') : null;
}
