// A tiny HTTP service for fault tests: `GET /healthz` returns ok, `GET /bytes?n=N` sends N bytes.
// Plain JavaScript, so it starts without a TypeScript loader.
import { createServer } from 'node:http';

const port = Number(process.env.PORT);
const maxBytes = 50_000_000;

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/bytes') {
    const count = Math.min(Number(url.searchParams.get('n') ?? '0'), maxBytes);
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': count,
    });
    response.end(Buffer.alloc(count, 120));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('ok\n');
});

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
