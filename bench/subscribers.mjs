// Opens many graphql-transport-ws subscribers (myGenerationUpdates) on one server, then
// queues one job per user and measures how long each socket takes to hear of it; prints the
// server's RSS with the sockets open and after they close. Loopback only; ends by itself.
//
//   node subscribers.mjs URL SERVER_PID SOCKETS USERS
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

const [url, pid, sockets = '10000', users = '10'] = process.argv.slice(2);
const total = Number(sockets);
const userCount = Number(users);
const api = `${url}/api/graphql`;
const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

async function gql(query, variables, token) {
  const response = await fetch(api, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const stamp = Date.now();
const tokens = [];
for (let u = 0; u < userCount; u++) {
  const data = await gql(
    'mutation($i: SignUpInput!) { signUp(input: $i) { token } }',
    { i: { email: `sub${u}-${stamp}@bench.example`, password: 'benchmark password', displayName: `S${u}` } },
  );
  tokens.push(data.signUp.token);
}

const before = rssKiB();
const heard = new Map(); // socket index -> ms when it heard of its user's job
let jobQueuedAt = new Map(); // user -> ms
const open = [];
function connect(n) {
  return new Promise((resolve, reject) => {
    const user = n % userCount;
    const ws = new WebSocket(api.replace('http', 'ws'), 'graphql-transport-ws');
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${tokens[user]}` } })));
    ws.on('message', (raw) => {
      const message = JSON.parse(raw);
      if (message.type === 'connection_ack') {
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { myGenerationUpdates { id status } }' } }));
        resolve(ws);
      } else if (message.type === 'next' && jobQueuedAt.has(user) && !heard.has(n)) {
        heard.set(n, Date.now() - jobQueuedAt.get(user));
      } else if (message.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      }
    });
    ws.on('error', reject);
    open.push(ws);
  });
}
const opening = Date.now();
for (let n = 0; n < total; n += 200) {
  await Promise.all(Array.from({ length: Math.min(200, total - n) }, (_, k) => connect(n + k)));
}
const openSeconds = (Date.now() - opening) / 1000;
await new Promise((r) => setTimeout(r, 1000));
const withSockets = rssKiB();

for (let u = 0; u < userCount; u++) {
  jobQueuedAt.set(u, Date.now());
  await gql('mutation { generateImages(input: {prompt: "a burst", width: 256, height: 256}) { id } }', {}, tokens[u]);
}
const deadline = Date.now() + 30000;
while (heard.size < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const delays = [...heard.values()].sort((a, b) => a - b);
const pct = (p) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))] ?? NaN;

for (const ws of open) ws.terminate();
await new Promise((r) => setTimeout(r, 3000));
const after = rssKiB();
console.log(JSON.stringify({
  sockets: total,
  open_seconds: openSeconds,
  rss_before_kib: before,
  rss_with_sockets_kib: withSockets,
  kib_per_socket: (withSockets - before) / total,
  heard: delays.length,
  delivery_p50_ms: pct(50),
  delivery_p99_ms: pct(99),
  rss_after_close_kib: after,
}));
process.exit(0);
