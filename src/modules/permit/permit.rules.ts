/**
 * How a water-withdrawal permit ended before its term (workflows.md "Enforcement cases"):
 * 吊销 (REVOCATION, an administrative penalty: direct D for areas 1, 2, 5), 注销 (CANCELLATION,
 * at the enterprise's request or on expiry) and 撤回 (WITHDRAWAL, by the licensing authority):
 * neither of the last two is a direct D. A REVOCATION annulled on review (行政复议/诉讼) is void
 * from the start.
 */
export const PERMIT_REVOCATION_KINDS = ['REVOCATION', 'CANCELLATION', 'WITHDRAWAL'] as const;
export type PermitRevocationKind = (typeof PERMIT_REVOCATION_KINDS)[number];

export const PERMIT_REVOCATION_KIND_ZH: Record<PermitRevocationKind, string> = { REVOCATION: '吊销', CANCELLATION: '注销', WITHDRAWAL: '撤回' };
