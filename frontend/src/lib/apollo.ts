import { ApolloClient, HttpLink, InMemoryCache, from, split } from '@apollo/client';
import { setContext } from '@apollo/client/link/context';
import { onError } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition, relayStylePagination } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import { getToken, onTokenChange, setToken } from './session';

export const GRAPHQL_PATH = '/api/graphql';

export function createCache(): InMemoryCache {
  return new InMemoryCache({
    possibleTypes: { Node: ['User', 'ApiKey', 'Prompt', 'Generation', 'Image', 'Webhook', 'WebhookDelivery', 'Batch'] },
    typePolicies: {
      Query: {
        fields: {
          // One list per filter/status, pages merged by cursor so infinite scroll only
          // ever fetches what it has not seen.
          images: relayStylePagination(['filter']),
          publicImages: relayStylePagination(),
          generations: relayStylePagination(['status']),
          prompts: relayStylePagination(['search']),
          generation: {
            read(existing, { args, toReference }) {
              return existing ?? toReference({ __typename: 'Generation', id: args?.id });
            },
          },
          batch: {
            read(existing, { args, toReference }) {
              return existing ?? toReference({ __typename: 'Batch', id: args?.id });
            },
          },
        },
      },
      // Settings objects have no id: they belong to their user.
      Preferences: { merge: true },
      ModelCapabilities: { merge: true },
      // Model ids are unique strings; keep them normalised so every form shares them.
      ImageModel: { keyFields: ['id'] },
    },
  });
}

/** The subscriptions WebSocket on this page's origin. */
export function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${GRAPHQL_PATH}`;
}

export function createApolloClient(): { client: ApolloClient<unknown>; wsClient: Client } {
  const httpLink = new HttpLink({ uri: GRAPHQL_PATH });
  const authLink = setContext((_, { headers }) => {
    const token = getToken();
    return { headers: { ...headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) } };
  });

  // graphql-transport-ws; the token rides in connection_init because browsers cannot set
  // headers on a WebSocket handshake.
  const wsClient = createClient({
    url: wsUrl(),
    lazy: true,
    retryAttempts: 5,
    connectionParams: () => {
      const token = getToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
  });
  // A socket authenticated as someone else must not outlive a log-in or log-out.
  onTokenChange(() => wsClient.terminate());

  // A token the server no longer accepts (expired, signing secret rotated, user deleted) ends
  // the session instead of leaving every page failing; the UI then offers to log in again.
  const expiryLink = onError(({ graphQLErrors, operation }) => {
    const sentToken = (operation.getContext().headers as Record<string, string> | undefined)?.Authorization;
    if (sentToken && sentToken === `Bearer ${getToken()}` && graphQLErrors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
      setToken(null);
    }
  });

  const link = split(
    ({ query }) => {
      const def = getMainDefinition(query);
      return def.kind === 'OperationDefinition' && def.operation === 'subscription';
    },
    new GraphQLWsLink(wsClient),
    from([authLink, expiryLink, httpLink]),
  );

  const client = new ApolloClient({ link, cache: createCache() });
  return { client, wsClient };
}
