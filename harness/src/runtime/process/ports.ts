import { createServer } from 'node:net';

/**
 * Asks the kernel for a free TCP port on 127.0.0.1 by listening on port 0 and closing again. Another
 * process could take the port before the caller binds it; the window is a few milliseconds.
 */
export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('the kernel returned no port for 127.0.0.1:0'));
      });
    });
  });
}

/** Hands out distinct free ports for one run, so two components never receive the same one. */
export class PortAllocator {
  private readonly taken = new Set<number>();

  constructor(private readonly pick: () => Promise<number> = pickFreePort) {}

  async next(): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = await this.pick();
      if (!this.taken.has(port)) {
        this.taken.add(port);
        return port;
      }
    }
    throw new Error('found no unused port on 127.0.0.1 after 20 attempts');
  }
}
