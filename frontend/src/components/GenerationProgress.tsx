import { graphql } from '../graphql/generated';
import type { GenerationFieldsFragment } from '../graphql/generated/graphql';
import { generationErrorText } from '../lib/errors';
import { buttonSecondary } from './ui';

/** A job as every page that follows one shows it: its live state, then its images. */
export const GENERATION_FIELDS = graphql(`
  fragment GenerationFields on Generation {
    id
    status
    progress
    stage
    queuePosition
    preview
    error {
      code
      message
    }
    prompt {
      id
      text
      negativeText
    }
    images {
      ...ImageFields
    }
    model
    task
    params
    createdAt
    startedAt
    finishedAt
  }
`);

type Gen = Pick<GenerationFieldsFragment, 'id' | 'status' | 'progress' | 'stage' | 'queuePosition' | 'preview' | 'error'> & {
  prompt: { text: string } | null;
};

interface Props {
  generation: Gen;
  onCancel?: () => void;
  onRetry?: () => void;
  cancelling?: boolean;
  /** Names the region and its progress bar; several jobs on one page need telling apart. */
  label?: string;
}

/** One job's live state: queue position, progress bar with preview, or why it ended. */
export function GenerationProgress({ generation: g, onCancel, onRetry, cancelling, label = 'Generation progress' }: Props) {
  const percent = Math.round(Math.min(Math.max(g.progress ?? 0, 0), 1) * 100);
  return (
    <section aria-label={label} aria-live="polite" className="space-y-3">
      {g.status === 'QUEUED' ? (
        <p className="text-sm font-medium">
          Queued
          {g.queuePosition != null ? (
            <span>
              {' '}
              — position <strong data-testid="queue-position">{g.queuePosition}</strong> in line
            </span>
          ) : null}
        </p>
      ) : null}

      {g.status === 'RUNNING' ? (
        <div className="space-y-2">
          <div className="flex justify-between text-sm">
            <span className="font-medium">{g.stage ? stageLabel(g.stage) : 'Generating'}…</span>
            <span className="tabular-nums text-zinc-500 dark:text-zinc-400">{percent}%</span>
          </div>
          <div
            role="progressbar"
            aria-label={label}
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
        </div>
      ) : null}

      {(g.status === 'RUNNING' || g.status === 'QUEUED') && g.preview ? (
        <img
          src={g.preview}
          alt={`Preview of: ${g.prompt?.text || 'your picture'}`}
          className="aspect-square w-full max-w-sm rounded-xl object-cover blur-[1px] [image-rendering:pixelated]"
        />
      ) : null}

      {(g.status === 'QUEUED' || g.status === 'RUNNING') && onCancel ? (
        <button type="button" className={buttonSecondary} onClick={onCancel} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      ) : null}

      {g.status === 'FAILED' ? (
        <div role="alert" className="rounded-xl border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950/60 dark:text-red-200">
          <p className="font-semibold">
            {g.error?.code === 'CONTENT_FILTERED' ? 'Blocked by the content filter' : 'Generation failed'}
          </p>
          <p>{generationErrorText(g.error?.code, g.error?.message)}</p>
          {onRetry ? (
            <button type="button" className={`${buttonSecondary} mt-2`} onClick={onRetry}>
              Retry
            </button>
          ) : null}
        </div>
      ) : null}

      {g.status === 'CANCELLED' ? <p className="text-sm text-zinc-500 dark:text-zinc-400">Cancelled.</p> : null}
    </section>
  );
}

function stageLabel(stage: string): string {
  const s = stage.replace(/[-_]+/g, ' ').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}
