import type { GenerationTask, ImageFieldsFragment } from '../graphql/generated/graphql';
import type { EditModel, TaskLimits } from '../lib/editing';
import type { Model } from '../lib/models';

/** A model as the `Models` query returns it: what both the Generate and the Edit forms read. */
export type FullModel = Model & EditModel;

/** One task's limits: no prompt, mask or parameters unless `rules` says so. */
function task(name: GenerationTask, rules: Partial<TaskLimits> = {}): TaskLimits {
  return {
    task: name,
    prompt: 'NONE',
    needsSource: name !== 'TEXT_TO_IMAGE',
    mask: 'NONE',
    maskPrompt: 'NONE',
    strength: null,
    maxOutpaint: null,
    upscaleFactor: null,
    minSourceSide: 64,
    maxSourceSide: 4096,
    maxSourcePixels: 16777216,
    ...rules,
  };
}

function withTasks(limits: TaskLimits[]) {
  return { tasks: limits.map((l) => l.task), taskLimits: limits };
}

const textOnly = withTasks([task('TEXT_TO_IMAGE', { prompt: 'REQUIRED', needsSource: false })]);

const base = {
  ...textOnly,
  taskTypes: ['TEXT_IMAGE'],
  fixedSizes: false,
  sizes: [],
  minSide: 256,
  maxSide: 2048,
  sideStep: 64,
  maxPixels: null,
  aspectRatios: [],
  maxImages: 1,
  maxPromptLength: 512,
  negativePrompt: false,
  seed: false,
  maxSeed: null,
  cfgScale: null,
  stylePresets: [],
  qualities: [],
};

export const offline: FullModel = {
  id: 'offline',
  name: 'Offline renderer',
  provider: 'RenderMart',
  offline: true,
  description: 'Draws a deterministic picture without any AI.',
  capabilities: {
    ...base,
    // Every task, as the offline engine offers them.
    ...withTasks([
      task('TEXT_TO_IMAGE', { prompt: 'REQUIRED' }),
      task('IMAGE_TO_IMAGE', { prompt: 'REQUIRED', strength: { min: 0, max: 1, default: 0.6 } }),
      task('VARIATION', { prompt: 'OPTIONAL', strength: { min: 0, max: 1, default: 0.35 } }),
      task('INPAINT', { prompt: 'REQUIRED', mask: 'REQUIRED' }),
      task('OUTPAINT', { prompt: 'OPTIONAL', maxOutpaint: 1024 }),
      task('ERASE', { mask: 'REQUIRED' }),
      task('REMOVE_BACKGROUND'),
      task('UPSCALE', { upscaleFactor: { min: 1, max: 4, default: 2 }, maxSourceSide: 2048 }),
      task('SEARCH_REPLACE', { prompt: 'REQUIRED', maskPrompt: 'REQUIRED' }),
      task('SEARCH_RECOLOR', { prompt: 'REQUIRED', maskPrompt: 'REQUIRED' }),
    ]),
    sizes: [{ width: 512, height: 512 }, { width: 768, height: 512 }],
    minSide: 64,
    maxSide: 2048,
    sideStep: 64,
    maxPixels: 4194304,
    maxImages: 4,
    negativePrompt: true,
    seed: true,
    maxSeed: 2147483647,
    cfgScale: { min: 1, max: 10, default: 7 },
  },
  defaults: { width: 512, height: 512, count: 1 },
};

export const titan: FullModel = {
  id: 'amazon.titan-image-generator-v2:0',
  name: 'Titan Image Generator v2',
  provider: 'Amazon',
  offline: false,
  description: 'A Bedrock model.',
  capabilities: {
    ...base,
    ...withTasks([
      task('TEXT_TO_IMAGE', { prompt: 'REQUIRED', needsSource: false }),
      task('INPAINT', { prompt: 'OPTIONAL', mask: 'OPTIONAL', maskPrompt: 'OPTIONAL', minSourceSide: 320 }),
      task('REMOVE_BACKGROUND', { minSourceSide: 320 }),
    ]),
    fixedSizes: true,
    sizes: [
      { width: 1024, height: 1024 },
      { width: 1152, height: 640 },
      { width: 768, height: 1152 },
    ],
    maxImages: 5,
    negativePrompt: true,
    seed: true,
    maxSeed: 2147483646,
    cfgScale: { min: 1.1, max: 10, default: 8 },
    qualities: ['standard', 'premium'],
  },
  defaults: { width: 1024, height: 1024, count: 1 },
};

export const ultra: FullModel = {
  id: 'stability.stable-image-ultra-v1:1',
  name: 'Stable Image Ultra',
  provider: 'Stability AI',
  offline: false,
  description: 'A Bedrock model.',
  capabilities: {
    ...base,
    aspectRatios: ['1:1', '16:9', '9:16', '3:2'],
    maxPixels: 1048576,
    sideStep: 64,
    negativePrompt: false,
    seed: true,
    maxSeed: 4294967294,
    stylePresets: ['photographic', 'digital-art', 'anime'],
  },
  defaults: { width: 1024, height: 1024, count: 1 },
};

export const models = [offline, titan, ultra];

/** A model that only works on pictures: the Generate page does not offer it. */
export const upscaler: FullModel = {
  id: 'stability.stable-fast-upscale-v1:0',
  name: 'Stable Fast Upscale',
  provider: 'Stability AI',
  offline: false,
  description: 'Upscales a picture.',
  capabilities: { ...base, ...withTasks([task('UPSCALE', { upscaleFactor: { min: 4, max: 4, default: 4 }, maxSourceSide: 1536 })]) },
  defaults: { width: 1024, height: 1024, count: 1 },
};

/** A model as the server sends it, with the `__typename`s Apollo's cache needs. */
export function withTypenames(m: FullModel) {
  const c = m.capabilities;
  const range = (r: { min: number; max: number; default: number } | null) => (r ? { __typename: 'FloatRange', ...r } : null);
  return {
    __typename: 'ImageModel',
    ...m,
    capabilities: {
      __typename: 'ModelCapabilities',
      ...c,
      sizes: c.sizes.map((s) => ({ __typename: 'ImageSize', ...s })),
      cfgScale: range(c.cfgScale),
      taskLimits: c.taskLimits.map((l) => ({
        __typename: 'TaskCapability',
        ...l,
        strength: range(l.strength),
        upscaleFactor: range(l.upscaleFactor),
      })),
    },
    defaults: { __typename: 'ModelDefaults', ...m.defaults },
  };
}

/**
 * An image as the server sends it, with the `__typename`s Apollo's cache needs: a private
 * 512 × 512 PNG, seed 7, whose prompt reads `prompt ${id}` unless `text` says otherwise.
 */
export function imageNode(id: string, { text = `prompt ${id}`, ...overrides }: ImageOverrides = {}) {
  return {
    __typename: 'Image',
    id,
    url: `/api/files/${id}.png`,
    thumbnailUrl: `/api/files/${id}.thumb.png`,
    width: 512,
    height: 512,
    seed: 7,
    contentType: 'image/png',
    byteSize: 1000,
    visibility: 'PRIVATE',
    favorite: false,
    createdAt: '2026-01-01T00:00:00Z',
    uploaded: false,
    prompt: { __typename: 'Prompt', id: `p-${id}`, text, negativeText: null },
    ...overrides,
  };
}

/** What a test changes of `imageNode`: the prompt's `text`, or any other field but the id. */
type ImageOverrides = { text?: string } & Partial<Omit<ImageFieldsFragment, 'id' | 'prompt'>>;
