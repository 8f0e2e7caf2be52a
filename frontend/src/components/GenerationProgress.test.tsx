import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { GenerationErrorCode } from '../graphql/generated/graphql';
import { GenerationProgress } from './GenerationProgress';

const base = {
  id: 'R2VuZXJhdGlvbjox',
  status: 'QUEUED' as const,
  progress: 0,
  stage: null,
  queuePosition: null as number | null,
  preview: null as string | null,
  error: null as { code: GenerationErrorCode; message: string } | null,
  prompt: { text: 'a lighthouse at dusk' } as { text: string } | null,
};

describe('GenerationProgress', () => {
  it('shows the queue position while queued, and no progress bar', () => {
    render(<GenerationProgress generation={{ ...base, queuePosition: 3 }} />);
    expect(screen.getByText(/Queued/)).toBeInTheDocument();
    expect(screen.getByTestId('queue-position')).toHaveTextContent('3');
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('shows a progress bar with the percentage while running', () => {
    render(<GenerationProgress generation={{ ...base, status: 'RUNNING', progress: 0.42, stage: 'denoising' }} />);
    const bar = screen.getByRole('progressbar');
    expect(bar).toHaveAttribute('aria-valuenow', '42');
    expect(bar).toHaveAttribute('aria-valuemin', '0');
    expect(bar).toHaveAttribute('aria-valuemax', '100');
    expect(screen.getByText('Denoising…')).toBeInTheDocument();
  });

  it('keeps the bar within 0..100 whatever progress the server reports', () => {
    const { rerender } = render(<GenerationProgress generation={{ ...base, status: 'RUNNING', progress: 1.7 }} />);
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
    rerender(<GenerationProgress generation={{ ...base, status: 'RUNNING', progress: -1 }} />);
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '0');
  });

  it("shows the engine's preview while running", () => {
    render(
      <GenerationProgress generation={{ ...base, status: 'RUNNING', progress: 0.5, preview: 'data:image/png;base64,AAAA' }} />,
    );
    expect(screen.getByAltText('Preview of: a lighthouse at dusk')).toHaveAttribute('src', 'data:image/png;base64,AAAA');
  });

  it('cancels an unfinished job', async () => {
    const onCancel = vi.fn();
    render(<GenerationProgress generation={{ ...base, status: 'RUNNING', progress: 0.1 }} onCancel={onCancel} />);
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledOnce();
  });

  it('offers no cancel once the job has finished', () => {
    render(<GenerationProgress generation={{ ...base, status: 'SUCCEEDED', progress: 1 }} onCancel={() => {}} />);
    expect(screen.queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('says a filtered job was blocked by the content filter and offers a retry', async () => {
    const onRetry = vi.fn();
    render(
      <GenerationProgress
        generation={{ ...base, status: 'FAILED', error: { code: 'CONTENT_FILTERED', message: 'blocked' } }}
        onRetry={onRetry}
      />,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Blocked by the content filter');
    expect(alert).not.toHaveTextContent('Generation failed');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('says other failures failed, with what to do', () => {
    render(<GenerationProgress generation={{ ...base, status: 'FAILED', error: { code: 'THROTTLED', message: 'x' } }} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Generation failed');
    expect(screen.getByRole('alert')).toHaveTextContent('busy');
  });
});
