import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { createClient, type Client } from 'graphql-ws';
import { GRAPHQL_PATH, wsUrl } from './apollo';
import { getToken, onTokenChange } from './session';

/** Request options with the logged-in user's token, unless the caller set Authorization. */
export function withToken(init: RequestInit | undefined, token: string | null): RequestInit {
  const headers = new Headers(init?.headers);
  if (token && !headers.has('Authorization')) headers.set('Authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/**
 * GraphiQL's fetcher, authenticated as the app is: the token goes in `Authorization` over
 * HTTP and in `connection_init` over the graphql-ws WebSocket (subscriptions). Both read the
 * token at call time, so logging in or out in another tab applies to the next request.
 */
export function createPlaygroundFetcher(): { fetcher: Fetcher; wsClient: Client; dispose: () => void } {
  const wsClient = createClient({
    url: wsUrl(),
    lazy: true,
    connectionParams: () => {
      const token = getToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
  });
  const stopWatching = onTokenChange(() => wsClient.terminate());
  const fetcher = createGraphiQLFetcher({
    url: GRAPHQL_PATH,
    wsClient,
    fetch: (input, init) => fetch(input, withToken(init, getToken())),
  });
  return {
    fetcher,
    wsClient,
    dispose: () => {
      stopWatching();
      void wsClient.dispose();
    },
  };
}
