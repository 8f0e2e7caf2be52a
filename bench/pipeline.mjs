// Queues JOBS offline jobs (256², one image) from USERS users as fast as it can, and waits
// until they have all ended. bench/run reads the timings from the database afterwards.
//
//   node pipeline.mjs URL JOBS USERS
const [url, jobs = '2000', users = '20'] = process.argv.slice(2);
const api = `${url}/api/graphql`;
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
for (let u = 0; u < Number(users); u++) {
  const data = await gql(
    'mutation($i: SignUpInput!) { signUp(input: $i) { token } }',
    { i: { email: `job${u}-${stamp}@bench.example`, password: 'benchmark password', displayName: `J${u}` } },
  );
  tokens.push(data.signUp.token);
}
let next = 0;
const total = Number(jobs);
async function submitter() {
  while (next < total) {
    const n = next++;
    await gql('mutation { generateImages(input: {prompt: "a pipeline job", width: 256, height: 256, count: 1}) { id } }', {}, tokens[n % tokens.length]);
  }
}
const started = Date.now();
await Promise.all(Array.from({ length: 16 }, submitter));
const submitted = (Date.now() - started) / 1000;
const deadline = Date.now() + 600000;
for (;;) {
  const left = await Promise.all(tokens.map((t) => gql('{ q: generations(status: QUEUED, first: 1) { nodes { id } } r: generations(status: RUNNING, first: 1) { nodes { id } } }', {}, t)));
  if (left.every((d) => d.q.nodes.length === 0 && d.r.nodes.length === 0)) break;
  if (Date.now() > deadline) throw new Error('jobs did not finish in 10 minutes');
  await new Promise((r) => setTimeout(r, 200));
}
console.log(JSON.stringify({ jobs: total, submit_seconds: submitted, total_seconds: (Date.now() - started) / 1000 }));
