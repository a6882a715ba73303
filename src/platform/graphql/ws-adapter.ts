import http from 'node:http';
import { CloseCode, ServerOptions, handleProtocols, makeServer } from 'graphql-ws';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { logger } from '../logger';

/** What every operation's context can reach of its connection. */
export interface WsExtra {
  readonly socket: WebSocket;
  readonly request: http.IncomingMessage;
}

/**
 * Buffered bytes a socket may hold before a send waits for the kernel to take them. Below
 * it, sends return at once and a subscriber's next message is prepared without waiting a
 * turn of the event loop; above it, the subscriber is paced to what its client reads.
 */
const HIGH_WATER_BYTES = 1 << 20;

/** A close reason fits in 123 bytes (UTF-8), or ws throws. */
export function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

/**
 * graphql-ws over `ws`: graphql-ws's own `useServer` adapter with two changes. A send
 * waits for its write callback only when the socket's buffer is past HIGH_WATER_BYTES
 * (the stock adapter waits for every message, which halves fan-out to many subscribers),
 * and internal errors go to the structured log. Keep-alive pings every 12 s; a client that
 * does not answer within the next 12 s is dropped.
 */
export function serveGraphqlWs<E extends Record<PropertyKey, unknown>>(
  options: ServerOptions<Record<string, unknown> | undefined, WsExtra & Partial<E>>,
  wss: WebSocketServer,
  production: boolean,
  keepAliveMs = 12_000,
): { dispose(): Promise<void> } {
  if (!(keepAliveMs > 0)) throw new Error('keepAliveMs must be positive');
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  // ws re-emits the HTTP server's errors (EADDRINUSE…) here; listen() reports them to its caller.
  wss.on('error', (err) => logger.error({ err }, 'WebSocket server error'));
  const internal = (socket: WebSocket, err: unknown, what: string) => {
    logger.error({ err }, what);
    socket.close(CloseCode.InternalServerError, production ? 'Internal server error' : closeReason(String((err as Error)?.message ?? err)));
  };
  wss.on('connection', (socket, request) => {
    socket.once('error', (err) => internal(socket, err, 'WebSocket error'));
    let pongWait: NodeJS.Timeout | null = null;
    const ping = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
      socket.once('pong', () => {
        if (pongWait) clearTimeout(pongWait);
        pongWait = null;
      });
      socket.ping();
    }, keepAliveMs);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) => {
          if (socket.readyState !== socket.OPEN) return;
          if (socket.bufferedAmount < HIGH_WATER_BYTES) return void socket.send(data);
          return new Promise<void>((resolve, reject) => socket.send(data, (err) => (err ? reject(err) : resolve())));
        },
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', (data) => {
            cb(messageText(data)).catch((err: unknown) => internal(socket, err, 'error handling a WebSocket message'));
          }),
      },
      { socket, request } as WsExtra & Partial<E>,
    );
    socket.once('close', (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      clearInterval(ping);
      void closed(code, String(reason));
    });
  });
  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** A message's text: ws hands over a Buffer, or fragments / an ArrayBuffer under other binary types. */
function messageText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
