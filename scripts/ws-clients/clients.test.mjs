// The WebSocket clients the world uses, against a running RenderMart server:
// graphql-ws (graphql-transport-ws) and subscriptions-transport-ws (legacy graphql-ws).
// Usage: RENDERMART_URL=http://127.0.0.1:4000 node --test clients.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'graphql-ws';
import { SubscriptionClient } from 'subscriptions-transport-ws';
import WebSocket from 'ws';

const base = process.env.RENDERMART_URL;
if (!base) throw new Error('set RENDERMART_URL to the server, e.g. http://127.0.0.1:4000');
const wsUrl = `${base.replace('http', 'ws')}/api/graphql`;

async function post(query, variables = {}, token) {
  const response = await fetch(`${base}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

async function signUp() {
  const email = `ws-${Date.now()}-${Math.random().toString(16).slice(2)}@example.com`;
  const data = await post(
    'mutation($input: SignUpInput!) { signUp(input: $input) { token } }',
    { input: { email, password: 'correct horse battery', displayName: 'WS' } },
  );
  return { token: data.signUp.token, email };
}

async function generate(token) {
  const data = await post(
    'mutation { generateImages(input: {prompt: "a lighthouse on a cliff at night", width: 64, height: 64}) { id } }',
    {},
    token,
  );
  return data.generateImages.id;
}

/** Collects every result of one operation until it completes or errors. */
function collect(subscribe) {
  return new Promise((resolve, reject) => {
    const results = [];
    subscribe({
      next: (value) => results.push(value),
      error: (error) => reject(error),
      complete: () => resolve(results),
    });
  });
}

const UPDATES = 'subscription($id: ID!) { generationUpdates(id: $id) { status progress images { width } } }';

test('graphql-ws: a query, a subscription to the end, and a validation error', async () => {
  const { token, email } = await signUp();
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${token}` }, retryAttempts: 0 });
  try {
    const [viewer] = await collect((sink) => client.subscribe({ query: '{ viewer { email } }' }, sink));
    assert.equal(viewer.data.viewer.email, email);

    const id = await generate(token);
    const updates = await collect((sink) => client.subscribe({ query: UPDATES, variables: { id } }, sink));
    const last = updates.at(-1).data.generationUpdates;
    assert.equal(last.status, 'SUCCEEDED');
    assert.deepEqual(last.images, [{ width: 64 }]);
    const progress = updates.map((u) => u.data.generationUpdates.progress);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'progress never goes backwards');

    await assert.rejects(
      collect((sink) => client.subscribe({ query: '{ noSuchField }' }, sink)),
      (errors) => Array.isArray(errors) && /noSuchField/.test(errors[0].message),
    );
  } finally {
    await client.dispose();
  }
});

test('graphql-ws: a forged token is refused with 4403', async () => {
  const closed = new Promise((resolve) => {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: 'Bearer forged' },
      retryAttempts: 0,
      lazy: false,
      on: { closed: (event) => resolve(event.code) },
      onNonLazyError: () => {},
    });
    void client;
  });
  assert.equal(await closed, 4403);
});

test('subscriptions-transport-ws: a query, a subscription and an error', async () => {
  const { token, email } = await signUp();
  const client = new SubscriptionClient(wsUrl, { reconnect: false, connectionParams: { Authorization: `Bearer ${token}` } }, WebSocket);
  try {
    const [viewer] = await collect((sink) => client.request({ query: '{ viewer { email } }' }).subscribe(sink));
    assert.equal(viewer.data.viewer.email, email);

    const id = await generate(token);
    const updates = [];
    await new Promise((resolve, reject) => {
      const subscription = client.request({ query: UPDATES, variables: { id } }).subscribe({
        next: (value) => {
          updates.push(value.data.generationUpdates);
          if (value.data.generationUpdates.status === 'SUCCEEDED') {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    assert.equal(updates.at(-1).status, 'SUCCEEDED');
    assert.deepEqual(updates.at(-1).images, [{ width: 64 }]);

    await assert.rejects(
      collect((sink) => client.request({ query: '{ noSuchField }' }).subscribe(sink)),
      (error) => /noSuchField/.test(error.message),
    );
  } finally {
    client.close();
  }
});
