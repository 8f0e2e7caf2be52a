import type { GenerateImagesInput, ModelFieldsFragment } from '../graphql/generated/graphql';

export type Model = ModelFieldsFragment;

/** The form's state. Numbers the model does not support are kept but never sent. */
export interface GenerateValues {
  prompt: string;
  negativePrompt: string;
  model: string;
  width: number;
  height: number;
  count: number;
  randomSeed: boolean;
  seed: number;
  cfgScale: number | null;
  stylePreset: string;
  quality: string;
}

export type SizeMode = 'fixed' | 'aspect' | 'free';

export function sizeMode(model: Model): SizeMode {
  const c = model.capabilities;
  if (c.fixedSizes && c.sizes.length > 0) return 'fixed';
  if (c.aspectRatios.length > 0) return 'aspect';
  return 'free';
}

/** Whether a model draws from a prompt alone: the models the Generate page offers. */
export function drawsFromText(model: Model): boolean {
  return model.capabilities.tasks.includes('TEXT_TO_IMAGE');
}

export function modelLabel(model: Pick<Model, 'name' | 'provider' | 'offline'>): string {
  if (!model.offline) return `${model.name} (${model.provider})`;
  // Say it plainly, once: the offline renderer is not an AI model.
  return /no ai/i.test(model.name) ? `${model.name} — offline` : `${model.name} — offline, no AI`;
}

export function sizeKey(w: number, h: number): string {
  return `${w}x${h}`;
}

function ratioOf(ratio: string): number {
  const [a, b] = ratio.split(':').map(Number);
  return a > 0 && b > 0 ? a / b : 1;
}

/** Width and height for an aspect ratio at the model's default pixel budget. */
export function sizeForAspect(model: Model, ratio: string): { width: number; height: number } {
  const c = model.capabilities;
  const step = c.sideStep ?? 64;
  const budget = Math.min(model.defaults.width * model.defaults.height, c.maxPixels ?? Infinity);
  const r = ratioOf(ratio);
  const snap = (v: number) => Math.max(step, Math.floor(v / step) * step);
  let width = snap(Math.sqrt(budget * r));
  let height = snap(Math.sqrt(budget / r));
  if (c.maxSide) {
    width = Math.min(width, c.maxSide);
    height = Math.min(height, c.maxSide);
  }
  if (c.minSide) {
    width = Math.max(width, c.minSide);
    height = Math.max(height, c.minSide);
  }
  return { width, height };
}

/** The aspect ratio (from the model's list) closest to a width and height. */
export function nearestAspect(model: Model, width: number, height: number): string {
  const target = width / height;
  let best = model.capabilities.aspectRatios[0] ?? '1:1';
  for (const r of model.capabilities.aspectRatios) {
    if (Math.abs(Math.log(ratioOf(r) / target)) < Math.abs(Math.log(ratioOf(best) / target))) best = r;
  }
  return best;
}

/** Whether a size is one this model accepts (used before applying saved preferences). */
export function sizeAllowed(model: Model, width: number, height: number): boolean {
  const c = model.capabilities;
  if (sizeMode(model) === 'fixed') return c.sizes.some((s) => s.width === width && s.height === height);
  if (c.minSide && (width < c.minSide || height < c.minSide)) return false;
  if (c.maxSide && (width > c.maxSide || height > c.maxSide)) return false;
  if (c.sideStep && (width % c.sideStep !== 0 || height % c.sideStep !== 0)) return false;
  if (c.maxPixels && width * height > c.maxPixels) return false;
  return true;
}

/** The values a freshly chosen model starts with, keeping what still fits from `prev`. */
export function valuesForModel(model: Model, prev: Partial<GenerateValues> = {}): GenerateValues {
  const c = model.capabilities;
  let width = model.defaults.width;
  let height = model.defaults.height;
  if (prev.width && prev.height && sizeAllowed(model, prev.width, prev.height)) {
    width = prev.width;
    height = prev.height;
  }
  if (sizeMode(model) === 'aspect') {
    const s = sizeForAspect(model, nearestAspect(model, width, height));
    if (!sizeAllowed(model, width, height)) ({ width, height } = s);
  }
  const count = Math.min(Math.max(prev.count ?? model.defaults.count, 1), Math.max(c.maxImages, 1));
  return {
    prompt: prev.prompt ?? '',
    negativePrompt: prev.negativePrompt ?? '',
    model: model.id,
    width,
    height,
    count,
    randomSeed: prev.randomSeed ?? true,
    seed: prev.seed ?? 0,
    cfgScale: c.cfgScale
      ? clamp(prev.cfgScale ?? c.cfgScale.default, c.cfgScale.min, c.cfgScale.max)
      : null,
    stylePreset: prev.stylePreset && c.stylePresets.includes(prev.stylePreset) ? prev.stylePreset : '',
    quality: prev.quality && c.qualities.includes(prev.quality) ? prev.quality : (c.qualities[0] ?? ''),
  };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/** GraphQL's `Int` is 32 bits: the largest seed the API can carry, whatever a model takes. */
export const MAX_GRAPHQL_INT = 2147483647;

/** The largest seed this model takes that the API can carry. */
export function maxSeedOf(model: Model): number {
  return Math.min(MAX_GRAPHQL_INT, model.capabilities.maxSeed ?? MAX_GRAPHQL_INT);
}

export function randomSeed(model: Model): number {
  return Math.floor(Math.random() * (maxSeedOf(model) + 1));
}

/** The mutation input: only what this model can do, so the server never has to refuse it. */
export function buildInput(values: GenerateValues, model: Model, idempotencyKey?: string): GenerateImagesInput {
  const c = model.capabilities;
  const input: GenerateImagesInput = {
    prompt: values.prompt.trim(),
    model: model.id,
    width: values.width,
    height: values.height,
    count: values.count,
  };
  if (c.negativePrompt && values.negativePrompt.trim()) input.negativePrompt = values.negativePrompt.trim();
  if (c.seed && !values.randomSeed) input.seed = values.seed;
  if (c.cfgScale && values.cfgScale != null) input.cfgScale = values.cfgScale;
  if (c.stylePresets.length > 0 && values.stylePreset) input.stylePreset = values.stylePreset;
  if (c.qualities.length > 0 && values.quality) input.quality = values.quality;
  if (idempotencyKey) input.idempotencyKey = idempotencyKey;
  return input;
}

/** Several jobs from one form: the request once per seed and/or once per model (`generateBatch`). */
export interface Variants {
  seeds?: number[];
  models?: string[];
}

/** The most seed variants the form offers, and the most jobs one batch may hold. */
export const MAX_SEED_VARIANTS = 8;
export const MAX_BATCH_JOBS = 50;

/** `n` different random seeds that every one of these models accepts (and GraphQL's 32-bit `Int` carries). */
export function randomSeeds(n: number, models: Model[]): number[] {
  const max = Math.min(...models.map(maxSeedOf));
  const seeds = new Set<number>();
  while (seeds.size < Math.min(n, max + 1)) seeds.add(Math.floor(Math.random() * (max + 1)));
  return [...seeds];
}

/**
 * The one request a batch repeats for each of `models`: only what all of them support, so no
 * model's job refuses the whole batch (it is all or nothing). The first model is the one the
 * form shows; `models` in the batch input sets each job's model.
 */
export function buildSharedInput(values: GenerateValues, models: Model[]): GenerateImagesInput {
  const [first] = models;
  if (models.length === 1) return buildInput(values, first);
  const all = (ok: (c: Model['capabilities']) => boolean) => models.every((m) => ok(m.capabilities));
  const input: GenerateImagesInput = {
    prompt: values.prompt.trim(),
    model: first.id,
    count: Math.min(values.count, ...models.map((m) => Math.max(m.capabilities.maxImages, 1))),
  };
  if (models.every((m) => sizeAllowed(m, values.width, values.height))) {
    input.width = values.width;
    input.height = values.height;
  }
  if (all((c) => c.negativePrompt) && values.negativePrompt.trim()) input.negativePrompt = values.negativePrompt.trim();
  if (all((c) => c.seed && values.seed <= Math.min(MAX_GRAPHQL_INT, c.maxSeed ?? MAX_GRAPHQL_INT)) && !values.randomSeed) input.seed = values.seed;
  // Guidance scales mean different things per model: each job uses its model's default.
  if (values.stylePreset && all((c) => c.stylePresets.includes(values.stylePreset))) input.stylePreset = values.stylePreset;
  if (values.quality && all((c) => c.qualities.includes(values.quality))) input.quality = values.quality;
  return input;
}

/** Turns a style preset id like `digital-art` into "Digital art". */
export function humanize(id: string): string {
  const s = id.replace(/[-_]+/g, ' ').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}
