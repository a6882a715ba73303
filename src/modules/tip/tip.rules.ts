/**
 * Tips (线索, Art. 8; workflows.md "Reports and tips"), the pure part: what a tip holds, its
 * receipt number and its verification deadline.
 *
 * The deadline: Art. 8 asks the authorities to verify tips (依法依规对线索进行核实认定) but gives no
 * time limit, and no other article of the rules does. As a policy default the hub applies the
 * 7 working days Art. 28 sets for reports of false information, on the official calendar.
 */
import { badInput } from '../../platform/errors';
import { checkOptional, checkRequired, receiptNumber } from '../intake/intake.rules';
import type { TipOutcome, TipSourceKind, TipStatus } from '../graphql-enums';

export type { TipOutcome, TipSourceKind, TipStatus };

/** No deadline in the rules for tips: the hub's default, the 7 working days of Art. 28 (reports). */
export const TIP_VERIFICATION_WORKING_DAYS = 7;
export const CONTENT_MAX = 2000;
export const NAME_MAX = 100;
export const ORGANISATION_MAX = 200;
export const CONTACT_MAX = 200;
export const EVIDENCE_MAX = 20;
export const EVIDENCE_REF_MAX = 500;

/** `XS` (线索) + the China date of receipt + 12 random base32 characters, e.g. XS20261202K7QX3M9PTA2W. */
export function tipReceiptNumber(receivedAt: Date, random?: (n: number) => Buffer): string {
  return receiptNumber('XS', receivedAt, random);
}

/** What happened: required, at most 2000 characters. */
export function checkTipContent(content: string | null | undefined): string {
  return checkRequired(content, 'content', CONTENT_MAX, { zh: '线索内容', en: 'content' });
}

export interface Tipster {
  name: string | null;
  organisation: string | null;
  contact: string | null;
}

/** The tipster's identity, each field optional (a tip may be anonymous); an organisation only for the five organisation kinds. */
export function checkTipster(
  source: TipSourceKind,
  given: { tipsterName?: string | null; tipsterOrganisation?: string | null; tipsterContact?: string | null },
): Tipster {
  const organisation = checkOptional(given.tipsterOrganisation, 'tipsterOrganisation', ORGANISATION_MAX);
  if (organisation && source === 'CITIZEN')
    throw badInput('公民个人提供的线索不填写单位名称 / A citizen gives no organisation name (tipsterOrganisation)', 'tipsterOrganisation');
  return {
    name: checkOptional(given.tipsterName, 'tipsterName', NAME_MAX),
    organisation,
    contact: checkOptional(given.tipsterContact, 'tipsterContact', CONTACT_MAX),
  };
}

/** Evidence references (file names, links, document numbers): at most 20, each non-blank and at most 500 characters. */
export function checkEvidenceRefs(refs: readonly string[] | null | undefined): string[] {
  const list = (refs ?? []).map((r) => r.trim());
  if (list.length > EVIDENCE_MAX) throw badInput(`证据材料最多${EVIDENCE_MAX}项 / at most ${EVIDENCE_MAX} evidence references`, 'evidenceRefs');
  if (list.some((r) => !r || r.length > EVIDENCE_REF_MAX))
    throw badInput(`证据材料不能为空且不得超过${EVIDENCE_REF_MAX}字 / each evidence reference is 1–${EVIDENCE_REF_MAX} characters`, 'evidenceRefs');
  return list;
}

/** BAD_USER_INPUT unless the tip is still RECEIVED (verifying twice is refused). */
export function checkTipVerifiable(status: TipStatus): void {
  if (status !== 'RECEIVED') throw badInput(`该线索已核实（${status}） / The tip has already been verified (${status})`, 'id');
}
