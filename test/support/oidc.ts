import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { freePort } from './processes';

/** A client of the test provider and the claims its tokens carry. */
export interface OpClient {
  id: string;
  secret?: string;
  claims?: Record<string, unknown>;
  /** Another audience than the hub's. */
  audience?: string;
  /** Token lifetime in seconds. */
  ttl?: number;
}

/** A running oidc-provider process (test/support/oidc-provider.mjs) on a free loopback port. */
export interface TestOp {
  issuer: string;
  /** The private signing key (JWK) the provider uses now; `restart` with a new one rotates it. */
  keyFile: string;
  /** An access token of `clientId` (client_credentials). */
  token(clientId: string): Promise<string>;
  /** Stops and starts again on the same port, signing with a freshly generated key (a new `kid`). */
  restart(opts?: { newKey?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/** A fresh RS256 key pair as a private JWK with a random `kid`, written to a temporary file. */
export async function writeSigningKey(dir: string): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: `k-${Math.random().toString(36).slice(2, 10)}` };
  const file = path.join(dir, `${jwk.kid}.json`);
  fs.writeFileSync(file, JSON.stringify(jwk));
  return file;
}

/** Starts a real OpenID provider issuing JWT access tokens for `audience`; `keyFile`: sign with that key (two providers sharing one). */
export async function startTestOp(opts: { audience: string; clients: OpClient[]; keyFile?: string }): Promise<TestOp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-op-'));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clients = opts.clients.map((c) => ({ secret: `${c.id}-secret-0123456789abcdef`, ...c }));
  let keyFile = opts.keyFile ?? (await writeSigningKey(dir));
  let child: ChildProcess | undefined;
  let output = '';
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const cfg = { port, issuer, audience: opts.audience, keyFile, clients };
      const c = spawn(process.execPath, [path.join(__dirname, 'oidc-provider.mjs'), JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      const timer = setTimeout(() => reject(new Error(`the OpenID provider did not start: ${output}`)), 15_000);
      c.stdout.on('data', (d: Buffer) => {
        output += String(d);
        if (output.includes(`listening ${issuer}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.stderr.on('data', (d: Buffer) => (output += String(d)));
      c.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the OpenID provider exited (${code}): ${output}`));
      });
    });
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill('SIGTERM');
    });
  };
  await start();
  return {
    issuer,
    get keyFile() {
      return keyFile;
    },
    async token(clientId) {
      const client = clients.find((c) => c.id === clientId)!;
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api' }),
      });
      const body = (await res.json()) as { access_token?: string };
      if (!body.access_token) throw new Error(`no token for ${clientId}: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async restart(o = {}) {
      await stop();
      output = '';
      if (o.newKey) keyFile = await writeSigningKey(dir);
      await start();
    },
    async stop() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
