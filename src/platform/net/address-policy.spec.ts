import { AddressPolicy, targetProblem } from './address-policy';

describe('outbound address policy: destination domains (数据出境)', () => {
  const policy = new AddressPolicy(['10.20.0.0/16'], ['vendor.example.cn', '*.credit.gov.cn']);

  it('allows the listed domains and their subdomains only', () => {
    for (const host of ['vendor.example.cn', 'api.vendor.example.cn', 'API.Vendor.Example.CN.', 'x.credit.gov.cn', 'credit.gov.cn'])
      expect([host, policy.domainProblem(host)]).toEqual([host, null]);
    for (const host of ['example.cn', 'evilvendor.example.cn', 'vendor.example.cn.evil.com', 'feed.example.com'])
      expect([host, policy.domainProblem(host)]).toEqual([host, expect.stringContaining('HUB_OUTBOUND_ALLOWED_DOMAINS')]);
  });

  it('lets a literal address through only when it is allow-listed as internal', () => {
    expect(policy.domainProblem('10.20.1.2')).toBeNull();
    expect(policy.domainProblem('8.8.8.8')).toMatch(/is an address, not one of the allowed destination domains/);
    expect(policy.refusal(new URL('https://8.8.8.8/x'))).toMatch(/HUB_OUTBOUND_ALLOWED_DOMAINS/);
    expect(policy.refusal(new URL('https://outside.example.com/x'))).toMatch(/HUB_OUTBOUND_ALLOWED_DOMAINS/);
    expect(policy.refusal(new URL('http://10.20.1.2/x'))).toBeNull();
  });

  it('refuses a target outside the list before resolving it, and names the rule', async () => {
    expect(await targetProblem('https://feed.example.com/api', policy)).toEqual({ problem: expect.stringMatching(/数据出境.*HUB_OUTBOUND_ALLOWED_DOMAINS/) });
    expect(await targetProblem('ftp://vendor.example.cn/', policy)).toEqual({ problem: expect.stringMatching(/https/) });
  });

  it('without a list, any public domain; internal addresses by the allow-private list alone', async () => {
    const open = new AddressPolicy();
    expect(open.domainProblem('anything.example.com')).toBeNull();
    expect(open.refusal(new URL('http://127.0.0.1:9/'))).toMatch(/internal address/);
    expect(open.refusal(new URL('http://[::ffff:7f00:1]:9/'))).toMatch(/internal address/);
    expect(await targetProblem('http://10.1.2.3/', open)).toEqual({ problem: expect.stringMatching(/HUB_OUTBOUND_ALLOW_PRIVATE/) });
  });

  it('refuses bad settings with the setting named', () => {
    expect(() => new AddressPolicy([], ['not a domain'])).toThrow(/HUB_OUTBOUND_ALLOWED_DOMAINS/);
    expect(() => new AddressPolicy(['intranet'])).toThrow(/HUB_OUTBOUND_ALLOW_PRIVATE/);
  });
});
