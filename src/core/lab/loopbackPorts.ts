import * as net from 'node:net';

/** Loopback ports: whether one is taken, a free one, and whether a MySQL server answers on one. */

/** Whether something already listens on 127.0.0.1:port. */
export function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when a MySQL handshake arrives on the port (the server accepts connections). */
export function handshake(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    // The first packet's payload starts with protocol version 10; 0xff would be an error packet.
    socket.once('data', (d: Buffer) => done(d.length > 4 && d[4] === 10));
    socket.once('error', () => done(false));
  });
}
