import { MockedProvider, type MockedResponse } from '@apollo/client/testing';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it } from 'vitest';
import type { GenerateBatchMutationVariables, GenerateImagesMutationVariables } from '../graphql/generated/graphql';
import { BATCH_UPDATES, GENERATE_BATCH, GENERATE_IMAGES, GENERATION_UPDATES, MODELS } from '../graphql/operations';
import { createCache } from '../lib/apollo';
import { AuthProvider } from '../lib/auth';
import { models, offline, titan, upscaler, withTypenames } from '../test/fixtures';
import { GeneratePage } from './GeneratePage';

const PROMPT = 'a lighthouse at dusk';

function generation(id: string, model: string, seed: number, status: string, progress: number) {
  return {
    __typename: 'Generation',
    id,
    status,
    progress,
    stage: status === 'RUNNING' ? 'drawing' : null,
    queuePosition: status === 'QUEUED' ? 1 : null,
    preview: null,
    error: null,
    prompt: { __typename: 'Prompt', id: 'p1', text: PROMPT, negativeText: null },
    images: [],
    model,
    task: 'TEXT_TO_IMAGE',
    params: { width: 512, height: 512, count: 1, seed },
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
  };
}

/** The batch the server would queue for these variables: every request × seed × model. */
function batchFor(vars: GenerateBatchMutationVariables, running: boolean) {
  const { requests, seeds, models: ms } = vars.input;
  const jobs = requests.flatMap((r) =>
    (ms ?? [r.model ?? offline.id]).flatMap((m) => (seeds ?? [r.seed ?? 1]).map((seed) => ({ m, seed }))),
  );
  return {
    __typename: 'Batch',
    id: 'QmF0Y2g6MQ',
    status: running ? 'RUNNING' : 'QUEUED',
    progress: running ? 0.25 : 0,
    total: jobs.length,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    createdAt: '2026-01-01T00:00:00Z',
    finishedAt: null,
    generations: {
      __typename: 'GenerationConnection',
      nodes: jobs.map((j, i) => generation(`R2VuOi${i}`, j.m, j.seed, running && i === 0 ? 'RUNNING' : 'QUEUED', running && i === 0 ? 0.5 : 0)),
    },
  };
}

function setup() {
  const batchCalls: GenerateBatchMutationVariables[] = [];
  const singleCalls: GenerateImagesMutationVariables[] = [];
  const mocks: MockedResponse[] = [
    { request: { query: MODELS }, result: { data: { models: [...models, upscaler].map(withTypenames) } } },
    {
      request: { query: GENERATE_BATCH },
      variableMatcher: () => true,
      result: (vars: GenerateBatchMutationVariables) => {
        batchCalls.push(vars);
        return { data: { generateBatch: batchFor(vars, false) } };
      },
    },
    {
      request: { query: BATCH_UPDATES, variables: { id: 'QmF0Y2g6MQ' } },
      result: () => ({ data: { batchUpdates: batchFor(batchCalls[batchCalls.length - 1], true) } }),
    },
    {
      request: { query: GENERATE_IMAGES },
      variableMatcher: () => true,
      result: (vars: GenerateImagesMutationVariables) => {
        singleCalls.push(vars);
        return { data: { generateImages: generation('R2VuOjE', offline.id, 7, 'QUEUED', 0) } };
      },
    },
    {
      request: { query: GENERATION_UPDATES, variables: { id: 'R2VuOjE' } },
      result: { data: { generationUpdates: generation('R2VuOjE', offline.id, 7, 'RUNNING', 0.3) } },
    },
  ];
  render(
    <MockedProvider mocks={mocks} cache={createCache()}>
      <MemoryRouter initialEntries={['/generate']}>
        <AuthProvider>
          <GeneratePage />
        </AuthProvider>
      </MemoryRouter>
    </MockedProvider>,
  );
  return { user: userEvent.setup(), batchCalls, singleCalls };
}

beforeEach(() => sessionStorage.clear());

describe('GeneratePage models', () => {
  it('offers only the models that draw from a prompt', async () => {
    setup();
    const picker = await screen.findByLabelText('Model');
    expect(within(picker).getAllByRole('option').map((o) => o.getAttribute('value'))).toEqual(models.map((m) => m.id));
    expect(screen.queryByLabelText(/Stable Fast Upscale/)).not.toBeInTheDocument();
  });
});

describe('GeneratePage variants', () => {
  it('queues random seeds as one generateBatch and follows each job of the batch', async () => {
    const { user, batchCalls, singleCalls } = setup();
    await user.type(await screen.findByLabelText('Prompt'), PROMPT);
    await user.selectOptions(screen.getByLabelText('Seed variants'), '4');
    await user.click(screen.getByRole('button', { name: 'Generate 4 variants' }));

    const jobs = await screen.findByRole('list', { name: 'Batch jobs' });
    expect(batchCalls).toHaveLength(1);
    expect(singleCalls).toHaveLength(0);
    const { input } = batchCalls[0];
    // The normal request, without a seed of its own or an idempotency key (it is repeated).
    expect(input.requests).toEqual([{ prompt: PROMPT, model: offline.id, width: 512, height: 512, count: 1, cfgScale: 7 }]);
    expect(input.models).toBeUndefined();
    const seeds = input.seeds ?? [];
    expect(seeds).toHaveLength(4);
    expect(new Set(seeds).size).toBe(4);
    for (const s of seeds) {
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(offline.capabilities.maxSeed!);
    }

    // batchUpdates: the first job runs, the others wait; each shows its own progress.
    expect(await screen.findByRole('progressbar', { name: 'Variant 1 progress' })).toHaveAttribute('aria-valuenow', '50');
    expect(within(jobs).getAllByRole('listitem')).toHaveLength(4);
    expect(within(jobs).getByText(new RegExp(`seed ${seeds[1]}$`))).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Batch progress' })).toHaveAttribute('aria-valuenow', '25');
    expect(screen.getByText(/Batch running: 0 of 4 finished/)).toBeInTheDocument();
  });

  it('sends the chosen models (and seeds) with only the settings every model supports', async () => {
    const { user, batchCalls } = setup();
    await user.type(await screen.findByLabelText('Prompt'), PROMPT);
    await user.type(screen.getByLabelText('Negative prompt'), 'blurry');
    await user.click(screen.getByLabelText('Titan Image Generator v2 (Amazon)'));
    await user.selectOptions(screen.getByLabelText('Seed variants'), '2');
    expect(screen.getByText(/4 jobs will be queued together/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Generate 4 variants' }));

    await screen.findByRole('list', { name: 'Batch jobs' });
    const { input } = batchCalls[0];
    expect(input.models).toEqual([offline.id, titan.id]);
    expect(input.seeds).toHaveLength(2);
    for (const s of input.seeds ?? []) expect(s).toBeLessThanOrEqual(titan.capabilities.maxSeed!);
    // 512×512 is not one of Titan's fixed sizes, so each model uses its own default size;
    // both take a negative prompt; guidance scales differ per model and are left out.
    expect(input.requests).toEqual([{ prompt: PROMPT, model: offline.id, count: 1, negativePrompt: 'blurry' }]);
    expect(await screen.findAllByText(/Titan Image Generator v2 \(Amazon\) · seed/)).toHaveLength(2);
  });

  it('keeps the single-job path when no variants are asked for', async () => {
    const { user, batchCalls, singleCalls } = setup();
    await user.type(await screen.findByLabelText('Prompt'), PROMPT);
    expect(screen.getByLabelText('Seed variants')).toHaveValue('1');
    await user.click(screen.getByRole('button', { name: 'Generate' }));

    expect(await screen.findByRole('progressbar', { name: 'Generation progress' })).toHaveAttribute('aria-valuenow', '30');
    expect(batchCalls).toHaveLength(0);
    expect(singleCalls).toHaveLength(1);
    expect(singleCalls[0].input).toMatchObject({ prompt: PROMPT, model: offline.id, width: 512, height: 512, count: 1 });
    expect(singleCalls[0].input.idempotencyKey).toEqual(expect.any(String));
    expect(screen.queryByRole('list', { name: 'Batch jobs' })).not.toBeInTheDocument();
  });
});
