// Audits a running RenderMart server against the GraphQL-over-HTTP spec with graphql-http's
// auditServer. Usage: node audit.mjs http://127.0.0.1:4000/api/graphql
// Exits non-zero when any MUST or SHOULD audit fails.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint url>');
  process.exit(2);
}

const results = await auditServer({ url });
const counts = {};
const failures = [];
for (const result of results) {
  const level = result.name.split(' ')[0]; // MUST, SHOULD or MAY
  counts[level] ??= { ok: 0, notice: 0, warn: 0, error: 0 };
  counts[level][result.status] += 1;
  if (result.status !== 'ok') {
    failures.push(`${result.status.toUpperCase()} ${result.id} ${result.name}: ${result.reason}`);
  }
}
for (const line of failures) console.log(line);
for (const level of ['MUST', 'SHOULD', 'MAY']) {
  const c = counts[level] ?? { ok: 0 };
  const failed = Object.entries(c).filter(([k]) => k !== 'ok').reduce((n, [, v]) => n + v, 0);
  console.log(`graphql-http audit ${level}: ${c.ok} ok, ${failed} not ok`);
}
const blocking = ['MUST', 'SHOULD'].reduce((n, level) => {
  const c = counts[level] ?? {};
  return n + (c.notice ?? 0) + (c.warn ?? 0) + (c.error ?? 0);
}, 0);
console.log(`graphql-http audit: ${results.length} audits, ${blocking} MUST/SHOULD not ok`);
process.exit(blocking === 0 ? 0 : 1);
