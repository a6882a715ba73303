import { BlockList, isIP } from 'node:net';
import dns from 'node:dns';

/**
 * Webhook targets must be public: a URL that resolves to a private, loopback, link-local
 * or otherwise internal address is refused (SSRF), unless the administrator allow-listed
 * it (HUB_WEBHOOK_ALLOW_PRIVATE, addresses or CIDR ranges). The check runs at registration
 * and again on every connection (the resolver is consulted per attempt, so a name that
 * later points inside is refused too).
 */
const INTERNAL = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['64:ff9b::', 96],
  // Teredo (its client address is obfuscated in the low bits): no webhook receiver lives there.
  ['2001::', 32],
] as const)
  INTERNAL.addSubnet(net, bits, 'ipv6');

/** The 16 bytes of an IPv6 address (`::` shorthand and a trailing dotted quad allowed), or null when it is not one. */
export function ipv6Bytes(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.toLowerCase();
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = text.slice(0, quad.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const groups = (part: string) => (part ? part.split(':') : []);
  const h = groups(head);
  const t = tail === null ? [] : groups(tail);
  const all = tail === null ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (all.length !== 8) return null;
  return all.flatMap((g) => {
    const v = parseInt(g, 16);
    return [v >> 8, v & 0xff];
  });
}

const zero = (b: number[], from: number, to: number) => b.slice(from, to).every((x) => x === 0);
const dotted = (b: number[], at: number) => b.slice(at, at + 4).join('.');

/**
 * The IPv4 address an IPv6 address carries, judged in its place: IPv4-mapped (::ffff:a.b.c.d,
 * also written ::ffff:7f00:1), IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d,
 * e.g. ::7f00:1) and 6to4 (2002:AABB:CCDD::/48). Without this, [::7f00:1] reaches 127.0.0.1.
 */
export function embeddedIpv4(address: string): string | null {
  const b = ipv6Bytes(address);
  if (!b) return null;
  if (zero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return dotted(b, 12);
  if (zero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && zero(b, 10, 12)) return dotted(b, 12);
  if (zero(b, 0, 12) && !zero(b, 12, 15)) return dotted(b, 12); // not :: or ::1 (judged as themselves)
  if (b[0] === 0x20 && b[1] === 0x02) return dotted(b, 2);
  return null;
}

/** An address as the policy judges it: an IPv6 address that carries an IPv4 one is judged as that IPv4 address. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const v4 = embeddedIpv4(address);
  if (v4) return { address: v4, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export class AddressPolicy {
  private readonly allowed = new BlockList();
  readonly allowList: string[];

  /** `allow`: addresses or CIDR ranges (127.0.0.1, 10.0.0.0/8, ::1) the administrator trusts. */
  constructor(allow: string[] = []) {
    this.allowList = allow;
    for (const entry of allow) {
      const [net, bits] = entry.split('/');
      const family = isIP(net) === 6 ? 'ipv6' : 'ipv4';
      if (!isIP(net)) throw new Error(`HUB_WEBHOOK_ALLOW_PRIVATE: "${entry}" is not an address or CIDR range`);
      if (bits === undefined) this.allowed.addAddress(net, family);
      else this.allowed.addSubnet(net, Number(bits), family);
    }
  }

  /** Whether a delivery may connect to this address. */
  permits(address: string): boolean {
    const a = unmapped(address);
    return this.allowed.check(a.address, a.family) || !INTERNAL.check(a.address, a.family);
  }

  /** Whether the address is internal but allow-listed (plain http is accepted only there). */
  allowListed(address: string): boolean {
    const a = unmapped(address);
    return this.allowed.check(a.address, a.family);
  }

  /** A `lookup` for http.request that refuses internal addresses at connect time. */
  lookup(): typeof dns.lookup {
    // dns.lookup's overloads (options or not, one address or all) cannot be implemented without `any`.
    /* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
    const permits = (address: string) => this.permits(address);
    return function guardedLookup(hostname: string, options: any, callback?: any) {
      const cb = typeof options === 'function' ? options : callback;
      const opts = typeof options === 'function' ? {} : options;
      dns.lookup(hostname, { ...opts, all: true }, (err, addresses: dns.LookupAddress[]) => {
        if (err) return cb(err);
        const bad = addresses.find((a) => !permits(a.address));
        if (bad)
          return cb(Object.assign(new Error(`${hostname} resolves to ${bad.address}, an internal address (not allow-listed)`), { code: 'EINTERNALADDRESS' }));
        if (opts.all) return cb(null, addresses);
        cb(null, addresses[0].address, addresses[0].family);
      });
    } as typeof dns.lookup;
    /* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
  }
}

/**
 * Why this URL cannot receive webhooks, or null: scheme, credentials, and every address
 * its host resolves to. Plain http only for allow-listed internal addresses.
 */
export async function webhookUrlProblem(raw: string, policy: AddressPolicy): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw}" is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'a webhook URL must use https';
  if (url.username || url.password) return 'a webhook URL may not carry credentials; the signature authenticates the hub';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await dns.promises.lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return `the host ${host} does not resolve`;
  }
  const internal = addresses.find((a) => !policy.permits(a));
  if (internal)
    return `${host} resolves to ${internal}, a private, loopback or link-local address; an administrator can allow it with HUB_WEBHOOK_ALLOW_PRIVATE`;
  if (url.protocol === 'http:' && !addresses.every((a) => policy.allowListed(a)))
    return 'a webhook URL must use https (plain http only for allow-listed internal addresses)';
  return null;
}
