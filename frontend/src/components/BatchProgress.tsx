import { Link } from 'react-router-dom';
import { graphql } from '../graphql/generated';
import type { BatchFieldsFragment } from '../graphql/generated/graphql';
import { modelLabel, type Model } from '../lib/models';
import { GenerationProgress } from './GenerationProgress';

// A batch holds at most 50 jobs, so one page of `generations` is all of them.
export const BATCH_FIELDS = graphql(`
  fragment BatchFields on Batch {
    id
    status
    progress
    total
    succeeded
    failed
    cancelled
    createdAt
    finishedAt
    generations(first: 50) {
      nodes {
        ...GenerationFields
      }
    }
  }
`);

interface Props {
  batch: BatchFieldsFragment;
  /** To name each job's model; an unknown id is shown as it is. */
  models: Model[];
  onCancel?: (generationId: string) => void;
  cancellingId?: string | null;
}

const STATUS_TEXT: Record<BatchFieldsFragment['status'], string> = {
  QUEUED: 'Queued',
  RUNNING: 'Running',
  COMPLETED: 'Completed',
};

/** A batch's overall state, then each of its jobs as `GenerationProgress` with its images. */
export function BatchProgress({ batch, models, onCancel, cancellingId }: Props) {
  const jobs = batch.generations.nodes;
  const finished = batch.succeeded + batch.failed + batch.cancelled;
  const percent = Math.round(Math.min(Math.max(batch.progress, 0), 1) * 100);
  const prompt = jobs[0]?.prompt?.text;
  return (
    <div className="space-y-4" data-batch-status={batch.status}>
      {prompt ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          <span className="font-medium text-zinc-900 dark:text-zinc-100">“{prompt}”</span>
        </p>
      ) : null}
      <div className="space-y-2">
        <p className="flex flex-wrap justify-between gap-2 text-sm">
          <span className="font-medium">
            Batch {STATUS_TEXT[batch.status].toLowerCase()}: {finished} of {batch.total} finished
          </span>
          <span className="text-zinc-600 dark:text-zinc-400">
            {batch.succeeded} succeeded
            {batch.failed ? ` · ${batch.failed} failed` : ''}
            {batch.cancelled ? ` · ${batch.cancelled} cancelled` : ''}
          </span>
        </p>
        {batch.status !== 'COMPLETED' ? (
          <div
            role="progressbar"
            aria-label="Batch progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            aria-valuetext={`${percent}%`}
            className="h-2.5 w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
          >
            <div
              className="h-full rounded-full bg-gradient-to-r from-violet-500 to-fuchsia-500 transition-[width] duration-300"
              style={{ width: `${percent}%` }}
            />
          </div>
        ) : null}
      </div>
      <ol className="space-y-4" aria-label="Batch jobs">
        {jobs.map((g, i) => {
          const name = `Variant ${i + 1}`;
          return (
            <li key={g.id} data-status={g.status} className="space-y-3 rounded-xl border border-zinc-200 p-3 dark:border-zinc-800">
              <p className="text-sm">
                <span className="font-semibold">{name}</span>
                <span className="text-zinc-600 dark:text-zinc-400"> · {describeJob(g, models)}</span>
              </p>
              <GenerationProgress
                generation={g}
                label={`${name} progress`}
                cancelling={cancellingId === g.id}
                onCancel={onCancel ? () => onCancel(g.id) : undefined}
              />
              {g.status === 'SUCCEEDED' ? (
                <ul className="grid grid-cols-2 gap-2 sm:grid-cols-4" aria-label={`${name} images`}>
                  {g.images.map((img) => (
                    <li key={img.id}>
                      <Link
                        to={`/images/${encodeURIComponent(img.id)}`}
                        className="block overflow-hidden rounded-lg ring-violet-500 focus-visible:outline-none focus-visible:ring-2"
                      >
                        <img
                          src={img.thumbnailUrl}
                          alt={img.prompt?.text ?? g.prompt?.text ?? ''}
                          width={img.width}
                          height={img.height}
                          className="h-auto w-full"
                        />
                      </Link>
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** "Titan Image Generator v2 (Amazon) · seed 42": what sets this job apart from the others. */
function describeJob(g: BatchFieldsFragment['generations']['nodes'][number], models: Model[]): string {
  const model = models.find((m) => m.id === g.model);
  const params = g.params as { seed?: unknown } | null;
  const seed = params && typeof params.seed === 'number' ? ` · seed ${params.seed}` : '';
  return `${model ? modelLabel(model) : g.model}${seed}`;
}
