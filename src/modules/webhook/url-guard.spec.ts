import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { closeServer, listenLoopback } from '../../../connectors/loopback';
import { AddressPolicy, webhookUrlProblem } from './url-guard';
import { send } from './webhook.sender';

describe('webhook URL guard (SSRF)', () => {
  const strict = new AddressPolicy();
  const loopback = new AddressPolicy(['127.0.0.1', '::1']);

  it('refuses private, loopback, link-local and mapped addresses, in every spelling', () => {
    for (const a of [
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:10.0.0.1',
      '::ffff:127.0.0.1',
    ])
      expect([a, strict.permits(a)]).toEqual([a, false]);
    for (const a of ['8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect([a, strict.permits(a)]).toEqual([a, true]);
  });

  it('judges an IPv6 address that carries an IPv4 one as that address (security review: [::7f00:1], [::ffff:0:7f00:1], [2002:7f00:1::])', async () => {
    for (const a of [
      '::7f00:1', // IPv4-compatible 127.0.0.1
      '::127.0.0.1',
      '::ffff:7f00:1', // IPv4-mapped, hex spelling (what URL parsing makes of [::ffff:127.0.0.1])
      '::ffff:0:7f00:1', // IPv4-translated 127.0.0.1
      '::ffff:0:a00:1', // … 10.0.0.1
      '2002:7f00:1::', // 6to4 of 127.0.0.1
      '2002:a9fe:a9fe::1', // 6to4 of 169.254.169.254
      '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
    ])
      expect([a, strict.permits(a)]).toEqual([a, false]);
    for (const a of ['2002:808:808::1', '::ffff:0:808:808', '::808:808']) expect([a, strict.permits(a)]).toEqual([a, true]);
    for (const url of ['https://[::7f00:1]/x', 'https://[::ffff:0:7f00:1]/x', 'https://[2002:7f00:1::]/x', 'https://[::ffff:127.0.0.1]/x'])
      expect([url, await webhookUrlProblem(url, strict)]).toEqual([url, expect.stringMatching(/private, loopback or link-local/)]);
    // An administrator who allows 127.0.0.1 allows it in every spelling.
    expect(loopback.permits('::7f00:1')).toBe(true);
  });

  it('lets an administrator allow addresses and ranges', () => {
    expect(loopback.permits('127.0.0.1')).toBe(true);
    expect(loopback.permits('127.0.0.2')).toBe(false);
    expect(new AddressPolicy(['10.20.0.0/16']).permits('10.20.3.4')).toBe(true);
    expect(() => new AddressPolicy(['intranet'])).toThrow(/not an address or CIDR/);
  });

  it('checks every address a host resolves to, the scheme and credentials', async () => {
    expect(await webhookUrlProblem('http://localhost:9/x', strict)).toMatch(/resolves to .*(127\.0\.0\.1|::1)/);
    expect(await webhookUrlProblem('http://127.0.0.1:9/x', loopback)).toBeNull();
    expect(await webhookUrlProblem('https://8.8.8.8/x', strict)).toBeNull();
    expect(await webhookUrlProblem('http://8.8.8.8/x', strict)).toMatch(/must use https/);
    expect(await webhookUrlProblem('https://user:pw@8.8.8.8/x', strict)).toMatch(/credentials/);
    expect(await webhookUrlProblem('gopher://8.8.8.8/', strict)).toMatch(/https/);
    expect(await webhookUrlProblem('not a url', strict)).toMatch(/not a URL/);
  });
});

describe('webhook sender', () => {
  let server: Server;
  let base: string;
  let answer: (res: import('node:http').ServerResponse) => void;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => answer(res));
    });
    base = `http://127.0.0.1:${await listenLoopback(server)}`;
  });
  afterAll(() => closeServer(server));
  const policy = new AddressPolicy(['127.0.0.1', '::1']);

  it('refuses internal addresses at connect time too (a name that resolves inside, a literal)', async () => {
    answer = (res) => res.writeHead(200).end();
    const port = (server.address() as AddressInfo).port;
    expect((await send(`http://localhost:${port}/`, {}, '{}', new AddressPolicy())).error).toMatch(/internal address/);
    expect((await send(`${base}/`, {}, '{}', new AddressPolicy())).error).toMatch(/internal address/);
    expect((await send(`${base}/`, {}, '{}', policy)).status).toBe(200);
  });

  it('does not follow redirects and reads Retry-After', async () => {
    answer = (res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    expect(await send(`${base}/`, {}, '{}', policy)).toMatchObject({ status: 302, error: null });
    answer = (res) => res.writeHead(429, { 'retry-after': '30' }).end();
    expect(await send(`${base}/`, {}, '{}', policy)).toMatchObject({ status: 429, retryAfterMs: 30_000 });
  });

  it('gives up after the timeout', async () => {
    answer = () => undefined; // never answers
    const r = await send(`${base}/`, {}, '{}', policy, 300);
    expect(r.status).toBeNull();
    expect(r.error).toMatch(/ETIMEDOUT|no answer within/);
  });
});
