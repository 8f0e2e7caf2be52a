import { useMutation, type ApolloError } from '@apollo/client';
import { useState } from 'react';
import { CANCEL_GENERATION, RETRY_GENERATION } from '../graphql/operations';

/**
 * The Cancel and Retry buttons of a job (or of a batch's jobs). Neither throws: a failure is
 * kept in `error`, for the page to show with its own errors. A retry is a new job, handed to
 * `setJobId` so the page follows it.
 */
export function useJobControls(setJobId: (id: string) => void): {
  cancel: (id: string) => Promise<void>;
  retry: (id: string) => Promise<void>;
  /** A cancel is on its way. */
  cancelling: boolean;
  /** The job being cancelled, for a list of jobs. */
  cancellingId: string | null;
  /** Why the last cancel or retry failed. */
  error: ApolloError | undefined;
} {
  const [cancelMutation, cancelState] = useMutation(CANCEL_GENERATION);
  const [retryMutation, retryState] = useMutation(RETRY_GENERATION);
  const [cancellingId, setCancellingId] = useState<string | null>(null);

  const cancel = async (id: string) => {
    setCancellingId(id);
    try {
      await cancelMutation({ variables: { id } });
    } catch {
      // Kept in cancelState.error.
    } finally {
      setCancellingId(null);
    }
  };

  const retry = async (id: string) => {
    try {
      const res = await retryMutation({ variables: { id } });
      if (res.data) setJobId(res.data.retryGeneration.id);
    } catch {
      // Kept in retryState.error.
    }
  };

  return {
    cancel,
    retry,
    cancelling: cancelState.loading,
    cancellingId,
    error: cancelState.error ?? retryState.error,
  };
}
