/**
 * The subscription benchmark's peer: a bare `ws` server that forwards every message of a
 * Redis channel, as it came, to every connected socket. No GraphQL, no auth, no filters:
 * the floor under what any subscription server can do with the same messages.
 *
 * Env: REDIS_URL, CHANNEL. Prints `listening <port>` once ready.
 */
import IORedis from 'ioredis';
import { WebSocketServer } from 'ws';

const redis = new IORedis(process.env.REDIS_URL!);
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
redis.on('message', (_channel: string, message: string) => {
  for (const socket of wss.clients) socket.send(message);
});
wss.on('listening', () => {
  redis.subscribe(process.env.CHANNEL!).then(
    () => {
      const address = wss.address();
      process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : address}\n`);
    },
    (err: unknown) => {
      console.error('bare-ws-peer: cannot subscribe', err);
      process.exit(1);
    },
  );
});
process.on('SIGTERM', () => {
  redis.disconnect();
  wss.close(() => process.exit(0));
});
