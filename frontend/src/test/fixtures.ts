import type { Model } from '../lib/models';

const base = {
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

export const offline: Model = {
  id: 'offline',
  name: 'Offline renderer',
  provider: 'RenderMart',
  offline: true,
  description: 'Draws a deterministic picture without any AI.',
  capabilities: { ...base, sizes: [{ width: 512, height: 512 }, { width: 768, height: 512 }], minSide: 64, maxSide: 2048, sideStep: 64, maxPixels: 4194304, maxImages: 4, negativePrompt: true, seed: true, maxSeed: 2147483647, cfgScale: { min: 1, max: 10, default: 7 } },
  defaults: { width: 512, height: 512, count: 1 },
};

export const titan: Model = {
  id: 'amazon.titan-image-generator-v2:0',
  name: 'Titan Image Generator v2',
  provider: 'Amazon',
  offline: false,
  description: 'A Bedrock model.',
  capabilities: {
    ...base,
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

export const ultra: Model = {
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

/** A model as the server sends it, with the `__typename`s Apollo's cache needs. */
export function withTypenames(m: Model) {
  const c = m.capabilities;
  return {
    __typename: 'ImageModel',
    ...m,
    capabilities: {
      __typename: 'ModelCapabilities',
      ...c,
      sizes: c.sizes.map((s) => ({ __typename: 'ImageSize', ...s })),
      cfgScale: c.cfgScale ? { __typename: 'FloatRange', ...c.cfgScale } : null,
    },
    defaults: { __typename: 'ModelDefaults', ...m.defaults },
  };
}
