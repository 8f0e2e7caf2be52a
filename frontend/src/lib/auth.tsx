import { useApolloClient, useQuery } from '@apollo/client';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { ViewerQuery } from '../graphql/generated/graphql';
import { VIEWER } from '../graphql/operations';
import { getToken, onTokenChange, setToken } from './session';

type Viewer = NonNullable<ViewerQuery['viewer']>;

interface AuthState {
  token: string | null;
  viewer: Viewer | null;
  loading: boolean;
  signIn: (token: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const client = useApolloClient();
  const [token, setTokenState] = useState<string | null>(() => getToken());
  useEffect(() => onTokenChange(setTokenState), []);

  const { data, loading } = useQuery(VIEWER, { skip: !token, fetchPolicy: 'cache-and-network' });

  // A stored token the server no longer accepts (expired, secret rotated) answers `viewer`
  // with null: forget it so the UI shows the logged-out state instead of failing everywhere.
  useEffect(() => {
    if (token && !loading && data && data.viewer === null) setToken(null);
  }, [token, loading, data]);

  const signIn = useCallback(
    async (newToken: string) => {
      setToken(newToken);
      await client.resetStore();
    },
    [client],
  );
  const signOut = useCallback(async () => {
    setToken(null);
    await client.clearStore();
  }, [client]);

  const value = useMemo<AuthState>(
    () => ({
      token,
      viewer: token ? (data?.viewer ?? null) : null,
      loading: !!token && loading && !data,
      signIn,
      signOut,
    }),
    [token, data, loading, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
