import { useEffect, useRef } from 'react';
import { Link } from 'react-router-dom';
import { graphql } from '../graphql/generated';
import type { ImageFieldsFragment } from '../graphql/generated/graphql';

/** An image wherever one is listed or shown. */
export const IMAGE_FIELDS = graphql(`
  fragment ImageFields on Image {
    id
    url
    thumbnailUrl
    width
    height
    seed
    contentType
    byteSize
    visibility
    favorite
    createdAt
    uploaded
    prompt {
      id
      text
      negativeText
    }
  }
`);

/** Words for a picture: its prompt, else what it is (an upload, or an edit that took no prompt). */
export function imageAlt(img: { prompt: { text: string } | null; uploaded: boolean }): string {
  return img.prompt?.text || (img.uploaded ? 'An uploaded picture' : 'An edited picture');
}

type GridImage = Pick<ImageFieldsFragment, 'id' | 'thumbnailUrl' | 'width' | 'height' | 'favorite' | 'visibility' | 'uploaded'> & {
  prompt: { text: string } | null;
  owner?: { displayName: string } | null;
};

interface Props {
  images: GridImage[];
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
  showBadges?: boolean;
  /** Offer "Edit" on each tile (shown on hover or focus, always on touch screens). */
  editable?: boolean;
}

/** A responsive grid of thumbnails; a sentinel at the end asks for the next page on scroll. */
export function ImageGrid({ images, hasMore = false, loadingMore = false, onLoadMore, showBadges = false, editable = false }: Props) {
  const sentinel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasMore || !onLoadMore || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !loadingMore) onLoadMore();
      },
      { rootMargin: '600px 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [hasMore, loadingMore, onLoadMore]);

  return (
    <>
      <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4 xl:grid-cols-5" aria-label="Images">
        {images.map((img) => (
          <li key={img.id} className="group/tile relative">
            <Link
              to={`/images/${encodeURIComponent(img.id)}`}
              className="group relative block overflow-hidden rounded-xl bg-zinc-200 shadow-sm ring-violet-500 focus-visible:outline-none focus-visible:ring-2 dark:bg-zinc-800"
            >
              <img
                src={img.thumbnailUrl}
                alt={imageAlt(img)}
                width={img.width}
                height={img.height}
                loading="lazy"
                className="aspect-square w-full object-cover transition-transform duration-300 group-hover:scale-105"
              />
              <div className="pointer-events-none absolute inset-x-0 bottom-0 bg-gradient-to-t from-black/70 to-transparent p-2 text-xs text-white opacity-0 transition-opacity group-hover:opacity-100 group-focus-visible:opacity-100">
                <p className="line-clamp-2">{img.prompt?.text}</p>
                {img.owner ? <p className="mt-0.5 text-white/70">by {img.owner.displayName}</p> : null}
              </div>
              {showBadges ? (
                <div className="absolute right-2 top-2 flex gap-1">
                  {img.favorite ? (
                    <span className="rounded-full bg-black/60 px-1.5 py-0.5 text-xs text-amber-300" title="Favourite">
                      ★<span className="sr-only"> Favourite</span>
                    </span>
                  ) : null}
                  {img.visibility === 'PUBLIC' ? (
                    <span className="rounded-full bg-black/60 px-2 py-0.5 text-xs text-white">Public</span>
                  ) : null}
                </div>
              ) : null}
            </Link>
            {editable ? (
              <Link
                to={`/edit/${encodeURIComponent(img.id)}`}
                aria-label={`Edit ${imageAlt(img)}`}
                className="absolute left-2 top-2 rounded-md bg-black/70 px-2 py-1 text-xs font-semibold text-white opacity-0 transition-opacity focus-visible:opacity-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-violet-400 group-hover/tile:opacity-100 pointer-coarse:opacity-100"
              >
                Edit
              </Link>
            ) : null}
          </li>
        ))}
      </ul>
      <div ref={sentinel} aria-hidden className="h-1" />
      {hasMore && onLoadMore ? (
        <div className="mt-6 flex justify-center">
          <button
            type="button"
            onClick={onLoadMore}
            disabled={loadingMore}
            className="rounded-lg px-4 py-2 text-sm font-medium text-violet-700 hover:bg-violet-50 disabled:opacity-60 dark:text-violet-300 dark:hover:bg-violet-500/10"
          >
            {loadingMore ? 'Loading more…' : 'Load more'}
          </button>
        </div>
      ) : null}
    </>
  );
}
