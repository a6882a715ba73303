import { Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1 (port 0: any free one) and resolves the port: fake feeds and test receivers. */
export async function listenLoopback(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Stops the server, dropping every connection it still holds (keep-alive or mid-request). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((err) => (err ? reject(err) : resolve()));
  });
}
