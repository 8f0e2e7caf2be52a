// The Node peer of the benchmark (bench/run): what the obvious alternative to RenderMart looks
// like, Apollo Server + Express + DataLoader on the same PostgreSQL data, with just the part of
// the schema the benchmark queries (same field names as RenderMart's).
//
//   DATABASE_URL=postgres://… PORT=0 node bench/peer/server.mjs
//   → prints "listening on http://127.0.0.1:PORT"; GraphQL at /api/graphql, like RenderMart.
//
// One Node process, as a default Apollo Server deployment runs (no cluster module, no
// worker threads): that is the peer the benchmark compares against.
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';

import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import DataLoader from 'dataloader';
import express from 'express';
import pg from 'pg';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL is required (postgres://…)');
  process.exit(2);
}
const port = Number(process.env.PORT ?? 0);

// The same pool as the Rust server: sea-orm leaves sqlx's default of 10 connections
// (api/src/startup.rs sets no max_connections), 10 s to acquire one. The Rust server connects
// with sslmode=prefer, which is TLS on this PostgreSQL; so does the peer (without checking the
// certificate, as prefer does not), so both pay for TLS.
const pool = new pg.Pool({
  connectionString: databaseUrl,
  ssl: { rejectUnauthorized: false },
  max: 10,
  connectionTimeoutMillis: 10_000,
});
pool.on('error', (err) => console.error('idle PostgreSQL connection failed:', err.message));

// Image URLs are signed the way RenderMart signs local files (api/src/storage/local.rs):
// HMAC-SHA256 over "file\n<key>\n<expires>", so both do comparable work per image.
const signingKey = process.env.PEER_SIGNING_KEY ?? randomBytes(32).toString('hex');
const URL_TTL_SECONDS = 3600;
function signedUrl(key) {
  const expires = Math.floor(Date.now() / 1000) + URL_TTL_SECONDS;
  const sig = createHmac('sha256', signingKey).update(`file\n${key}\n${expires}`).digest('hex');
  return `/api/files/${key}?expires=${expires}&sig=${sig}`;
}

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

const typeDefs = `#graphql
  type Query {
    "Everyone's published images, newest first."
    publicImages(first: Int): ImageConnection!
  }
  type ImageConnection { edges: [ImageEdge!]! }
  type ImageEdge { node: Image! }
  type Image {
    url: String!
    width: Int!
    height: Int!
    prompt: Prompt
    owner: User
  }
  type Prompt { text: String! }
  type User { displayName: String! }
`;

// One batch per loader per request: rows come back in any order, so they are matched by id.
function byIdLoader(sql) {
  return new DataLoader(async (ids) => {
    const { rows } = await pool.query(sql, [ids]);
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

const resolvers = {
  Query: {
    async publicImages(_parent, { first }) {
      const limit = first ?? DEFAULT_PAGE_SIZE;
      if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) {
        throw new Error(`Ask for 1 to ${MAX_PAGE_SIZE} items per page`);
      }
      const { rows } = await pool.query(
        `SELECT id, prompt_id, owner_id, storage_key, width, height FROM images
          WHERE visibility = 'PUBLIC' AND origin <> 'MASK'
          ORDER BY created_at DESC, id DESC LIMIT $1`,
        [limit],
      );
      return { edges: rows.map((node) => ({ node })) };
    },
  },
  Image: {
    url: (image) => signedUrl(image.storage_key),
    prompt: (image, _args, ctx) => ctx.prompts.load(image.prompt_id),
    owner: (image, _args, ctx) => ctx.users.load(image.owner_id),
  },
  User: {
    displayName: (user) => user.display_name,
  },
};

// The termination signals are handled below (closing the pool too), not by Apollo's own handler.
const apollo = new ApolloServer({ typeDefs, resolvers, stopOnTerminationSignals: false });
await apollo.start();

const app = express();
app.use(
  '/api/graphql',
  express.json(),
  expressMiddleware(apollo, {
    // DataLoaders are created per request, so a Q1 sends 3 statements: the page, one batch of
    // prompts, one batch of users.
    context: async () => ({
      prompts: byIdLoader('SELECT id, text FROM prompts WHERE id = ANY($1::uuid[])'),
      users: byIdLoader('SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])'),
    }),
  }),
);

const server = http.createServer(app);
server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 2000).unref(); // whatever still hangs, stop within 2 s
  server.closeAllConnections();
  server.close();
  await apollo.stop().catch(() => {});
  await pool.end().catch(() => {});
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
