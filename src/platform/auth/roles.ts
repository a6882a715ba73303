/**
 * Separated duties (三员分立, GB/T 22239-2019 level 3): three administrators, none of whom
 * touches business data, beside the business roles. The old ADMIN held every duty; its token
 * is refused (its power was split, it cannot be re-read as one of the new roles) and its duties
 * went to the roles {@link RETIRED_ROLES} names (README "Roles (三员分立)" has the mapping, duty by duty).
 */
import type { Principal, PrincipalRole, Role } from './principal';

/** 系统管理员: configuration and operations (data sources, sync, calendar, policies, schedules, queues, /health details, others' webhooks). */
export const SYSTEM_ADMINS = ['SYSTEM_ADMIN'] as const satisfies readonly Role[];
/** 安全管理员: roles, grants and keys (token revocation, key rotation, grant oversight). */
export const SECURITY_ADMINS = ['SECURITY_ADMIN'] as const satisfies readonly Role[];
/** 审计管理员: reads and exports the audit log, nothing else. */
export const AUDIT_ADMINS = ['AUDIT_ADMIN'] as const satisfies readonly Role[];
/** The three administrators: no jurisdiction, no business data, no determinations. */
export const ADMINISTRATORS = [...SYSTEM_ADMINS, ...SECURITY_ADMINS, ...AUDIT_ADMINS] as const satisfies readonly Role[];

/** Whether a role is one of the three administrators. */
export function isAdministrator(role: PrincipalRole): boolean {
  return (ADMINISTRATORS as readonly string[]).includes(role);
}

/** Roles that no longer exist; a token naming one is refused (UNAUTHENTICATED) with where its duties went. */
export const RETIRED_ROLES: Readonly<Record<string, readonly Role[]>> = Object.freeze({
  ADMIN: ['PROVINCE_AUTHORITY', 'SYSTEM_ADMIN', 'SECURITY_ADMIN', 'AUDIT_ADMIN'],
});

/** The refusal of a token whose role was retired (e.g. ADMIN), or null. */
export function retiredRoleRefusal(payload: unknown): string | null {
  const role = (payload as { role?: unknown } | null)?.role;
  if (typeof role !== 'string' || !Object.hasOwn(RETIRED_ROLES, role)) return null;
  // The new roles come first: a WebSocket close reason keeps only 123 bytes.
  return `角色 ${role} 已拆分 / ${role} was split: ${RETIRED_ROLES[role].join(', ')} (三员分立)；令牌被拒绝，请申领其中之一的令牌 / bearer token rejected: ask for a token of one of them.`;
}

/** What is wrong with minting a token of `role` over `regions`, or null. */
export function mintProblem(role: Role, regions: readonly string[]): string | null {
  if (isAdministrator(role) && regions.length) return `a ${role} token carries no --region: an administrator has no jurisdiction (it sees no business data)`;
  if (role === 'PROVINCE_AUTHORITY') {
    const notProvince = regions.find((r) => !r.endsWith('0000'));
    if (notProvince) return `a PROVINCE_AUTHORITY's --region is a province (e.g. 130000), got ${notProvince}`;
  }
  return null;
}

/**
 * The hub's own work (jobs, the CLI's direct service calls, webhook delivery): role SYSTEM, all
 * regions. Not a {@link Role}: not in the GraphQL enum nor the CLI, never accepted from a token
 * (the claims only admit ROLES), so no one can hold it.
 */
export function systemPrincipal(name: string): Principal {
  return { subject: `system:${name}`, role: 'SYSTEM', regions: [] };
}
