import { useMutation, useQuery, useSubscription } from '@apollo/client';
import { useCallback } from 'react';
import { Link } from 'react-router-dom';
import { ErrorMessage } from '../components/ErrorMessage';
import { imageAlt } from '../components/ImageGrid';
import { buttonSecondary, PageHeader, Spinner } from '../components/ui';
import type { GenerationFieldsFragment } from '../graphql/generated/graphql';
import { GENERATIONS, MY_GENERATION_UPDATES, RETRY_GENERATION } from '../graphql/operations';
import { taskLabel } from '../lib/editing';
import { generationErrorText } from '../lib/errors';

const STATUS_STYLE: Record<string, string> = {
  QUEUED: 'bg-zinc-200 text-zinc-800 dark:bg-zinc-700 dark:text-zinc-100',
  RUNNING: 'bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200',
  SUCCEEDED: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200',
  FAILED: 'bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200',
  CANCELLED: 'bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200',
};

const STATUS_TEXT: Record<string, string> = {
  QUEUED: 'Queued',
  RUNNING: 'Running',
  SUCCEEDED: 'Done',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
};

/** Every job of the viewer, kept live by `myGenerationUpdates`. */
export function HistoryPage() {
  const { data, loading, error, fetchMore, refetch, networkStatus } = useQuery(
    GENERATIONS,
    { variables: { first: 20 }, fetchPolicy: 'cache-and-network', notifyOnNetworkStatusChange: true },
  );
  const conn = data?.generations;
  const known = new Set(conn?.edges.map((e) => e.node.id));

  // Events for jobs already listed update them through the normalised cache; a job we have
  // not listed yet (started in another tab, or by the API) means the first page changed.
  useSubscription(MY_GENERATION_UPDATES, {
    onData: ({ data: ev }) => {
      const g = ev.data?.myGenerationUpdates;
      if (g && !known.has(g.id)) void refetch();
    },
  });
  const [retry, retryState] = useMutation(RETRY_GENERATION);
  const loadingMore = networkStatus === 3;
  const loadMore = useCallback(() => {
    if (conn?.pageInfo.hasNextPage) void fetchMore({ variables: { after: conn.pageInfo.endCursor } });
  }, [conn?.pageInfo.hasNextPage, conn?.pageInfo.endCursor, fetchMore]);

  const items = conn?.edges.map((e) => e.node) ?? [];
  return (
    <div>
      <PageHeader title="History" />
      <ErrorMessage error={error ?? retryState.error} className="mb-4" />
      {loading && items.length === 0 ? (
        <Spinner label="Loading your generations" />
      ) : items.length === 0 ? (
        <p className="py-16 text-center text-zinc-500 dark:text-zinc-400">
          No generations yet. <Link to="/generate" className="text-violet-600 underline dark:text-violet-400">Make one</Link>.
        </p>
      ) : (
        <ul className="space-y-3" aria-label="Generations">
          {items.map((g) => (
            <HistoryItem key={g.id} g={g} onRetry={() => retry({ variables: { id: g.id } }).then(() => refetch(), () => undefined)} />
          ))}
        </ul>
      )}
      {conn?.pageInfo.hasNextPage ? (
        <div className="mt-6 flex justify-center">
          <button type="button" className={buttonSecondary} onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load older'}
          </button>
        </div>
      ) : null}
    </div>
  );
}

function HistoryItem({ g, onRetry }: { g: GenerationFieldsFragment; onRetry: () => void }) {
  const percent = Math.round((g.progress ?? 0) * 100);
  // Edits that take no prompt are named by what they did.
  const title = g.prompt?.text || taskLabel(g.task);
  return (
    <li className="flex flex-col gap-3 rounded-2xl border border-zinc-200 bg-white p-4 shadow-sm sm:flex-row sm:items-center dark:border-zinc-800 dark:bg-zinc-900" data-status={g.status}>
      <div className="flex shrink-0 gap-1">
        {g.images.slice(0, 4).map((img) => (
          <Link key={img.id} to={`/images/${encodeURIComponent(img.id)}`}>
            <img src={img.thumbnailUrl} alt={imageAlt(img)} className="h-16 w-16 rounded-lg object-cover" />
          </Link>
        ))}
        {g.images.length === 0 ? (
          g.preview ? (
            <img src={g.preview} alt={`Preview of: ${title}`} className="h-16 w-16 rounded-lg object-cover" />
          ) : (
            <div className="h-16 w-16 rounded-lg bg-zinc-100 dark:bg-zinc-800" aria-hidden />
          )
        ) : null}
      </div>
      <div className="min-w-0 flex-1">
        <p className="truncate font-medium" title={title}>{title}</p>
        <p className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">
          {g.model} · {new Date(g.createdAt).toLocaleString()}
        </p>
        {g.status === 'FAILED' ? (
          <p className="mt-1 text-sm text-red-700 dark:text-red-300">
            {g.error?.code === 'CONTENT_FILTERED' ? 'Blocked by the content filter. ' : ''}
            {generationErrorText(g.error?.code, g.error?.message)}
          </p>
        ) : null}
        {g.status === 'RUNNING' ? (
          <div
            role="progressbar"
            aria-label={`Progress of “${title}”`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            className="mt-2 h-1.5 w-full max-w-xs overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
          >
            <div className="h-full bg-violet-500 transition-[width]" style={{ width: `${percent}%` }} />
          </div>
        ) : null}
        {g.status === 'QUEUED' && g.queuePosition != null ? (
          <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">Position {g.queuePosition} in the queue</p>
        ) : null}
      </div>
      <div className="flex items-center gap-2">
        <span className={`rounded-full px-2.5 py-1 text-xs font-semibold ${STATUS_STYLE[g.status] ?? ''}`}>{STATUS_TEXT[g.status] ?? g.status}</span>
        {g.status === 'FAILED' || g.status === 'CANCELLED' ? (
          <button type="button" className={buttonSecondary} onClick={onRetry} aria-label={`Retry “${title}”`}>
            Retry
          </button>
        ) : null}
      </div>
    </li>
  );
}
