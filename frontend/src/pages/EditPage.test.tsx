import { MockedProvider, type MockedResponse } from '@apollo/client/testing';
import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CreateUploadMutationVariables, GenerateImagesMutationVariables } from '../graphql/generated/graphql';
import { CREATE_UPLOAD, GENERATE_IMAGES, GENERATION_UPDATES, IMAGE_DETAIL, MODELS } from '../graphql/operations';
import { createCache } from '../lib/apollo';
import { imageNode, models, offline, titan, upscaler, withTypenames } from '../test/fixtures';
import { decodeGreyPng } from '../test/png';
import { EditPage } from './EditPage';

const SOURCE_ID = 'SW1hZ2U6MQ';
const RESULT_ID = 'SW1hZ2U6Mg';
const JOB_ID = 'R2VuOjE';
const UPLOAD_URL = 'http://localhost/api/files/uploads/up-1?expires=1&signature=abc';

function picture(id: string, text: string) {
  return imageNode(id, { height: 300, seed: 1, text });
}

const detail = (id: string, text: string): MockedResponse => ({
  request: { query: IMAGE_DETAIL, variables: { id } },
  result: {
    data: {
      node: { ...picture(id, text), owner: { __typename: 'User', id: 'VXNlcjox', displayName: 'Ann' }, generation: null, source: null },
    },
  },
});

function job(status: string) {
  return {
    __typename: 'Generation',
    id: JOB_ID,
    status,
    progress: status === 'SUCCEEDED' ? 1 : 0,
    stage: null,
    queuePosition: status === 'QUEUED' ? 1 : null,
    preview: null,
    error: null,
    prompt: { __typename: 'Prompt', id: 'p-job', text: 'a red door', negativeText: null },
    images: status === 'SUCCEEDED' ? [picture(RESULT_ID, 'a red door')] : [],
    model: offline.id,
    task: 'INPAINT',
    params: {},
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
  };
}

function setup(path: string) {
  const uploads: CreateUploadMutationVariables[] = [];
  const jobs: GenerateImagesMutationVariables[] = [];
  const mocks: MockedResponse[] = [
    { request: { query: MODELS }, result: { data: { models: [...models, upscaler].map(withTypenames) } } },
    detail(SOURCE_ID, 'a harbour at dawn'),
    detail(RESULT_ID, 'a red door'),
    {
      request: { query: CREATE_UPLOAD },
      variableMatcher: () => true,
      result: (vars: CreateUploadMutationVariables) => {
        uploads.push(vars);
        return {
          data: {
            createUpload: {
              __typename: 'UploadTarget',
              id: 'up-1',
              url: UPLOAD_URL,
              method: 'PUT',
              headers: [{ __typename: 'HttpHeader', name: 'Content-Type', value: 'image/png' }],
              expiresAt: '2026-01-01T01:00:00Z',
            },
          },
        };
      },
    },
    {
      request: { query: GENERATE_IMAGES },
      variableMatcher: () => true,
      result: (vars: GenerateImagesMutationVariables) => {
        jobs.push(vars);
        return { data: { generateImages: job('QUEUED') } };
      },
    },
    { request: { query: GENERATION_UPDATES, variables: { id: JOB_ID } }, result: { data: { generationUpdates: job('SUCCEEDED') } } },
  ];
  render(
    <MockedProvider mocks={mocks} cache={createCache()}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/edit/:id?" element={<EditPage />} />
        </Routes>
      </MemoryRouter>
    </MockedProvider>,
  );
  // A file picker whose "all files" option was chosen: the page must refuse by itself.
  return { user: userEvent.setup({ applyAccept: false }), uploads, jobs };
}

const optionsOf = (select: HTMLElement) => within(select).getAllByRole('option').map((o) => o.textContent);

let sent: Array<{ url: string; init: RequestInit }>;
beforeEach(() => {
  sent = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      sent.push({ url, init });
      return new Response(null, { status: 200 });
    }),
  );
  // jsdom draws nothing; the mask is checked where it is exported.
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('EditPage', () => {
  it('offers only models that edit pictures, each with the tasks it lists', async () => {
    const { user } = setup(`/edit/${SOURCE_ID}`);
    const model = await screen.findByLabelText('Model');
    expect(optionsOf(model)).toEqual([
      'Offline renderer — offline, no AI',
      'Titan Image Generator v2 (Amazon)',
      'Stable Fast Upscale (Stability AI)',
    ]);
    expect(optionsOf(screen.getByLabelText('Task'))).toEqual([
      'Image to image',
      'Variation',
      'Inpaint',
      'Outpaint',
      'Erase',
      'Remove background',
      'Upscale',
      'Search and replace',
      'Search and recolor',
    ]);

    await user.selectOptions(model, titan.id);
    expect(optionsOf(screen.getByLabelText('Task'))).toEqual(['Inpaint', 'Remove background']);
    // Titan takes pictures from 320 pixels a side; this one is 300 high.
    expect(screen.getByRole('button', { name: 'Run' })).toBeDisabled();
    expect(screen.getByText('This picture is 512 × 300 pixels; Inpaint takes pictures at least 320 pixels a side.')).toBeInTheDocument();

    await user.selectOptions(model, upscaler.id);
    expect(optionsOf(screen.getByLabelText('Task'))).toEqual(['Upscale']);
  });

  it("shows each task's own parameters, within its limits, and hides the rest", async () => {
    const { user } = setup(`/edit/${SOURCE_ID}`);
    const task = await screen.findByLabelText('Task');

    expect(task).toHaveValue('IMAGE_TO_IMAGE');
    const strength = screen.getByLabelText(/Strength/);
    expect(strength).toHaveValue('0.6');
    expect(strength).toHaveAttribute('min', '0');
    expect(strength).toHaveAttribute('max', '1');
    expect(screen.getByLabelText('Prompt')).toBeRequired();
    expect(screen.queryByRole('application', { name: 'Mask' })).not.toBeInTheDocument();

    await user.selectOptions(task, 'INPAINT');
    expect(screen.getByRole('application', { name: 'Mask' })).toBeInTheDocument();
    expect(screen.getByLabelText(/Brush size/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Eraser' })).toHaveAttribute('aria-pressed', 'false');
    expect(screen.getByRole('button', { name: 'Clear mask' })).toBeDisabled();
    expect(screen.queryByLabelText(/Strength/)).not.toBeInTheDocument();

    await user.selectOptions(task, 'REMOVE_BACKGROUND');
    expect(screen.queryByLabelText('Prompt')).not.toBeInTheDocument();
    expect(screen.queryByRole('application', { name: 'Mask' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('What to change')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Run' })).toBeEnabled();

    await user.selectOptions(task, 'OUTPAINT');
    for (const side of ['Left', 'Right', 'Top', 'Bottom']) expect(screen.getByLabelText(side)).toHaveAttribute('max', '1024');
    expect(screen.getByLabelText('Prompt')).not.toBeRequired();
    expect(screen.getByRole('button', { name: 'Run' })).toBeDisabled();
    expect(screen.getByText('Add pixels on at least one side.')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Left'), '64');
    expect(screen.getByText(/The result is 576 × 300 pixels/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Run' })).toBeEnabled();

    await user.selectOptions(task, 'UPSCALE');
    expect(screen.getByLabelText(/Upscale factor/)).toHaveValue('2');
    expect(screen.getByText('The result is 1024 × 600 pixels.')).toBeInTheDocument();
    expect(screen.queryByLabelText('Left')).not.toBeInTheDocument();

    await user.selectOptions(task, 'SEARCH_RECOLOR');
    expect(screen.getByLabelText('What to change')).toBeRequired();
    expect(screen.getByRole('button', { name: 'Run' })).toBeDisabled();
  });

  it('refuses a file of the wrong type or too large before sending anything', async () => {
    const { user } = setup('/edit');
    const input = await screen.findByLabelText('Choose a picture');

    await user.upload(input, new File(['hello'], 'notes.txt', { type: 'text/plain' }));
    expect(screen.getByRole('alert')).toHaveTextContent('“notes.txt” is not a PNG, JPEG or WebP picture.');

    await user.upload(input, new File([new Uint8Array(11 * 1024 * 1024)], 'huge.png', { type: 'image/png' }));
    expect(screen.getByRole('alert')).toHaveTextContent('“huge.png” is 11.0 MB; a picture can be at most 10.0 MB.');

    fireEvent.drop(screen.getByText('Drop a picture here'), {
      dataTransfer: { files: [new File(['GIF89a'], 'cat.gif', { type: 'image/gif' })] },
    });
    expect(screen.getByRole('alert')).toHaveTextContent('“cat.gif” is not a PNG, JPEG or WebP picture.');
    expect(sent).toHaveLength(0);
  });

  it('uploads the painted mask as a white-on-black PNG of the picture, inpaints, and shows the result to chain', async () => {
    const { user, uploads, jobs } = setup(`/edit/${SOURCE_ID}`);
    await user.selectOptions(await screen.findByLabelText('Task'), 'INPAINT');
    await user.type(screen.getByLabelText('Prompt'), 'a red door');
    expect(screen.getByRole('button', { name: 'Run' })).toBeDisabled();
    expect(screen.getByText('Paint the area to change on the picture.')).toBeInTheDocument();

    // Shown at half size: 256 × 150 screen pixels for the 512 × 300 picture.
    const mask = screen.getByRole('application', { name: 'Mask' });
    vi.spyOn(mask, 'getBoundingClientRect').mockReturnValue(DOMRect.fromRect({ x: 0, y: 0, width: 256, height: 150 }));
    fireEvent.pointerDown(mask, { clientX: 20, clientY: 20, pointerId: 1 });
    fireEvent.pointerMove(mask, { clientX: 70, clientY: 20, pointerId: 1 });
    fireEvent.pointerUp(mask, { pointerId: 1 });
    // And a dot by keyboard, where the brush starts: the middle.
    mask.focus();
    await user.keyboard(' ');

    await user.click(screen.getByRole('button', { name: 'Run' }));
    await screen.findByRole('slider', { name: 'Before and after' });

    expect(sent).toHaveLength(1);
    const [{ url, init }] = sent;
    expect(url).toBe(UPLOAD_URL);
    expect(init.method).toBe('PUT');
    expect(init.headers).toEqual({ 'Content-Type': 'image/png' });
    const body = init.body as Blob;
    expect(uploads).toEqual([{ input: { contentType: 'image/png', byteSize: body.size } }]);
    const png = await decodeGreyPng(body);
    expect([png.width, png.height]).toEqual([512, 300]);
    // The stroke from (40, 40) to (140, 40), 43 pixels wide, and the dot at (256, 150).
    expect(png.at(40, 40)).toBe(255);
    expect(png.at(90, 55)).toBe(255);
    expect(png.at(90, 70)).toBe(0);
    expect(png.at(256, 150)).toBe(255);
    expect(png.at(290, 150)).toBe(0);
    expect(png.at(0, 0)).toBe(0);
    expect(png.at(511, 299)).toBe(0);

    expect(jobs).toHaveLength(1);
    expect(jobs[0].input).toEqual({
      model: offline.id,
      task: 'INPAINT',
      source: { imageId: SOURCE_ID },
      mask: { uploadId: 'up-1' },
      prompt: 'a red door',
      idempotencyKey: expect.any(String),
    });

    expect(screen.getByAltText('Inpaint result')).toHaveAttribute('src', `/api/files/${RESULT_ID}.png`);
    expect(screen.getByAltText('Before: a harbour at dawn')).toHaveAttribute('src', `/api/files/${SOURCE_ID}.png`);

    // The next edit starts from the result, with the same task and a clean mask.
    await user.click(screen.getByRole('button', { name: 'Edit this result' }));
    expect(await screen.findByAltText('a red door')).toHaveAttribute('src', `/api/files/${RESULT_ID}.png`);
    expect(screen.getByLabelText('Task')).toHaveValue('INPAINT');
    expect(screen.getByRole('button', { name: 'Clear mask' })).toBeDisabled();
    expect(screen.queryByRole('slider', { name: 'Before and after' })).not.toBeInTheDocument();
  });
});
