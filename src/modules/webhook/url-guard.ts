import { AddressPolicy, targetProblem } from '../../platform/net/address-policy';

/** The outbound address policy lives in src/platform/net/address-policy.ts (webhooks and data sources share it). */
export { AddressPolicy, embeddedIpv4, ipv6Bytes } from '../../platform/net/address-policy';

/**
 * Why this URL cannot receive webhooks, or null: the outbound policy ({@link targetProblem}: scheme, credentials, the
 * destination allow-list, every address its host resolves to), then plain http only for allow-listed internal addresses.
 */
export async function webhookUrlProblem(raw: string, policy: AddressPolicy): Promise<string | null> {
  const target = await targetProblem(raw, policy);
  if ('problem' in target) {
    if (/must use https/.test(target.problem)) return 'a webhook URL must use https';
    if (/credentials/.test(target.problem)) return 'a webhook URL may not carry credentials; the signature authenticates the hub';
    return target.problem;
  }
  if (target.url.protocol === 'http:' && !target.addresses.every((a) => policy.allowListed(a)))
    return 'a webhook URL must use https (plain http only for allow-listed internal addresses)';
  return null;
}
