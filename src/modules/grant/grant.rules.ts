import { badInput } from '../../platform/errors';
import { PURPOSE_MAX } from '../enterprise/result-access';

/** The longest validity of one grant: a year (366 days, a leap year included); a longer need is a new grant, so consent is renewed yearly. */
export const GRANT_MAX_DAYS = 366;
/** A grant may start at most this far ahead (the same year). */
export const GRANT_MAX_LEAD_DAYS = 366;
const DAY = 86_400_000;
const NAME_MAX = 200;
/** Subjects that never identify a grantee: the public and a refused token (PUBLIC never sees results, Art. 23). */
const ANONYMOUS = new Set(['anonymous', 'rejected-token', 'public']);

export interface GranteeInput {
  subject?: string | null;
  agency?: string | null;
}

export interface CheckedGrant {
  granteeSubject: string | null;
  granteeAgency: string | null;
  purpose: string;
  validFrom: Date;
  validUntil: Date;
}

const trimmed = (v: string | null | undefined) => (v ?? '').trim() || null;

/**
 * A grant as the enterprise states it, checked: a grantee named by token subject and/or agency
 * (never the public), the purpose (1–500 characters), `validFrom` (default now; at most a year
 * ahead) before `validUntil`, which is in the future and at most {@link GRANT_MAX_DAYS} after
 * `validFrom`. BAD_USER_INPUT naming the field otherwise.
 */
export function checkGrant(
  input: { grantee: GranteeInput; purpose: string; validFrom?: Date | null; validUntil: Date },
  ownCreditCode: string,
  now = Date.now(),
): CheckedGrant {
  const granteeSubject = trimmed(input.grantee.subject);
  const granteeAgency = trimmed(input.grantee.agency);
  if (!granteeSubject && !granteeAgency) throw badInput('被授权人须注明令牌主体或机构名称 / grantee needs a token subject or an agency name', 'grantee');
  if ((granteeSubject?.length ?? 0) > NAME_MAX || (granteeAgency?.length ?? 0) > NAME_MAX)
    throw badInput(`被授权人名称不得超过${NAME_MAX}字 / grantee names may have at most ${NAME_MAX} characters`, 'grantee');
  if (granteeSubject && ANONYMOUS.has(granteeSubject.toLowerCase()))
    throw badInput('不能授权给公众或匿名用户 / the public (anonymous) cannot be a grantee (Art. 23)', 'grantee.subject');
  if (granteeSubject === ownCreditCode) throw badInput('企业无需授权自己查询 / the enterprise needs no grant to read its own result', 'grantee.subject');
  const purpose = input.purpose.trim();
  if (!purpose) throw badInput('查询用途不能为空 / purpose must not be empty', 'purpose');
  if ([...purpose].length > PURPOSE_MAX) throw badInput(`查询用途不得超过${PURPOSE_MAX}字 / purpose may have at most ${PURPOSE_MAX} characters`, 'purpose');
  const validFrom = input.validFrom ?? new Date(now);
  const validUntil = input.validUntil;
  if (Number.isNaN(validFrom.getTime())) throw badInput('validFrom 不是有效的日期时间 / validFrom is not a valid date-time', 'validFrom');
  if (Number.isNaN(validUntil.getTime())) throw badInput('validUntil 不是有效的日期时间 / validUntil is not a valid date-time', 'validUntil');
  if (validFrom.getTime() > now + GRANT_MAX_LEAD_DAYS * DAY)
    throw badInput(`授权起始日不得晚于一年之后 / validFrom may lie at most ${GRANT_MAX_LEAD_DAYS} days ahead`, 'validFrom');
  if (validUntil.getTime() <= validFrom.getTime()) throw badInput('授权截止时间须晚于起始时间 / validUntil must lie after validFrom', 'validUntil');
  if (validUntil.getTime() <= now) throw badInput('授权截止时间不得已过 / validUntil may not lie in the past', 'validUntil');
  if (validUntil.getTime() - validFrom.getTime() > GRANT_MAX_DAYS * DAY)
    throw badInput(`授权有效期不得超过${GRANT_MAX_DAYS}天 / a grant may be valid for at most ${GRANT_MAX_DAYS} days`, 'validUntil');
  return { granteeSubject, granteeAgency, purpose, validFrom, validUntil };
}
