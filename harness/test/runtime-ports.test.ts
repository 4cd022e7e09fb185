import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PortAllocator, pickFreePort } from '../src/runtime/process/ports.ts';

describe('port picking', () => {
  it('returns a port that can be bound on loopback', async () => {
    const port = await pickFreePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    server.close();
    expect(port).toBeGreaterThan(1024);
  });

  it('never hands out the same port twice in a run', async () => {
    const offers = [4001, 4001, 4002, 4001, 4003];
    const allocator = new PortAllocator(async () => offers.shift() as number);
    expect([await allocator.next(), await allocator.next(), await allocator.next()]).toEqual([
      4001, 4002, 4003,
    ]);
  });

  it('gives up when the kernel keeps offering taken ports', async () => {
    const allocator = new PortAllocator(async () => 4001);
    await allocator.next();
    await expect(allocator.next()).rejects.toThrow('found no unused port on 127.0.0.1');
  });
});
