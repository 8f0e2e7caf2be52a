import { useMutation, useQuery } from '@apollo/client';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ErrorMessage } from '../components/ErrorMessage';
import { imageAlt } from '../components/ImageGrid';
import { buttonDanger, buttonPrimary, buttonSecondary, card, Spinner } from '../components/ui';
import type { ImageDetailQuery } from '../graphql/generated/graphql';
import { DELETE_IMAGE, IMAGE_DETAIL, MODELS, SET_IMAGE_FAVORITE, SET_IMAGE_VISIBILITY } from '../graphql/operations';
import { useAuth } from '../lib/auth';
import type { GenerateValues } from '../lib/models';
import { formatBytes } from '../lib/uploads';

type ImageNode = Extract<NonNullable<ImageDetailQuery['node']>, { __typename?: 'Image'; url: string }>;

/** Settings from a past image's job, for "use these settings". */
export function settingsFromImage(img: ImageNode): Partial<GenerateValues> {
  const params = (img.generation?.params ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    prompt: (img.prompt?.text ?? ''),
    negativePrompt: img.prompt?.negativeText ?? '',
    model: img.generation?.model,
    width: img.width,
    height: img.height,
    count: num(params.count),
    randomSeed: img.seed == null,
    seed: img.seed ?? 0,
    cfgScale: num(params.cfgScale ?? params.cfg_scale) ?? null,
    stylePreset: str(params.stylePreset ?? params.style_preset),
    quality: str(params.quality),
  };
}

export function ImagePage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { viewer } = useAuth();
  const { data, loading, error } = useQuery(IMAGE_DETAIL, { variables: { id } });
  const models = useQuery(MODELS);
  const [setVisibility, visState] = useMutation(SET_IMAGE_VISIBILITY);
  const [setFavorite, favState] = useMutation(SET_IMAGE_FAVORITE);
  const [deleteImage, delState] = useMutation(DELETE_IMAGE);
  const [confirming, setConfirming] = useState(false);
  const [copied, setCopied] = useState(false);

  if (loading && !data) return <Spinner label="Loading image" />;
  const node = data?.node;
  const img = node && 'url' in node ? (node as ImageNode) : null;
  if (!img) {
    return (
      <div className="py-16 text-center">
        <ErrorMessage error={error} className="mx-auto mb-4 max-w-md" />
        {!error ? <p className="text-zinc-500 dark:text-zinc-400">This image does not exist or is not yours to see.</p> : null}
        <Link to="/gallery" className={`${buttonSecondary} mt-4`}>Back to gallery</Link>
      </div>
    );
  }
  const mine = !!viewer && img.owner?.id === viewer.id;
  const isPublic = img.visibility === 'PUBLIC';

  const copyPrompt = async () => {
    try {
      await navigator.clipboard.writeText((img.prompt?.text ?? ''));
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  };

  const remove = async () => {
    try {
      await deleteImage({
        variables: { id: img.id },
        update(cache) {
          cache.evict({ id: cache.identify({ __typename: 'Image', id: img.id }) });
          cache.gc();
        },
      });
      navigate('/gallery', { replace: true });
    } catch {
      setConfirming(false);
    }
  };

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(18rem,1fr)]">
      <div className="flex items-start justify-center overflow-hidden rounded-2xl bg-zinc-100 dark:bg-zinc-900">
        <img src={img.url} alt={imageAlt(img)} width={img.width} height={img.height} className="h-auto max-h-[80vh] w-auto max-w-full object-contain" />
      </div>
      <aside className={`${card} space-y-5 self-start`} aria-label="Image details">
        <div>
          <h1 className="text-sm font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400">Prompt</h1>
          <p className="mt-1 text-base">{(img.prompt?.text ?? '')}</p>
          {img.prompt?.negativeText ? (
            <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">
              <span className="font-medium">Negative:</span> {img.prompt?.negativeText}
            </p>
          ) : null}
        </div>
        <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
          {img.generation ? (
            // The job (and so the model) is only shown to the image's owner.
            <>
              <dt className="text-zinc-500 dark:text-zinc-400">Model</dt>
              <dd className="font-medium break-words">
                {models.data?.models.find((m) => m.id === img.generation?.model)?.name ?? img.generation.model}
              </dd>
            </>
          ) : null}
          <dt className="text-zinc-500 dark:text-zinc-400">Size</dt>
          <dd className="font-medium">{img.width} × {img.height}</dd>
          <dt className="text-zinc-500 dark:text-zinc-400">Seed</dt>
          <dd className="font-medium tabular-nums">{img.seed ?? '—'}</dd>
          <dt className="text-zinc-500 dark:text-zinc-400">File</dt>
          <dd className="font-medium">{img.contentType}, {formatBytes(img.byteSize)}</dd>
          <dt className="text-zinc-500 dark:text-zinc-400">Made by</dt>
          <dd className="font-medium">{(img.owner?.displayName ?? '—')}</dd>
          <dt className="text-zinc-500 dark:text-zinc-400">Visibility</dt>
          <dd className="font-medium">{isPublic ? 'Public' : 'Private'}</dd>
          {img.uploaded || img.source ? (
            <>
              <dt className="text-zinc-500 dark:text-zinc-400">Made from</dt>
              <dd className="font-medium">
                {img.source ? (
                  <Link to={`/images/${encodeURIComponent(img.source.id)}`} className="text-violet-700 underline dark:text-violet-300">
                    the picture it was edited from
                  </Link>
                ) : (
                  'an upload'
                )}
              </dd>
            </>
          ) : null}
        </dl>
        <div className="flex flex-wrap gap-2">
          <a href={img.url} download={`rendermart-${img.seed ?? img.id}.png`} className={buttonSecondary}>
            Download
          </a>
          <button type="button" className={buttonSecondary} onClick={copyPrompt}>
            {copied ? 'Copied!' : 'Copy prompt'}
          </button>
          {viewer ? (
            <>
              <Link to={`/edit/${encodeURIComponent(img.id)}`} className={buttonSecondary}>
                Edit
              </Link>
              {img.prompt ? (
                <button
                  type="button"
                  className={buttonSecondary}
                  onClick={() => navigate('/generate', { state: { settings: settingsFromImage(img) } })}
                >
                  Use these settings
                </button>
              ) : null}
            </>
          ) : null}
        </div>
        {mine ? (
          <div className="flex flex-wrap gap-2 border-t border-zinc-200 pt-4 dark:border-zinc-800">
            <button
              type="button"
              aria-pressed={img.favorite}
              className={buttonSecondary}
              disabled={favState.loading}
              onClick={() => setFavorite({ variables: { id: img.id, favorite: !img.favorite } }).catch(() => undefined)}
            >
              <span aria-hidden className={img.favorite ? 'text-amber-500' : ''}>{img.favorite ? '★' : '☆'}</span>
              {img.favorite ? 'Unfavourite' : 'Favourite'}
            </button>
            <button
              type="button"
              className={isPublic ? buttonSecondary : buttonPrimary}
              disabled={visState.loading}
              onClick={() =>
                setVisibility({ variables: { id: img.id, visibility: isPublic ? 'PRIVATE' : 'PUBLIC' } }).catch(() => undefined)
              }
            >
              {isPublic ? 'Unpublish' : 'Publish'}
            </button>
            {!confirming ? (
              <button type="button" className={buttonSecondary} onClick={() => setConfirming(true)}>
                Delete…
              </button>
            ) : (
              <div role="alertdialog" aria-label="Confirm delete" className="w-full rounded-xl border border-red-300 bg-red-50 p-3 text-sm dark:border-red-800 dark:bg-red-950/50">
                <p className="mb-2 font-medium text-red-800 dark:text-red-200">Delete this image for good? This cannot be undone.</p>
                <div className="flex gap-2">
                  <button type="button" className={buttonDanger} onClick={remove} disabled={delState.loading} autoFocus>
                    {delState.loading ? 'Deleting…' : 'Yes, delete'}
                  </button>
                  <button type="button" className={buttonSecondary} onClick={() => setConfirming(false)}>
                    Keep it
                  </button>
                </div>
              </div>
            )}
          </div>
        ) : null}
        <ErrorMessage error={visState.error ?? favState.error ?? delState.error} />
      </aside>
    </div>
  );
}
