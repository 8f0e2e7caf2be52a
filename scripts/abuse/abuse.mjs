// Attacks a RenderMart server as someone on the open internet would, while a normal user keeps
// working, and checks that the server refuses what issue 9's limits say it must refuse.
//
// Usage (from the repository root, after `cargo build -p api`):
//   npm --prefix scripts/abuse ci && node scripts/abuse/abuse.mjs
// Environment:
//   RENDERMART_BIN   the server binary (default $CARGO_TARGET_DIR/debug/rendermart, else
//                    target/debug/rendermart)
//   ABUSE_MAX_RSS_MB fail when the server's peak resident memory goes over this (default 512;
//                    the normal user alone takes the debug build to about 130 MB, the
//                    hardened server peaked at 388 MB under these attacks on 2026-11-29, the
//                    unhardened one went to 500-800 MB and grew with the attack's size)
//   ABUSE_ONLY       comma-separated attack names (keys of `attacks` in main) to run only those
//
// What it does, all on 127.0.0.1 and bounded in time (about a minute; a timer kills the server
// and exits after HARD_STOP_MS whatever happens):
// - starts the real binary with `serve --port 0` on a fresh data dir (SQLite, offline engine
//   only: RENDERMART_BEDROCK_MODELS=none) and the DEFAULT limits; RENDERMART_TRUSTED_PROXIES=
//   127.0.0.1/32 lets each simulated client send its own X-Forwarded-For address (attackers
//   from 203.0.113.0/24, the normal user from 198.51.100.10), so no attacker spends the normal
//   user's per-address budget;
// - runs at once: alias and cost bombs, an oversize query and body, password guessing (one
//   address many emails, then many addresses one email, then aliased logIn in one request), a
//   generateImages flood (one at a time and aliased), a request flood, 1,000 WebSockets as one
//   user from one address, 150 subscriptions on one socket, sockets that stop reading while
//   their subscriptions fire, slow-header clients and an oversize WebSocket message;
//   a flood that ends (after its time cap) without sending more than the limit allows proves
//   nothing and fails as such;
// - meanwhile a normal user signs up and starts a job every few seconds over HTTP, follows
//   each by polling `generation(id)` and over a WebSocket (`generationUpdates`);
// - samples the server's VmRSS/VmHWM from /proc and prints the peak;
// - prints what each attack sent, what got through and how the rest was refused, then one
//   line per check and `abuse: N passed, M failed`; exits 1 when any check failed.
// The checks follow the defaults in DESIGN.md's "Limits" (mirrored in LIMITS below).

import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN =
  process.env.RENDERMART_BIN ??
  path.join(process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, 'target'), 'debug/rendermart');
const MAX_RSS_MB = Number(process.env.ABUSE_MAX_RSS_MB ?? 512);

// The server's default limits (DESIGN.md "Limits"); the checks hold the server to them.
const LIMITS = {
  requestsPerIpPerMinute: 1200,
  loginAttemptsPerIpPerMinute: 20,
  loginAttemptsPerEmailPerHour: 20,
  generationsPerUserPerMinute: 30,
  wsConnectionsPerIp: 200,
  wsConnectionsPerUser: 20,
  subscriptionsPerSocket: 100,
  headerReadTimeoutSeconds: 10,
};

const ATTACK_SECONDS = 40; // the normal user's jobs start within this window
const NORMAL_JOBS = 6;
const HARD_STOP_MS = 90_000;
const TRUSTED_PROXY = '127.0.0.1/32';
const NORMAL_IP = '198.51.100.10';
const attackerIp = (n) => `203.0.113.${n}`;
const PASSWORD = 'correct horse battery staple';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const runStarted = Date.now();
const elapsed = () => ((Date.now() - runStarted) / 1000).toFixed(1);
const log = (message) => console.log(`[${elapsed().padStart(5)}s] ${message}`);

// ---------------------------------------------------------------------------------------------
// The server

let server; // { child, pid, dataDir, logFile, exited }

function startServer() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rendermart-abuse-'));
  const logFile = path.join(dataDir, 'server.log');
  const env = { ...process.env };
  // Only our settings: no database, rate-limit switch or AWS models from the caller's shell.
  for (const name of Object.keys(env)) {
    if (name.startsWith('RENDERMART_') || name === 'DATABASE_URL') delete env[name];
  }
  env.RENDERMART_TRUSTED_PROXIES = TRUSTED_PROXY;
  env.RENDERMART_BEDROCK_MODELS = 'none';
  const out = openSync(logFile, 'a');
  const child = spawn(
    BIN,
    ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--offline-step-ms', '20'],
    { env, stdio: ['ignore', out, out] },
  );
  server = { child, pid: child.pid, dataDir, logFile, exited: null };
  child.on('exit', (code, signal) => {
    server.exited = { code, signal, at: elapsed() };
  });
  child.on('error', (error) => {
    server.exited = { code: null, signal: String(error.message), at: elapsed() };
  });
}

async function waitForUrl() {
  for (let i = 0; i < 150; i += 1) {
    if (server.exited) break;
    const match = readFileSync(server.logFile, 'utf8').match(/http:\/\/[0-9.:]+/);
    if (match) return match[0];
    await sleep(100);
  }
  return null;
}

function serverLogTail(lines = 30) {
  try {
    return readFileSync(server.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

function stopServer() {
  if (server && !server.exited) server.child.kill('SIGKILL');
}

function cleanUp() {
  stopServer();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
}

// Resident memory of the server, sampled; VmHWM is the kernel's own high-water mark.
const memory = { startMb: null, peakMb: 0, lastMb: null, timeline: [] };
function readMemory() {
  try {
    const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
    const kb = (field) => Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1] ?? 0);
    const rss = kb('VmRSS') / 1024;
    memory.lastMb = rss;
    memory.startMb ??= rss;
    memory.peakMb = Math.max(memory.peakMb, rss, kb('VmHWM') / 1024);
    const second = Math.floor((Date.now() - runStarted) / 5000) * 5;
    if (memory.timeline.at(-1)?.second !== second) memory.timeline.push({ second, rss });
  } catch {
    // The process is gone; the liveness check reports it.
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP and WebSocket clients

let graphqlUrl;
let wsUrl;

/** One POST to /api/graphql; never throws (a dropped connection is `{ dropped: message }`). */
async function post(ip, query, { variables, token, rawBody, timeoutMs = 20_000 } = {}) {
  try {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': ip,
        ...(token && { authorization: `Bearer ${token}` }),
      },
      body: rawBody ?? JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a plain 413 or 429 page): the status says enough.
    }
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
  } catch (error) {
    return { dropped: error.cause?.code ?? error.name ?? String(error) };
  }
}

const isWholeSeconds = (value) => Number.isInteger(Number(value)) && Number(value) >= 1;

/** How one GraphQL error refused something, e.g. "RATE_LIMITED + retryAfter". */
function errorLabel(error) {
  const code = error?.extensions?.code ?? 'error without code';
  if (code !== 'RATE_LIMITED') return code;
  return isWholeSeconds(error.extensions.retryAfter)
    ? 'RATE_LIMITED + retryAfter'
    : 'RATE_LIMITED without retryAfter';
}

/**
 * How the server answered a request as a whole: `null` when it ran (data came back), else the
 * way it refused, e.g. "HTTP 429 + Retry-After", "HTTP 400 BAD_USER_INPUT", "connection dropped".
 */
function refusalOf(res) {
  if (res.dropped) return `connection dropped (${res.dropped})`;
  if (res.status === 429) {
    return isWholeSeconds(res.retryAfter) ? 'HTTP 429 + Retry-After' : 'HTTP 429 without Retry-After';
  }
  const firstError = res.body?.errors?.[0];
  if (res.status >= 400) return `HTTP ${res.status}${firstError ? ` ${errorLabel(firstError)}` : ''}`;
  if (res.body?.data == null) return firstError ? errorLabel(firstError) : `HTTP ${res.status} without data`;
  return null;
}

/** What one attack sent, what got through and how the rest was refused. */
class Tally {
  constructor(name) {
    this.name = name;
    this.sent = 0;
    this.through = 0;
    this.refused = new Map();
  }

  pass(n = 1) {
    this.sent += n;
    this.through += n;
  }

  refuse(how, n = 1) {
    this.sent += n;
    this.refused.set(how, (this.refused.get(how) ?? 0) + n);
  }

  refusedCount() {
    return [...this.refused.values()].reduce((a, b) => a + b, 0);
  }

  /** Refusals that break the contract's form: a 429 without Retry-After, etc. */
  malformed() {
    return [...this.refused.keys()].filter((how) => how.includes('without'));
  }
}

const tallies = [];
function tally(name) {
  const t = new Tally(name);
  tallies.push(t);
  return t;
}

const GRAPHQL_TRANSPORT_WS = 'graphql-transport-ws';

/** A graphql-transport-ws connection with just what the attacks need. */
class Socket {
  constructor(ip, token) {
    this.acked = false;
    this.upgradeRefusal = null; // "HTTP 429 + Retry-After" when the upgrade itself was refused
    this.closeCode = null;
    this.closedAt = null;
    this.operations = new Map(); // id -> { onNext, onError, onComplete }
    this.ws = new WebSocket(wsUrl, GRAPHQL_TRANSPORT_WS, {
      headers: { 'x-forwarded-for': ip },
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
    });
    this.ws.on('error', () => {}); // the close event carries what matters
    this.ws.on('unexpected-response', (request, response) => {
      const retryAfter = response.headers['retry-after'];
      this.upgradeRefusal =
        response.statusCode === 429
          ? isWholeSeconds(retryAfter)
            ? 'upgrade HTTP 429 + Retry-After'
            : 'upgrade HTTP 429 without Retry-After'
          : `upgrade HTTP ${response.statusCode}`;
      response.resume();
      request.destroy(new Error('upgrade refused')); // ends in 'close', like any failed socket
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code) => {
        this.closeCode = code;
        this.closedAt = Date.now();
        for (const operation of this.operations.values()) operation.onClosed?.(code);
        resolve(code);
      });
    });
    this.ready = new Promise((resolve) => {
      this.ws.on('open', () =>
        this.send({
          type: 'connection_init',
          payload: token ? { Authorization: `Bearer ${token}` } : {},
        }),
      );
      this.ws.on('message', (data) => {
        let message;
        try {
          message = JSON.parse(data);
        } catch {
          return;
        }
        if (message.type === 'connection_ack') {
          this.acked = true;
          resolve(true);
        } else if (message.type === 'ping') {
          this.send({ type: 'pong' });
        } else {
          const operation = this.operations.get(message.id);
          if (message.type === 'next') operation?.onNext?.(message.payload);
          if (message.type === 'error') operation?.onError?.(message.payload);
          if (message.type === 'complete') operation?.onComplete?.();
        }
      });
      this.closed.then(() => resolve(false));
    });
  }

  send(message) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  subscribe(id, query, variables, handlers = {}) {
    this.operations.set(id, handlers);
    this.send({ id, type: 'subscribe', payload: { query, variables } });
  }

  isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** How the server ended or refused this socket, or null while it is open. */
  refusal() {
    if (this.upgradeRefusal) return this.upgradeRefusal;
    if (this.closeCode === null) return null;
    return this.closeCode === 1006 ? 'connection dropped' : `WS close ${this.closeCode}`;
  }

  close() {
    this.ws.terminate();
  }
}

/** Waits until `done()` is true, polling, for at most `ms`. */
async function until(done, ms, every = 100) {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(every);
  return done();
}

// ---------------------------------------------------------------------------------------------
// Accounts

let emailCounter = 0;
const freshEmail = (who) => `${who}-${process.pid}-${(emailCounter += 1)}@example.com`;

async function signUp(ip, who) {
  const email = freshEmail(who);
  const res = await post(
    ip,
    'mutation($input: SignUpInput!) { signUp(input: $input) { token } }',
    { variables: { input: { email, password: PASSWORD, displayName: who } } },
  );
  const token = res.body?.data?.signUp?.token;
  if (!token) throw new Error(`sign-up of ${who} failed: ${JSON.stringify(res.body ?? res)}`);
  return { email, token };
}

const GENERATE = `mutation($input: GenerateImagesInput!) { generateImages(input: $input) { id } }`;

// ---------------------------------------------------------------------------------------------
// The checks

const checks = [];
function check(ok, name, detail = '') {
  checks.push({ ok: Boolean(ok), name, detail });
}

/** A check on what an attack met; a server that died meanwhile refused nothing. */
function attackCheck(ok, name, detail) {
  if (server.exited) check(false, name, 'the server died during the attack');
  else check(ok, name, detail);
}

/** One request that the server must refuse as a whole. */
async function mustRefuse(t, ip, query, options, checkName, wanted) {
  const res = await post(ip, query, options);
  const how = refusalOf(res);
  if (how) t.refuse(how);
  else t.pass();
  const ok = how !== null && (!wanted || wanted.test(how));
  attackCheck(ok, checkName, how ?? `HTTP ${res.status}, executed`);
}

// ---------------------------------------------------------------------------------------------
// Attacks. Each takes the accounts it needs and records into its tallies and checks.

async function queryBombs(attacker) {
  const t = tally('alias, cost and size bombs');
  const ip = attackerIp(1);
  const aliases = Array.from({ length: 500 }, (_, i) => `m${i}: models { id name }`).join(' ');
  await mustRefuse(t, ip, `{ ${aliases} }`, {}, 'alias bomb (`models` aliased 500 times) is refused');

  const nested = (alias) =>
    `${alias}: generations(first: 100) { edges { node { images { generation { images { generation { images { id url thumbnailUrl } } } } } } } }`;
  await mustRefuse(
    t,
    ip,
    `{ ${['a', 'b', 'c', 'd'].map(nested).join(' ')} }`,
    { token: attacker.token },
    'cost bomb (4 × generations(first:100) → images → generation → images …) is refused',
  );
  await mustRefuse(
    t,
    ip,
    '{ publicImages(first: 100000) { edges { node { id } } } }',
    {},
    'publicImages(first: 100000) is refused as BAD_USER_INPUT',
    /BAD_USER_INPUT/,
  );
  await mustRefuse(
    t,
    ip,
    '{ publicImages(first: 2147483648) { edges { node { id } } } }',
    {},
    'publicImages(first: 2147483648) is refused as BAD_USER_INPUT (not INTERNAL)',
    /BAD_USER_INPUT/,
  );
  const typenames = '__typename '.repeat(Math.ceil(200_000 / 11));
  await mustRefuse(t, ip, `{ ${typenames} }`, {}, 'a 200 KB query of `__typename` is refused');
  const padding = 'x'.repeat(3 * 1024 * 1024);
  await mustRefuse(
    t,
    ip,
    null,
    { rawBody: JSON.stringify({ query: '{ __typename }', variables: { padding } }) },
    'a 3 MiB request body is refused with HTTP 413',
    /HTTP 413|connection dropped/,
  );
}

/**
 * Runs `attempt(i)` from `concurrency` workers until `total` attempts, `seconds` have passed or
 * the tally has `enoughRefusals` refusals; returns the seconds it took.
 */
async function flood(t, { total, seconds, concurrency = 1, enoughRefusals = Infinity }, attempt) {
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < total && Date.now() - started < seconds * 1000 && t.refusedCount() < enoughRefusals) {
      next += 1;
      await attempt(next - 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (Date.now() - started) / 1000;
}

/**
 * A rate limit held: no more got through than the limit plus what refilled meanwhile, and
 * every refusal said when to retry. A flood that sent no more than that proves nothing.
 */
function rateCheck(t, name, { limit, perSeconds, seconds, through = t.through }) {
  const allowed = limit + Math.ceil((seconds * limit) / perSeconds);
  const detail = `${through} of ${t.sent} through in ${seconds.toFixed(1)} s, ${allowed} allowed`;
  if (t.sent <= allowed) {
    attackCheck(false, name, `${detail}; too few sent to reach the limit (machine too slow?)`);
  } else {
    const malformed = t.malformed();
    attackCheck(through <= allowed && malformed.length === 0, name, [detail, ...malformed].join('; '));
  }
}

const LOG_IN = 'mutation($input: LogInInput!) { logIn(input: $input) { token } }';

/** One logIn attempt; UNAUTHENTICATED ("wrong email or password") means it was checked. */
async function logInAttempt(t, ip, email, password) {
  const res = await post(ip, LOG_IN, { variables: { input: { email, password } } });
  const how = refusalOf(res);
  if (how === 'UNAUTHENTICATED' || (how === null && res.body.data.logIn)) t.pass();
  else t.refuse(how);
}

async function credentialStuffing() {
  const t = tally('logIn: one address, many emails');
  const seconds = await flood(t, { total: 60, seconds: 20, enoughRefusals: 20 }, (i) =>
    logInAttempt(t, attackerIp(3), `someone-${i}@example.com`, `guess-${i}`),
  );
  rateCheck(
    t,
    `logIn from one address: at most ${LIMITS.loginAttemptsPerIpPerMinute} passwords checked a minute, then RATE_LIMITED + retryAfter`,
    { limit: LIMITS.loginAttemptsPerIpPerMinute, perSeconds: 60, seconds },
  );
}

async function passwordGuessing(victim) {
  const t = tally('logIn: 40 addresses, one email');
  const seconds = await flood(t, { total: 40, seconds: 20, enoughRefusals: 15 }, (i) =>
    logInAttempt(t, attackerIp(100 + i), victim.email, `guess-${i}`),
  );
  rateCheck(
    t,
    `logIn on one email from many addresses: at most ${LIMITS.loginAttemptsPerEmailPerHour} passwords checked an hour`,
    { limit: LIMITS.loginAttemptsPerEmailPerHour, perSeconds: 3600, seconds },
  );
}

/** Ten logIn fields in one request (under the alias cap); the last has the right password. */
async function aliasedLogIn(victim) {
  const t = tally('logIn: 10 aliased fields, one request');
  const fields = Array.from({ length: 10 }, (_, i) => {
    const password = i === 9 ? PASSWORD : `guess-${i}`;
    return `l${i}: logIn(input: {email: ${JSON.stringify(victim.email)}, password: ${JSON.stringify(password)}}) { token }`;
  });
  const res = await post(attackerIp(4), `mutation { ${fields.join(' ')} }`);
  const how = refusalOf(res);
  let tokenFromLaterAlias = false;
  if (how) {
    t.refuse(how, fields.length);
  } else {
    for (let i = 0; i < fields.length; i += 1) {
      const error = res.body.errors?.find((e) => e.path?.[0] === `l${i}`);
      if (res.body.data?.[`l${i}`]?.token) {
        tokenFromLaterAlias ||= i > 0;
        t.pass();
      } else if (error && errorLabel(error) === 'UNAUTHENTICATED') {
        t.pass();
      } else {
        t.refuse(error ? errorLabel(error) : 'not executed');
      }
    }
  }
  attackCheck(
    t.through <= 1 && !tokenFromLaterAlias,
    'logIn aliased 10 times in one request: at most one password checked, the 10th guess finds nothing',
    `${t.through} checked${tokenFromLaterAlias ? ', the 10th alias logged in' : ''}`,
  );
}

/** Records each aliased field of a mutation as queued (an id came back) or refused. */
function recordFields(t, res, aliases) {
  const how = refusalOf(res);
  if (how) return t.refuse(how, aliases.length);
  for (const alias of aliases) {
    if (res.body.data?.[alias]?.id) t.pass();
    else t.refuse(errorLabel(res.body.errors?.find((e) => e.path?.[0] === alias)));
  }
}

async function generationFlood(attacker) {
  const t = tally('generateImages flood, one user');
  const ip = attackerIp(6);
  // A few one at a time, then ten aliased fields a request.
  const seconds = await flood(t, { total: 12, seconds: 20, enoughRefusals: 10 }, async (i) => {
    const aliases = i < 5 ? ['g'] : Array.from({ length: 10 }, (_, n) => `g${n}`);
    const fields = aliases.map(
      (alias) => `${alias}: generateImages(input: {prompt: "flood ${i} ${alias}", width: 64, height: 64, count: 1}) { id }`,
    );
    recordFields(t, await post(ip, `mutation { ${fields.join(' ')} }`, { token: attacker.token }), aliases);
  });
  rateCheck(
    t,
    `generateImages flood (one at a time and 10 aliased): at most ${LIMITS.generationsPerUserPerMinute} a minute queued, then RATE_LIMITED + retryAfter`,
    { limit: LIMITS.generationsPerUserPerMinute, perSeconds: 60, seconds },
  );
}

async function requestFlood() {
  const t = tally('request flood, one address');
  const options = { total: 3_000, seconds: 20, concurrency: 16, enoughRefusals: 100 };
  const seconds = await flood(t, options, async () => {
    const how = refusalOf(await post(attackerIp(7), '{ __typename }'));
    if (how) t.refuse(how);
    else t.pass();
  });
  rateCheck(
    t,
    `request flood from one address: at most ${LIMITS.requestsPerIpPerMinute} a minute, then HTTP 429 + Retry-After`,
    { limit: LIMITS.requestsPerIpPerMinute, perSeconds: 60, seconds },
  );
  attackCheck(
    (t.refused.get('HTTP 429 + Retry-After') ?? 0) > 0,
    'request flood refusals are HTTP 429 + Retry-After',
    [...t.refused.keys()].join(', ') || 'none refused',
  );
}

const MY_UPDATES = 'subscription { myGenerationUpdates { id status } }';

async function socketFlood(attacker) {
  const t = tally('1,000 WebSockets, one user, one address');
  const ip = attackerIp(8);
  const sockets = [];
  // In batches, as a client with a connection pool would; each subscribes once acknowledged.
  for (let batch = 0; batch < 10; batch += 1) {
    const opened = Array.from({ length: 100 }, () => {
      const socket = new Socket(ip, attacker.token);
      socket.subscriptionError = null;
      socket.ready.then((acked) => {
        if (acked) {
          socket.subscribe('1', MY_UPDATES, {}, {
            onError: (errors) => {
              socket.subscriptionError = errorLabel(errors?.[0]);
            },
          });
        }
      });
      return socket;
    });
    sockets.push(...opened);
    await Promise.race([Promise.all(opened.map((s) => s.ready)), sleep(3_000)]);
  }
  await sleep(3_000); // refusals that come after the subscription have arrived by now
  let open = 0;
  let held = 0;
  for (const socket of sockets) {
    const how = socket.refusal() ?? (socket.subscriptionError && `subscription ${socket.subscriptionError}`);
    if (socket.isOpen()) open += 1;
    if (how) t.refuse(how);
    else if (!socket.acked) t.refuse('never acknowledged');
    else {
      held += 1;
      t.pass();
    }
  }
  for (const socket of sockets) socket.close();
  attackCheck(
    open <= LIMITS.wsConnectionsPerIp,
    `1,000 WebSockets from one address: at most ${LIMITS.wsConnectionsPerIp} stay open`,
    `${open} open`,
  );
  attackCheck(
    held <= LIMITS.wsConnectionsPerUser && t.malformed().length === 0,
    `1,000 WebSockets as one user: at most ${LIMITS.wsConnectionsPerUser} hold a subscription`,
    `${held} held a subscription`,
  );
}

async function subscriptionFlood(attacker) {
  const t = tally('150 subscriptions on one socket');
  const socket = new Socket(attackerIp(9), attacker.token);
  const errors = new Map();
  if (await Promise.race([socket.ready, sleep(10_000)])) {
    for (let i = 1; i <= 150; i += 1) {
      socket.subscribe(String(i), MY_UPDATES, {}, {
        onError: (e) => errors.set(String(i), errorLabel(e?.[0])),
      });
    }
  }
  await sleep(2_000);
  for (let i = 1; i <= 150; i += 1) {
    const how = errors.get(String(i)) ?? socket.refusal();
    if (how) t.refuse(how);
    else t.pass();
  }
  socket.close();
  attackCheck(
    t.through <= LIMITS.subscriptionsPerSocket && t.malformed().length === 0,
    `150 subscriptions on one socket: at most ${LIMITS.subscriptionsPerSocket} accepted`,
    `${t.through} accepted`,
  );
}

/**
 * Sockets that stop reading while their subscriptions fire: the server must drop them (a
 * bounded outgoing queue) instead of buffering without limit.
 */
async function nonReadingSockets(attacker) {
  const t = tally('sockets that stop reading');
  const ip = attackerIp(10);
  const query = 'subscription { myGenerationUpdates { id status progress stage preview } }';
  const sockets = [new Socket(ip, attacker.token), new Socket(ip, attacker.token)];
  const acked = await Promise.race([Promise.all(sockets.map((s) => s.ready)), sleep(10_000)]);
  if (!Array.isArray(acked) || !acked.every(Boolean)) {
    for (const socket of sockets) t.refuse(socket.refusal() ?? 'never acknowledged');
    attackCheck(false, 'sockets that stop reading are closed by the server', 'could not subscribe');
    return;
  }
  for (const socket of sockets) {
    for (let i = 1; i <= LIMITS.subscriptionsPerSocket; i += 1) socket.subscribe(String(i), query, {});
  }
  await sleep(500);
  for (const socket of sockets) socket.ws.pause();
  // Every job event is sent 100 times per socket, each with a preview image.
  const jobs = [];
  for (let i = 0; i < 12; i += 1) {
    const res = await post(ip, GENERATE, {
      token: attacker.token,
      variables: { input: { prompt: `a crowded harbour at dusk, take ${i}`, width: 128, height: 128 } },
    });
    if (res.body?.data?.generateImages?.id) jobs.push(res.body.data.generateImages.id);
  }
  // Until the jobs are over (or 20 s), then give the server a moment to notice.
  const idle = async () => {
    const res = await post(ip, '{ generations(first: 50) { edges { node { status } } } }', {
      token: attacker.token,
    });
    const edges = res.body?.data?.generations?.edges ?? [];
    return edges.every((e) => !['QUEUED', 'RUNNING'].includes(e.node.status));
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !(await idle())) await sleep(1_000);
  await sleep(2_000);
  for (const socket of sockets) socket.ws.resume();
  // Whatever the kernel buffered is read now; a dropped socket then reports its close.
  await until(() => sockets.every((s) => !s.isOpen()), 8_000);
  for (const socket of sockets) {
    const how = socket.refusal();
    if (how) t.refuse(how);
    else t.pass();
  }
  for (const socket of sockets) socket.close();
  attackCheck(
    t.through === 0,
    'sockets that stop reading while 100 subscriptions fire are closed by the server',
    `${t.through} of ${sockets.length} still open after ${jobs.length} jobs`,
  );
}

/** Raw TCP clients that send a header byte a second and never finish. */
async function slowHeaders() {
  const t = tally('slow-header clients');
  const { hostname, port } = new URL(graphqlUrl);
  const bound = (LIMITS.headerReadTimeoutSeconds + 5) * 1000;
  const clients = Array.from(
    { length: 20 },
    () =>
      new Promise((resolve) => {
        const started = Date.now();
        let answered = '';
        const socket = net.connect(Number(port), hostname, () => {
          socket.write(`GET /api/healthz HTTP/1.1\r\nHost: ${hostname}\r\nX-Slow: `);
        });
        const dribble = setInterval(() => socket.write('a'), 1_000);
        const finish = (how) => {
          clearInterval(dribble);
          clearTimeout(giveUp);
          socket.destroy();
          resolve({ how, seconds: (Date.now() - started) / 1000 });
        };
        const giveUp = setTimeout(() => finish(null), bound);
        socket.on('data', (chunk) => {
          answered ||= chunk.toString().split('\r\n')[0];
        });
        socket.on('error', () => {});
        socket.on('close', () => finish(answered ? `closed after "${answered}"` : 'closed by server'));
      }),
  );
  const results = await Promise.all(clients);
  for (const { how } of results) {
    if (how) t.refuse(how);
    else t.pass();
  }
  const slowest = Math.max(...results.filter((r) => r.how).map((r) => r.seconds), 0);
  attackCheck(
    t.through === 0,
    `slow-header clients are cut off within ${LIMITS.headerReadTimeoutSeconds + 5} s`,
    `${t.refusedCount()} of ${results.length} closed (slowest after ${slowest.toFixed(1)} s)`,
  );
}

async function oversizeMessage() {
  const t = tally('1 MiB WebSocket message');
  const socket = new Socket(attackerIp(11), null);
  if (await Promise.race([socket.ready, sleep(10_000)])) {
    const padding = ' '.repeat(1024 * 1024);
    socket.subscribe('big', `{ __typename ${padding}}`, {});
    await until(() => !socket.isOpen(), 5_000);
  }
  const how = socket.refusal();
  if (how) t.refuse(how);
  else t.pass();
  socket.close();
  attackCheck(how !== null, 'a 1 MiB WebSocket message closes the socket', how ?? 'socket still open');
}

// ---------------------------------------------------------------------------------------------
// The normal user

const UPDATES = 'subscription($id: ID!) { generationUpdates(id: $id) { status } }';
const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

async function normalUser(user, attackEndsAt) {
  const results = [];
  const refusals = [];
  const socket = new Socket(NORMAL_IP, user.token);
  const socketReady = await Promise.race([socket.ready, sleep(10_000)]);
  if (!socketReady) refusals.push(`WebSocket: ${socket.refusal() ?? 'not acknowledged'}`);
  const spacing = (ATTACK_SECONDS * 1000 - 8_000) / NORMAL_JOBS;

  const runJob = async (n) => {
    const result = { n, http: null, ws: null, seconds: null };
    results.push(result);
    const started = Date.now();
    const res = await post(NORMAL_IP, GENERATE, {
      token: user.token,
      variables: { input: { prompt: `a quiet lighthouse, picture ${n}`, width: 128, height: 128, count: 2 } },
    });
    const id = res.body?.data?.generateImages?.id;
    if (!id) {
      refusals.push(`generateImages: ${refusalOf(res) ?? 'no id'}`);
      return;
    }
    const seen = new Promise((resolve) => {
      socket.subscribe(`job-${n}`, UPDATES, { id }, {
        onNext: (payload) => {
          const status = payload?.data?.generationUpdates?.status;
          if (TERMINAL.includes(status)) result.ws = status;
        },
        onError: (errors) => {
          refusals.push(`generationUpdates: ${errorLabel(errors?.[0])}`);
          resolve();
        },
        onComplete: resolve,
        onClosed: resolve,
      });
    });
    const deadline = attackEndsAt + 15_000;
    while (Date.now() < deadline) {
      const poll = await post(NORMAL_IP, 'query($id: ID!) { generation(id: $id) { status } }', {
        token: user.token,
        variables: { id },
      });
      const how = refusalOf(poll);
      if (how) refusals.push(`generation(id): ${how}`);
      const status = poll.body?.data?.generation?.status;
      if (TERMINAL.includes(status)) {
        result.http = status;
        break;
      }
      await sleep(500);
    }
    await Promise.race([seen, sleep(Math.max(0, deadline - Date.now()))]);
    result.seconds = (Date.now() - started) / 1000;
  };

  const jobs = [];
  for (let n = 1; n <= NORMAL_JOBS; n += 1) {
    jobs.push(runJob(n));
    if (n < NORMAL_JOBS) await sleep(spacing);
  }
  await Promise.all(jobs);
  if (socket.refusal()) refusals.push(`WebSocket: ${socket.refusal()}`);
  socket.close();
  return { results, refusals };
}

// ---------------------------------------------------------------------------------------------
// Main

function printTable() {
  const rows = tallies.map((t) => [
    t.name,
    String(t.sent),
    String(t.through),
    [...t.refused.entries()].map(([how, n]) => `${how} ×${n}`).join(', ') || '-',
  ]);
  const header = ['attack', 'sent', 'through', 'refused (how ×count)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join(' | ');
  console.log('');
  console.log(line(header));
  console.log(widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? header[i].length : w)).join('-|-'));
  for (const row of rows) console.log(line(row));
  console.log('');
}

function finish() {
  for (const { ok, name, detail } of checks) {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
  }
  const failed = checks.filter((c) => !c.ok).length;
  console.log(`abuse: ${checks.length - failed} passed, ${failed} failed`);
  cleanUp();
  process.exit(failed === 0 ? 0 : 1);
}

const hardStop = setTimeout(() => {
  log(`hard stop after ${HARD_STOP_MS / 1000} s: something hung`);
  printTable();
  check(false, `the run finishes within ${HARD_STOP_MS / 1000} s`);
  finish();
}, HARD_STOP_MS);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

async function main() {
  log(`starting ${BIN}`);
  startServer();
  const url = await waitForUrl();
  if (!url) {
    console.log(serverLogTail());
    check(false, 'the server starts', server.exited ? `exited ${JSON.stringify(server.exited)}` : 'no URL in its log');
    return;
  }
  graphqlUrl = `${url}/api/graphql`;
  wsUrl = `${url.replace('http', 'ws')}/api/graphql`;
  const sampler = setInterval(readMemory, 200);
  readMemory();
  log(`server ${server.pid} at ${url}, ${memory.startMb.toFixed(0)} MB resident`);

  // Every account signs up from its own address, as separate people would; one at a time, so
  // the memory measured is the attacks' and not six password hashes at once.
  const user = await signUp(NORMAL_IP, 'normal');
  const victim = await signUp('198.51.100.20', 'victim');
  const secondVictim = await signUp('198.51.100.21', 'victim2');
  const flooder = await signUp(attackerIp(50), 'flooder');
  const socketUser = await signUp(attackerIp(51), 'sockets');
  const readerUser = await signUp(attackerIp(52), 'reader');

  const attackEndsAt = Date.now() + ATTACK_SECONDS * 1000;
  const attacks = {
    'query-bombs': () => queryBombs(flooder),
    // One after another: each password check holds 19 MiB of argon2 memory, and checks at
    // once from several attackers would measure the hashing pool rather than the limits.
    'password-guessing': async () => {
      await credentialStuffing();
      await passwordGuessing(victim);
      await aliasedLogIn(secondVictim);
    },
    'generation-flood': () => generationFlood(flooder),
    'request-flood': () => requestFlood(),
    'socket-flood': () => socketFlood(socketUser),
    'subscriptions': () => subscriptionFlood(readerUser).then(() => nonReadingSockets(readerUser)),
    'slow-headers': () => slowHeaders(),
    'oversize-message': () => oversizeMessage(),
  };
  const only = process.env.ABUSE_ONLY?.split(',').filter(Boolean);
  const chosen = Object.entries(attacks).filter(([name]) => !only || only.includes(name));
  log(`attacks start (${chosen.map(([name]) => name).join(', ')}); the normal user starts a job every few seconds`);
  const normal = normalUser(user, attackEndsAt);
  await Promise.all(
    chosen.map(([name, attack]) =>
      attack().then(
        () => log(`${name} done`),
        (error) => {
          log(`${name} crashed: ${error.stack ?? error}`);
          check(false, `${name} ran to the end`, String(error.message ?? error));
        },
      ),
    ),
  );
  const { results, refusals } = await normal;
  log('normal user done');

  readMemory();
  clearInterval(sampler);
  const health = await post(attackerIp(200), '{ __typename }', { timeoutMs: 5_000 });
  printTable();

  console.log('normal user:');
  for (const r of results) {
    const seconds = r.seconds?.toFixed(1) ?? '?';
    console.log(`  job ${r.n}: HTTP ${r.http ?? 'unfinished'}, WebSocket ${r.ws ?? 'no terminal state'}, ${seconds} s`);
  }
  for (const refusal of refusals) console.log(`  refused: ${refusal}`);
  const succeeded = results.filter((r) => r.http === 'SUCCEEDED').length;
  const watched = results.filter((r) => r.ws === 'SUCCEEDED').length;
  check(
    succeeded === NORMAL_JOBS,
    `the normal user's ${NORMAL_JOBS} jobs all succeed (HTTP)`,
    `${succeeded} of ${NORMAL_JOBS}`,
  );
  check(
    watched === NORMAL_JOBS,
    "the normal user's WebSocket sees each job's final state",
    `${watched} of ${NORMAL_JOBS}`,
  );
  check(refusals.length === 0, 'the normal user is never refused', refusals.slice(0, 3).join('; '));

  const timeline = memory.timeline.map((m) => `${m.second}s ${m.rss.toFixed(0)}`).join(', ');
  console.log(`server memory every 5 s (MB): ${timeline}`);
  console.log(
    `server memory: ${memory.startMb.toFixed(0)} MB at start, peak ${memory.peakMb.toFixed(0)} MB, ${memory.lastMb?.toFixed(0) ?? '?'} MB at the end (bound ${MAX_RSS_MB} MB)`,
  );
  check(
    memory.peakMb <= MAX_RSS_MB,
    `the server's peak resident memory stays under ${MAX_RSS_MB} MB`,
    `peak ${memory.peakMb.toFixed(0)} MB`,
  );
  const alive = !server.exited && refusalOf(health) === null;
  if (!alive) console.log(serverLogTail());
  check(
    alive,
    'the server is still up and answering',
    server.exited ? `exited ${JSON.stringify(server.exited)}` : refusalOf(health) ?? '',
  );
}

main()
  .catch((error) => {
    console.log(error.stack ?? String(error));
    check(false, 'the script ran to the end', String(error.message ?? error));
  })
  .finally(() => {
    clearTimeout(hardStop);
    finish();
  });
