import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpFailure, RetriesExhausted, Transient, backoffMs, redact, request, withRetries } from './http-client';

describe('the one HTTP client', () => {
  it('takes every secret and its bare form after a scheme out of a text', () => {
    expect(redact('got Bearer abcdef and abcdef, not abc', ['Bearer abcdef'])).toBe('got *** and ***, not abc');
    expect(redact('key k1 and X', ['k1', undefined, ''])).toBe('key *** and X');
  });

  it('backs off exponentially with equal jitter under the cap', () => {
    expect(backoffMs(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffMs(2, 500, 30_000, () => 1)).toBe(2000);
    expect(backoffMs(10, 500, 30_000, () => 1)).toBe(30_000);
  });

  it('retries transient failures only, honours the asked wait under the cap, and names the last failure', async () => {
    const seen: number[] = [];
    const ok = await withRetries({ maxRetries: 2, baseMs: 1, maxWaitMs: 5 }, undefined, (n) => {
      seen.push(n);
      if (n < 2) return Promise.reject(new Transient(`HTTP 503 #${n}`, 60_000)); // capped at 5 ms
      return Promise.resolve('done');
    });
    expect(ok).toBe('done');
    expect(seen).toEqual([0, 1, 2]);
    const gaveUp = await withRetries({ maxRetries: 1, baseMs: 1, maxWaitMs: 5 }, undefined, (n) => Promise.reject(new Transient(`HTTP 500 #${n}`))).catch(
      (e: unknown) => e,
    );
    expect(gaveUp).toBeInstanceOf(RetriesExhausted);
    expect((gaveUp as Error).message).toBe('failed after 2 attempts: HTTP 500 #1');
    let calls = 0;
    const fatal = await withRetries({ maxRetries: 3, baseMs: 1, maxWaitMs: 5 }, undefined, () => {
      calls++;
      return Promise.reject(new Error('bad settings'));
    }).catch((e: unknown) => e);
    expect((fatal as Error).message).toBe('bad settings');
    expect(calls).toBe(1);
  });

  it('never follows a redirect, reads headers and body, and fails a silent server with a timeout', async () => {
    let hang = false;
    const server = createServer((req, res) => {
      if (hang) return;
      res.writeHead(302, { location: 'http://169.254.169.254/', 'retry-after': '1' }).end('moved');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const a = await request(base, { timeoutMs: 5000 });
      expect(a).toMatchObject({ status: 302, text: 'moved' });
      expect(a.header('Location')).toBe('http://169.254.169.254/');
      hang = true;
      const e = await request(base, { timeoutMs: 100 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(HttpFailure);
      expect((e as HttpFailure).kind).toBe('timeout');
      const ac = new AbortController();
      const pending = request(base, { timeoutMs: 5000, signal: ac.signal });
      ac.abort(new Error('stop'));
      await expect(pending).rejects.toThrow('stop');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
