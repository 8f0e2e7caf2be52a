import { useQuery } from '@apollo/client';
import { useCallback } from 'react';
import { ErrorMessage } from '../components/ErrorMessage';
import { ImageGrid } from '../components/ImageGrid';
import { PageHeader, Spinner } from '../components/ui';
import { PUBLIC_IMAGES } from '../graphql/operations';

/** The public feed: what people chose to publish. No account needed. */
export function ExplorePage() {
  const { data, loading, error, fetchMore, networkStatus } = useQuery(
    PUBLIC_IMAGES,
    { variables: { first: 24 }, fetchPolicy: 'cache-and-network', notifyOnNetworkStatusChange: true },
  );
  const conn = data?.publicImages;
  const images = conn?.edges.map((e) => e.node) ?? [];
  const loadingMore = networkStatus === 3;
  const loadMore = useCallback(() => {
    if (!conn?.pageInfo.hasNextPage || loadingMore) return;
    void fetchMore({ variables: { after: conn.pageInfo.endCursor } });
  }, [conn?.pageInfo.hasNextPage, conn?.pageInfo.endCursor, fetchMore, loadingMore]);

  return (
    <div>
      <PageHeader title="Explore" />
      <ErrorMessage error={error} className="mb-4" />
      {loading && images.length === 0 ? (
        <Spinner label="Loading the public feed" />
      ) : images.length === 0 ? (
        <p className="py-16 text-center text-zinc-500 dark:text-zinc-400">No one has published an image yet.</p>
      ) : (
        <ImageGrid images={images} hasMore={conn?.pageInfo.hasNextPage ?? false} loadingMore={loadingMore} onLoadMore={loadMore} />
      )}
    </div>
  );
}
