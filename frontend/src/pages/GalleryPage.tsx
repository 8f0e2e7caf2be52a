import { useQuery } from '@apollo/client';
import { useCallback } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { ErrorMessage } from '../components/ErrorMessage';
import { ImageGrid } from '../components/ImageGrid';
import { buttonPrimary, PageHeader, Spinner } from '../components/ui';
import { IMAGES } from '../graphql/operations';

const PAGE = 24;

export function GalleryPage() {
  const [params, setParams] = useSearchParams();
  const favoritesOnly = params.get('favorites') === '1';
  const { data, loading, error, fetchMore, networkStatus } = useQuery(IMAGES, {
    variables: { first: PAGE, filter: favoritesOnly ? { favorite: true } : null },
    fetchPolicy: 'cache-and-network',
    notifyOnNetworkStatusChange: true,
  });
  const conn = data?.images;
  const images = conn?.edges.map((e) => e.node) ?? [];
  const loadingMore = networkStatus === 3;
  const loadMore = useCallback(() => {
    if (!conn?.pageInfo.hasNextPage || loadingMore) return;
    // relayStylePagination merges the new page into the cached list.
    void fetchMore({ variables: { after: conn.pageInfo.endCursor } });
  }, [conn?.pageInfo.hasNextPage, conn?.pageInfo.endCursor, fetchMore, loadingMore]);

  return (
    <div>
      <PageHeader title="Gallery">
        <div role="group" aria-label="Filter" className="inline-flex rounded-lg border border-zinc-300 p-0.5 dark:border-zinc-700">
          <button
            type="button"
            aria-pressed={!favoritesOnly}
            onClick={() => setParams({})}
            className={`rounded-md px-3 py-1.5 text-sm font-medium ${!favoritesOnly ? 'bg-violet-600 text-white' : 'text-zinc-600 dark:text-zinc-300'}`}
          >
            All images
          </button>
          <button
            type="button"
            aria-pressed={favoritesOnly}
            onClick={() => setParams({ favorites: '1' })}
            className={`rounded-md px-3 py-1.5 text-sm font-medium ${favoritesOnly ? 'bg-violet-600 text-white' : 'text-zinc-600 dark:text-zinc-300'}`}
          >
            ★ Favourites
          </button>
        </div>
      </PageHeader>
      <ErrorMessage error={error} className="mb-4" />
      {loading && images.length === 0 ? (
        <Spinner label="Loading your images" />
      ) : images.length === 0 ? (
        <div className="rounded-2xl border-2 border-dashed border-zinc-300 py-16 text-center dark:border-zinc-700">
          <p className="text-zinc-500 dark:text-zinc-400">{favoritesOnly ? 'No favourites yet. Star an image to keep it here.' : 'You have not made any images yet.'}</p>
          {!favoritesOnly ? <Link to="/generate" className={`${buttonPrimary} mt-4`}>Generate your first image</Link> : null}
        </div>
      ) : (
        <ImageGrid images={images} hasMore={conn?.pageInfo.hasNextPage ?? false} loadingMore={loadingMore} onLoadMore={loadMore} showBadges editable />
      )}
    </div>
  );
}
