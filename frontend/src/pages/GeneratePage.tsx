import { useMutation, useQuery } from '@apollo/client';
import { useEffect, useMemo, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { BatchProgress } from '../components/BatchProgress';
import { ErrorMessage } from '../components/ErrorMessage';
import { FIELDS_SHOWN_IN_FORM, GenerateForm } from '../components/GenerateForm';
import { GenerationProgress } from '../components/GenerationProgress';
import { card, PageHeader, Spinner } from '../components/ui';
import type { GenerateImagesInput } from '../graphql/generated/graphql';
import { GENERATE_BATCH, GENERATE_IMAGES, MODELS } from '../graphql/operations';
import { useAuth } from '../lib/auth';
import { describeError, withoutFields } from '../lib/errors';
import { drawsFromText, type GenerateValues, type Variants } from '../lib/models';
import { newIdempotencyKey } from '../lib/ids';
import { useBatch } from '../lib/useBatch';
import { useGeneration } from '../lib/useGeneration';
import { useJobControls } from '../lib/useJobControls';

const CURRENT_JOB_KEY = 'rendermart.currentGeneration';
const CURRENT_BATCH_KEY = 'rendermart.currentBatch';

/** The tab's current job or batch (one at a time), remembered across reloads. */
function useRemembered(key: string): [string | null, (id: string | null) => void] {
  const [id, setIdState] = useState<string | null>(() => sessionStorage.getItem(key));
  const setId = (next: string | null) => {
    if (next) sessionStorage.setItem(key, next);
    else sessionStorage.removeItem(key);
    setIdState(next);
  };
  return [id, setId];
}

export function GeneratePage() {
  const { viewer } = useAuth();
  const location = useLocation();
  const models = useQuery(MODELS);
  const [jobId, setJobIdOnly] = useRemembered(CURRENT_JOB_KEY);
  const [batchId, setBatchIdOnly] = useRemembered(CURRENT_BATCH_KEY);
  const setJobId = (id: string | null) => {
    setJobIdOnly(id);
    setBatchIdOnly(null);
  };
  const setBatchId = (id: string | null) => {
    setBatchIdOnly(id);
    setJobIdOnly(null);
  };
  const [generate, generateState] = useMutation(GENERATE_IMAGES);
  const [generateBatch, batchState] = useMutation(GENERATE_BATCH);
  const job = useJobControls(setJobId);
  const { generation, missing } = useGeneration(jobId);
  const { batch, missing: batchMissing } = useBatch(batchId);
  // A remembered job or batch that no longer loads (deleted, or from before a new database) is forgotten.
  useEffect(() => {
    if (missing) setJobIdOnly(null);
    if (batchMissing) setBatchIdOnly(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [missing, batchMissing]);

  // "Use these settings" from an image wins over saved preferences.
  const fromImage = (location.state as { settings?: Partial<GenerateValues> } | null)?.settings;
  const prefs = viewer?.preferences;
  const initial = useMemo<Partial<GenerateValues> | undefined>(() => {
    if (fromImage) return fromImage;
    if (!prefs) return undefined;
    return {
      model: prefs.defaultModel ?? undefined,
      width: prefs.width ?? undefined,
      height: prefs.height ?? undefined,
      count: prefs.count ?? undefined,
      stylePreset: prefs.stylePreset ?? undefined,
      negativePrompt: prefs.negativePrompt ?? undefined,
    };
  }, [fromImage, prefs]);

  const submit = async (input: GenerateImagesInput, variants?: Variants) => {
    if (variants) {
      try {
        // No idempotency key: the batch repeats its request, and one key names one job.
        const res = await generateBatch({ variables: { input: { requests: [input], ...variants } } });
        if (res.data) setBatchId(res.data.generateBatch.id);
      } catch {
        // Shown below through batchState.error.
      }
      return;
    }
    try {
      const res = await generate({ variables: { input: { ...input, idempotencyKey: newIdempotencyKey() } } });
      if (res.data) setJobId(res.data.generateImages.id);
    } catch {
      // Shown below through generateState.error.
    }
  };

  const problems = describeError(generateState.error ?? batchState.error ?? job.error);

  return (
    <div>
      <PageHeader title="Generate" />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,5fr)_minmax(0,6fr)]">
        <div className={card}>
          {models.loading && !models.data ? (
            <Spinner label="Loading models" />
          ) : models.error ? (
            <ErrorMessage error={models.error} />
          ) : (
            <GenerateForm
              models={(models.data?.models ?? []).filter(drawsFromText)}
              initial={initial}
              onSubmit={submit}
              submitting={generateState.loading || batchState.loading}
              problems={problems}
            />
          )}
          <ErrorMessage problems={withoutFields(problems, FIELDS_SHOWN_IN_FORM)} className="mt-4" />
        </div>

        <div className={`${card} min-h-64`}>
          <h2 className="mb-4 text-lg font-semibold">Result</h2>
          {batch ? (
            <BatchProgress batch={batch} models={models.data?.models ?? []} onCancel={job.cancel} cancellingId={job.cancellingId} />
          ) : !generation ? (
            <div className="flex h-48 flex-col items-center justify-center rounded-xl border-2 border-dashed border-zinc-300 text-center text-sm text-zinc-500 dark:text-zinc-400 dark:border-zinc-700">
              <p>Your images will appear here.</p>
              <p className="mt-1 text-xs">Tip: Ctrl+Enter in the prompt submits.</p>
            </div>
          ) : (
            <div className="space-y-4">
              <p className="text-sm text-zinc-600 dark:text-zinc-400">
                <span className="font-medium text-zinc-900 dark:text-zinc-100">“{generation.prompt?.text}”</span>
              </p>
              <GenerationProgress
                generation={generation}
                cancelling={job.cancelling}
                onCancel={() => job.cancel(generation.id)}
                onRetry={() => job.retry(generation.id)}
              />
              {generation.status === 'SUCCEEDED' ? (
                <ul className={`grid gap-3 ${generation.images.length > 1 ? 'grid-cols-2' : 'grid-cols-1'}`} aria-label="Generated images">
                  {generation.images.map((img) => (
                    <li key={img.id}>
                      <Link to={`/images/${encodeURIComponent(img.id)}`} className="block overflow-hidden rounded-xl ring-violet-500 focus-visible:outline-none focus-visible:ring-2">
                        <img src={img.url} alt={img.prompt?.text ?? generation.prompt?.text ?? ''} width={img.width} height={img.height} className="h-auto w-full" />
                      </Link>
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
