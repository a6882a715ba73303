import { BlockList, isIP } from 'node:net';
import dns from 'node:dns';

/**
 * The hub's one outbound address policy: webhook deliveries, the credit platform push and
 * every data-source connector that opens a URL go through it (SSRF, 数据出境 management).
 *
 * - A target that resolves to a private, loopback, link-local or otherwise internal address
 *   is refused, in every IPv6 spelling that embeds such an IPv4 address, unless the
 *   administrator allow-listed it (`HUB_OUTBOUND_ALLOW_PRIVATE`, alias
 *   `HUB_WEBHOOK_ALLOW_PRIVATE`: addresses or CIDR ranges).
 * - With `HUB_OUTBOUND_ALLOWED_DOMAINS` set, only those domains and their subdomains may be
 *   targets (a literal address only when it is allow-listed as internal).
 * - The check runs when a target is registered ({@link targetProblem}) and again on every
 *   connection ({@link AddressPolicy.lookup}, {@link AddressPolicy.refusal}), after DNS
 *   resolution, so a name that later points inside (DNS rebinding) is refused too.
 *
 * @example
 *   const policy = new AddressPolicy(['10.20.0.0/16'], ['vendor.example.cn']);
 *   await targetProblem('https://api.vendor.example.cn/x', policy); // null: allowed
 *   await targetProblem('https://other.example.com/x', policy);     // "… HUB_OUTBOUND_ALLOWED_DOMAINS …"
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

/** A lower-case host name without a trailing dot or IPv6 brackets. */
function hostOf(hostname: string): string {
  return hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

export class AddressPolicy {
  private readonly allowed = new BlockList();
  readonly allowList: string[];
  /** Destination domains (and their subdomains) targets must lie in; empty: any domain. */
  readonly domains: string[];

  /**
   * `allow`: addresses or CIDR ranges (127.0.0.1, 10.0.0.0/8, ::1) the administrator trusts although internal;
   * `domains`: when not empty, the only destination domains (with their subdomains) allowed.
   */
  constructor(allow: string[] = [], domains: string[] = []) {
    this.allowList = allow;
    for (const entry of allow) {
      const [net, bits] = entry.split('/');
      const family = isIP(net) === 6 ? 'ipv6' : 'ipv4';
      if (!isIP(net)) throw new Error(`HUB_OUTBOUND_ALLOW_PRIVATE: "${entry}" is not an address or CIDR range`);
      if (bits === undefined) this.allowed.addAddress(net, family);
      else this.allowed.addSubnet(net, Number(bits), family);
    }
    this.domains = domains.map((d) => hostOf(d.trim()).replace(/^\*?\./, '')).filter(Boolean);
    for (const d of this.domains) if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(d)) throw new Error(`HUB_OUTBOUND_ALLOWED_DOMAINS: "${d}" is not a domain name`);
  }

  /** Whether a connection may go to this address. */
  permits(address: string): boolean {
    const a = unmapped(address);
    return this.allowed.check(a.address, a.family) || !INTERNAL.check(a.address, a.family);
  }

  /** Whether the address is internal but allow-listed (plain http is accepted only there for webhooks). */
  allowListed(address: string): boolean {
    const a = unmapped(address);
    return this.allowed.check(a.address, a.family);
  }

  /**
   * Why the destination allow-list refuses this host, or null. A literal address passes only when allow-listed as
   * internal (an address names no domain, so it cannot be shown to lie inside the allowed ones).
   */
  domainProblem(hostname: string): string | null {
    if (!this.domains.length) return null;
    const host = hostOf(hostname);
    if (isIP(host))
      return this.allowListed(host)
        ? null
        : `${host} 是地址而非允许的域名 / is an address, not one of the allowed destination domains (HUB_OUTBOUND_ALLOWED_DOMAINS: ${this.domains.join(', ')})`;
    if (this.domains.some((d) => host === d || host.endsWith(`.${d}`))) return null;
    return `${host} 不在允许的目标域名内（数据出境管理）/ is outside the allowed destination domains (HUB_OUTBOUND_ALLOWED_DOMAINS: ${this.domains.join(', ')})`;
  }

  /**
   * At connect time, before any DNS: why a connection to `url` is refused (a literal internal address, since Node skips
   * `lookup` for those, or a host outside the allowed domains), or null. Names are then checked by {@link lookup}.
   */
  refusal(url: URL): string | null {
    const host = hostOf(url.hostname);
    const domain = this.domainProblem(host);
    if (domain) return domain;
    if (isIP(host) && !this.permits(host)) return `${host} is an internal address (not allow-listed)`;
    return null;
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
 * Why this URL may not be an outbound target, or null: scheme (http or https), credentials, the destination allow-list
 * and every address its host resolves to; else the parsed URL and those addresses. Callers add their own rules
 * (webhooks: https unless allow-listed).
 */
export async function targetProblem(raw: string, policy: AddressPolicy): Promise<{ problem: string } | { url: URL; addresses: string[] }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: `"${raw}" is not a URL` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: 'the URL must use https (or http)' };
  if (url.username || url.password) return { problem: 'the URL may not carry credentials' };
  const host = hostOf(url.hostname);
  const domain = policy.domainProblem(host);
  if (domain) return { problem: domain };
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await dns.promises.lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return { problem: `the host ${host} does not resolve` };
  }
  const internal = addresses.find((a) => !policy.permits(a));
  if (internal)
    return {
      problem: `${host} resolves to ${internal}, a private, loopback or link-local address; an administrator can allow it with HUB_OUTBOUND_ALLOW_PRIVATE`,
    };
  return { url, addresses };
}

/** The process's outbound policy from its settings (`HubConfig.notify`). */
export function outboundPolicy(settings: { allowPrivate: string[]; allowedDomains?: string[] }): AddressPolicy {
  return new AddressPolicy(settings.allowPrivate, settings.allowedDomains ?? []);
}
