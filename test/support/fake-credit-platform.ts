import { createServer, IncomingMessage, Server } from 'node:http';
import { closeServer, listenLoopback } from '../../connectors/loopback';
import { verify } from '../../src/modules/webhook/standard-webhooks';

export interface ReceivedPush {
  headers: IncomingMessage['headers'];
  body: string;
  /** Whether the Standard Webhooks signature checked out with the platform's secret. */
  signed: boolean;
  /** The receipt id answered, when it was accepted. */
  receipt: string | null;
}

/**
 * The city credit platform, faked on loopback: verifies each push's signature with `secret`
 * (401 when it fails), answers 200 `{ "receiptId": "RC…" }`, and fails the next `failNext`
 * requests with 503 when told to.
 */
export interface FakeCreditPlatform {
  url: string;
  received: ReceivedPush[];
  failNext: number;
  close(): Promise<void>;
}

export async function startFakeCreditPlatform(secret: string): Promise<FakeCreditPlatform> {
  let n = 0;
  const p: FakeCreditPlatform = { url: '', received: [], failNext: 0, close: () => closeServer(server) };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let signed = true;
      try {
        verify(secret, req.headers, body);
      } catch {
        signed = false;
      }
      const hit: ReceivedPush = { headers: req.headers, body, signed, receipt: null };
      p.received.push(hit);
      if (!signed) return void res.writeHead(401).end();
      if (p.failNext > 0) {
        p.failNext--;
        return void res.writeHead(503).end();
      }
      hit.receipt = `RC${String(++n).padStart(6, '0')}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ receiptId: hit.receipt }));
    });
  });
  p.url = `http://127.0.0.1:${await listenLoopback(server, 0)}/credit/push`;
  return p;
}
