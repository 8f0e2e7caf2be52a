import { useQuery, useSubscription } from '@apollo/client';
import type { BatchFieldsFragment } from '../graphql/generated/graphql';
import { BATCH, BATCH_UPDATES } from '../graphql/operations';
import { usePollWhile } from './useGeneration';

/**
 * One batch, live: `batchUpdates` writes the batch and each of its jobs into the normalised
 * cache, the query below reads them from there. As with `useGeneration`, a failed WebSocket
 * falls back to polling until the batch is COMPLETED.
 */
export function useBatch(id: string | null): {
  batch: BatchFieldsFragment | null;
  /** The batch could not be loaded at all (deleted, or another account's). */
  missing: boolean;
} {
  const sub = useSubscription(BATCH_UPDATES, {
    variables: { id: id ?? '' },
    skip: !id,
  });
  const q = useQuery(BATCH, {
    variables: { id: id ?? '' },
    skip: !id,
    fetchPolicy: 'cache-first',
  });
  const batch = q.data?.batch ?? sub.data?.batchUpdates ?? null;
  const polling = !!id && !!sub.error && batch?.status !== 'COMPLETED';
  usePollWhile(q, polling);
  return { batch, missing: !!id && !batch && !!q.error };
}
