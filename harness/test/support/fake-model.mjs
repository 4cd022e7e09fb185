// A stand-in for the model service's admin API, for the fault contract test. It keeps the active
// version in memory: `GET /admin/model`, `POST /admin/deploy {version}`, bearer token required.
import { createServer } from 'node:http';

const port = Number(process.env.PORT);
const token = process.env.ADMIN_TOKEN;
const available = ['v1', 'v2-skew', 'v3-slow'];
const state = { active: 'v1', previous: null };

function send(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readJson(request) {
  let text = '';
  for await (const chunk of request) text += chunk;
  return JSON.parse(text || '{}');
}

const server = createServer(async (request, response) => {
  if (request.url === '/healthz' || request.url === '/readyz')
    return send(response, 200, { ok: true });
  if (request.headers.authorization !== `Bearer ${token}`) {
    return send(response, 401, { error: 'missing or wrong admin token' });
  }
  if (request.method === 'GET' && request.url === '/admin/model') {
    return send(response, 200, { ...state, available });
  }
  if (request.method === 'POST' && request.url === '/admin/deploy') {
    const { version } = await readJson(request);
    if (!available.includes(version))
      return send(response, 400, { error: `unknown version ${version}` });
    if (version !== state.active) Object.assign(state, { previous: state.active, active: version });
    return send(response, 200, { ...state, available });
  }
  send(response, 404, { error: 'not found' });
});

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
