import { useQuery, useSubscription } from '@apollo/client';
import { useEffect } from 'react';
import type { GenerationFieldsFragment } from '../graphql/generated/graphql';
import { GENERATION, GENERATION_UPDATES } from '../graphql/operations';

/** Polls `query` every second while `active`: the fallback of a live view whose WebSocket failed. */
export function usePollWhile(
  query: { startPolling: (ms: number) => void; stopPolling: () => void },
  active: boolean,
) {
  const { startPolling, stopPolling } = query;
  useEffect(() => {
    if (active) startPolling(1000);
    else stopPolling();
    return () => stopPolling();
  }, [active, startPolling, stopPolling]);
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
export const isTerminal = (status: string | undefined) => !!status && TERMINAL.has(status);

/**
 * One job, live. The subscription writes every event into Apollo's normalised cache, so the
 * query below (served from that cache) re-renders on each change. Should the WebSocket fail,
 * the query falls back to polling so the page still finishes.
 */
export function useGeneration(id: string | null): {
  generation: GenerationFieldsFragment | null;
  subscriptionError: unknown;
  /** The job could not be loaded at all (deleted, or another account's). */
  missing: boolean;
} {
  const sub = useSubscription(GENERATION_UPDATES, { variables: { id: id ?? '' }, skip: !id });
  const q = useQuery(GENERATION, {
    variables: { id: id ?? '' },
    skip: !id,
    fetchPolicy: 'cache-first',
  });
  const generation = q.data?.generation ?? sub.data?.generationUpdates ?? null;
  const polling = !!id && !!sub.error && !isTerminal(generation?.status);
  usePollWhile(q, polling);
  const missing = !!id && !generation && !!q.error;
  return { generation, subscriptionError: sub.error, missing };
}
