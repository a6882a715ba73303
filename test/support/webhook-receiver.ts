import { createServer, IncomingMessage, Server } from 'node:http';
import { closeServer, listenLoopback } from '../../connectors/loopback';
import { eventually } from './eventually';

export interface ReceivedWebhook {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/**
 * A webhook receiver on loopback: records every request and answers with whatever
 * `respond` says (200 by default), so tests can make it fail, throttle or go away.
 */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  respond: (req: ReceivedWebhook) => { status: number; headers?: Record<string, string> };
  waitFor(pred: (all: ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** `port` 0: any free one; `received`: carry the record over from a receiver that was stopped. */
export async function startReceiver(port = 0, received: ReceivedWebhook[] = []): Promise<WebhookReceiver> {
  const r: WebhookReceiver = {
    url: '',
    received,
    respond: () => ({ status: 200 }),
    async waitFor(pred, timeoutMs = 20_000) {
      await eventually(
        () => {
          if (!pred(received)) throw new Error(`webhook receiver: condition not met (${received.length} requests)`);
        },
        { timeoutMs },
      );
    },
    close: () => closeServer(server),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const hit = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(hit);
      const answer = r.respond(hit);
      res.writeHead(answer.status, answer.headers).end();
    });
  });
  r.url = `http://127.0.0.1:${await listenLoopback(server, port)}/hook`;
  return r;
}
