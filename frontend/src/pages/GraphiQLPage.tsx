// The API playground for integrators, served from our own build (no CDN) as a lazily loaded
// chunk: the editor (Monaco) and its workers load only when someone opens /graphiql.
// `GET /api/graphql` from a browser redirects here.
import { GraphiQL } from 'graphiql';
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { useEffect, useMemo } from 'react';
import { Link } from 'react-router-dom';
import { useAuth } from '../lib/auth';
import { createPlaygroundFetcher } from '../lib/graphiqlFetcher';

const DEFAULT_QUERY = `# RenderMart's GraphQL API. Requests run as the user
# logged in here, or set Authorization under Headers.
{
  viewer {
    email
  }
  models {
    id
    name
    offline
  }
}
`;

export default function GraphiQLPage() {
  const { viewer, token } = useAuth();
  const playground = useMemo(() => createPlaygroundFetcher(), []);
  useEffect(() => () => playground.dispose(), [playground]);
  useEffect(() => {
    document.title = 'GraphiQL · RenderMart';
  }, []);

  return (
    <div className="flex h-screen flex-col">
      <header className="flex items-center gap-3 border-b border-zinc-200 px-4 py-2 text-sm dark:border-zinc-800">
        <Link to="/" className="font-bold">RenderMart</Link>
        <span className="text-zinc-500 dark:text-zinc-400">API playground</span>
        <span className="ml-auto text-zinc-600 dark:text-zinc-300">
          {token ? `Requests run as ${viewer?.email ?? 'you'}` : 'Not logged in: requests run anonymously'}
        </span>
      </header>
      <main className="min-h-0 flex-1">
        <GraphiQL fetcher={playground.fetcher} defaultQuery={DEFAULT_QUERY} />
      </main>
    </div>
  );
}
