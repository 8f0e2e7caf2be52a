import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { graphql } from '../graphql/generated';
import type { GenerateImagesInput } from '../graphql/generated/graphql';
import { fieldProblem, type Problem } from '../lib/errors';
import {
  buildInput,
  buildSharedInput,
  humanize,
  MAX_BATCH_JOBS,
  MAX_SEED_VARIANTS,
  modelLabel,
  nearestAspect,
  maxSeedOf,
  randomSeed,
  randomSeeds,
  sizeForAspect,
  sizeKey,
  sizeMode,
  valuesForModel,
  type GenerateValues,
  type Model,
  type Variants,
} from '../lib/models';
import { RangeField } from './RangeField';
import { SelectField } from './SelectField';
import { buttonPrimary, buttonSecondary, FieldError, inputClass, labelClass } from './ui';

/** What the form needs to know of a model to offer only what it can do. */
export const MODEL_FIELDS = graphql(`
  fragment ModelFields on ImageModel {
    id
    name
    provider
    offline
    description
    capabilities {
      tasks
      taskTypes
      fixedSizes
      sizes {
        width
        height
      }
      minSide
      maxSide
      sideStep
      maxPixels
      aspectRatios
      maxImages
      maxPromptLength
      negativePrompt
      seed
      maxSeed
      cfgScale {
        min
        max
        default
      }
      stylePresets
      qualities
    }
    defaults {
      width
      height
      count
    }
  }
`);

/** Input fields whose refusal the form shows beside the field itself. */
export const FIELDS_SHOWN_IN_FORM = ['prompt', 'negativePrompt', 'model', 'width', 'height', 'seed'] as const;

interface Props {
  models: Model[];
  /** Starting values: saved preferences, or "use these settings" from an image. */
  initial?: Partial<GenerateValues>;
  /** `variants` only when the person asked for several jobs at once (a batch). */
  onSubmit: (input: GenerateImagesInput, variants?: Variants) => void;
  submitting?: boolean;
  /** Problems from the last submit; BAD_USER_INPUT ones are shown at their field. */
  problems?: Problem[];
}

/** "1024x768" (a size option's value) as a width and height. */
function parseSize(key: string): { width: number; height: number } {
  const [width, height] = key.split('x').map(Number);
  return { width, height };
}

const sizeOption = (s: { width: number; height: number }) => ({ value: sizeKey(s.width, s.height), label: `${s.width} × ${s.height}` });

/** The two size inputs, alike but for the side they set. */
const SIDES = [
  { side: 'width', label: 'Width' },
  { side: 'height', label: 'Height' },
] as const;

/** The prompt form. Every control after the model picker follows that model's capabilities. */
export function GenerateForm({ models, initial, onSubmit, submitting = false, problems = [] }: Props) {
  const id = useId();
  const firstModel = models.find((m) => m.id === initial?.model) ?? models[0];
  const [values, setValues] = useState<GenerateValues | null>(() =>
    firstModel ? valuesForModel(firstModel, initial) : null,
  );
  // Variants: how many random seeds (1 = just this job) and which other models also run it.
  const [seedVariants, setSeedVariants] = useState(1);
  const [extraModels, setExtraModels] = useState<string[]>([]);

  // "Use these settings" can arrive after mount (navigation state): apply it when its
  // content changes, not on every new object identity.
  const initialKey = JSON.stringify(initial ?? null);
  const modelsKey = models.map((m) => m.id).join(',');
  useEffect(() => {
    if (!initial) return;
    const m = models.find((mm) => mm.id === initial.model) ?? models[0];
    if (m) setValues(valuesForModel(m, initial));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [initialKey, modelsKey]);

  const model = useMemo(() => models.find((m) => m.id === values?.model) ?? models[0], [models, values?.model]);
  if (!model || !values) {
    return <p className="text-sm text-zinc-500 dark:text-zinc-400">No image models are available.</p>;
  }
  const c = model.capabilities;
  const mode = sizeMode(model);
  const set = (patch: Partial<GenerateValues>) => setValues({ ...values, ...patch });

  const chosen = [model, ...models.filter((m) => m.id !== model.id && extraModels.includes(m.id))];
  const seedsOk = chosen.every((m) => m.capabilities.seed);
  const seedCount = seedsOk ? seedVariants : 1;
  const jobs = seedCount * chosen.length;

  const changeModel = (modelId: string) => {
    const next = models.find((m) => m.id === modelId);
    setExtraModels(extraModels.filter((m) => m !== modelId));
    // Guidance scales mean different things per model: start from the new model's default.
    if (next) setValues(valuesForModel(next, { ...values, model: modelId, cfgScale: undefined }));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!values.prompt.trim() || jobs > MAX_BATCH_JOBS) return;
    if (jobs === 1) {
      onSubmit(buildInput(values, model));
      return;
    }
    const input = buildSharedInput(values, chosen);
    const variants: Variants = {};
    if (seedCount > 1) {
      // Each variant gets its own seed: a fixed one would be overridden anyway.
      delete input.seed;
      variants.seeds = randomSeeds(seedCount, chosen);
    }
    if (chosen.length > 1) variants.models = chosen.map((m) => m.id);
    onSubmit(input, variants);
  };

  const err = (field: string) => fieldProblem(problems, field)?.detail ?? fieldProblem(problems, field)?.title;
  const fid = (name: string) => `${id}-${name}`;
  const promptLeft = c.maxPromptLength - values.prompt.length;

  return (
    <form onSubmit={submit} className="space-y-5" aria-label="Generate images">
      <div>
        <label htmlFor={fid('prompt')} className={labelClass}>
          Prompt
        </label>
        <textarea
          id={fid('prompt')}
          name="prompt"
          required
          rows={3}
          maxLength={c.maxPromptLength}
          value={values.prompt}
          onChange={(e) => set({ prompt: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit(e);
          }}
          placeholder="A lighthouse on a cliff at dusk, oil painting"
          className={`${inputClass} resize-y text-base`}
          aria-invalid={err('prompt') ? true : undefined}
          aria-describedby={`${fid('prompt-count')} ${fid('prompt-error')}`}
        />
        <div className="mt-1 flex justify-between text-xs text-zinc-500 dark:text-zinc-400">
          <FieldError id={fid('prompt-error')}>{err('prompt')}</FieldError>
          <span id={fid('prompt-count')} className="ml-auto">
            {promptLeft} characters left
          </span>
        </div>
      </div>

      {c.negativePrompt ? (
        <div>
          <label htmlFor={fid('negative')} className={labelClass}>
            Negative prompt
          </label>
          <textarea
            id={fid('negative')}
            name="negativePrompt"
            rows={2}
            maxLength={c.maxPromptLength}
            value={values.negativePrompt}
            onChange={(e) => set({ negativePrompt: e.target.value })}
            placeholder="What to leave out: blurry, text, watermark"
            className={inputClass}
            aria-describedby={fid('negative-error')}
          />
          <FieldError id={fid('negative-error')}>{err('negativePrompt')}</FieldError>
        </div>
      ) : null}

      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          className="sm:col-span-2"
          label="Model"
          name="model"
          value={model.id}
          onChange={changeModel}
          options={models.map((m) => ({ value: m.id, label: modelLabel(m) }))}
          error={err('model')}
          description={
            <>
              {model.offline ? (
                <span className="mr-1 inline-block rounded bg-amber-100 px-1.5 py-0.5 font-semibold text-amber-800 dark:bg-amber-900/50 dark:text-amber-200">
                  Offline · no AI
                </span>
              ) : null}
              {model.description}
            </>
          }
        />

        {mode === 'fixed' ? (
          <SelectField
            label="Size"
            name="size"
            value={sizeKey(values.width, values.height)}
            onChange={(v) => set(parseSize(v))}
            options={c.sizes.map(sizeOption)}
          />
        ) : mode === 'aspect' ? (
          <SelectField
            label="Aspect ratio"
            name="aspectRatio"
            value={nearestAspect(model, values.width, values.height)}
            onChange={(v) => set(sizeForAspect(model, v))}
            options={c.aspectRatios.map((r) => ({ value: r, label: r }))}
            description={`${values.width} × ${values.height} pixels`}
          />
        ) : (
          <div className="grid grid-cols-2 gap-2">
            {c.sizes.length > 0 ? (
              <SelectField
                className="col-span-2"
                label="Size preset"
                name="sizePreset"
                value={
                  c.sizes.some((s) => s.width === values.width && s.height === values.height)
                    ? sizeKey(values.width, values.height)
                    : 'custom'
                }
                onChange={(v) => {
                  if (v !== 'custom') set(parseSize(v));
                }}
                options={[...c.sizes.map(sizeOption), { value: 'custom', label: 'Custom size' }]}
              />
            ) : null}
            {SIDES.map(({ side, label }) => (
              <div key={side}>
                <label htmlFor={fid(side)} className={labelClass}>
                  {label}
                </label>
                <input
                  id={fid(side)}
                  name={side}
                  type="number"
                  min={c.minSide ?? undefined}
                  max={c.maxSide ?? undefined}
                  step={c.sideStep ?? undefined}
                  value={values[side]}
                  onChange={(e) => {
                    const value = Number(e.target.value);
                    set(side === 'width' ? { width: value } : { height: value });
                  }}
                  className={inputClass}
                  aria-describedby={fid(`${side}-error`)}
                />
                <FieldError id={fid(`${side}-error`)}>{err(side)}</FieldError>
              </div>
            ))}
          </div>
        )}

        {c.maxImages > 1 ? (
          <SelectField
            label="Number of images"
            name="count"
            value={String(values.count)}
            onChange={(v) => set({ count: Number(v) })}
            options={Array.from({ length: c.maxImages }, (_, i) => ({ value: String(i + 1), label: String(i + 1) }))}
          />
        ) : null}

        {c.stylePresets.length > 0 ? (
          <SelectField
            label="Style"
            name="stylePreset"
            value={values.stylePreset}
            onChange={(v) => set({ stylePreset: v })}
            options={[{ value: '', label: 'None' }, ...c.stylePresets.map((p) => ({ value: p, label: humanize(p) }))]}
          />
        ) : null}

        {c.qualities.length > 0 ? (
          <SelectField
            label="Quality"
            name="quality"
            value={values.quality}
            onChange={(v) => set({ quality: v })}
            options={c.qualities.map((q) => ({ value: q, label: humanize(q) }))}
          />
        ) : null}

        {c.cfgScale && values.cfgScale != null ? (
          <RangeField
            label="Guidance"
            id={fid('cfg')}
            name="cfgScale"
            min={c.cfgScale.min}
            max={c.cfgScale.max}
            step={0.5}
            value={values.cfgScale}
            onChange={(v) => set({ cfgScale: v })}
          />
        ) : null}

        {c.seed ? (
          <fieldset className="sm:col-span-2">
            <legend className={labelClass}>Seed</legend>
            <div className="flex flex-wrap items-center gap-3">
              <label className="inline-flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  name="randomSeed"
                  checked={values.randomSeed}
                  onChange={(e) => set({ randomSeed: e.target.checked })}
                  className="h-4 w-4 accent-violet-600"
                />
                Random seed
              </label>
              <label htmlFor={fid('seed')} className="sr-only">
                Seed value
              </label>
              <input
                id={fid('seed')}
                name="seed"
                type="number"
                min={0}
                max={maxSeedOf(model)}
                disabled={values.randomSeed}
                value={values.seed}
                onChange={(e) => set({ seed: Number(e.target.value) })}
                className={`${inputClass} !w-40`}
              />
              <button
                type="button"
                className={buttonSecondary}
                onClick={() => set({ randomSeed: false, seed: randomSeed(model) })}
              >
                <svg aria-hidden viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor">
                  <path d="M4 2h12a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2Zm2 3a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Zm8 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Zm-4 3.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3ZM6 12a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Zm8 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Z" />
                </svg>
                Pick a seed
              </button>
            </div>
            <FieldError id={fid('seed-error')}>{err('seed')}</FieldError>
          </fieldset>
        ) : null}
      </div>

      <fieldset className="space-y-3 rounded-xl border border-zinc-200 p-3 dark:border-zinc-800" aria-describedby={fid('variants-desc')}>
        <legend className={`${labelClass} px-1`}>Variants</legend>
        <p id={fid('variants-desc')} className="text-xs text-zinc-500 dark:text-zinc-400">
          Queue several jobs at once to compare them: the same prompt with different seeds, on other models, or both.
        </p>
        <div className="grid gap-4 sm:grid-cols-2">
          <SelectField
            label="Seed variants"
            name="seedVariants"
            value={String(seedCount)}
            disabled={!seedsOk}
            onChange={(v) => setSeedVariants(Number(v))}
            options={[
              { value: '1', label: 'Off' },
              ...Array.from({ length: MAX_SEED_VARIANTS - 1 }, (_, i) => ({ value: String(i + 2), label: `${i + 2} random seeds` })),
            ]}
            description={seedsOk ? 'Each variant gets its own random seed.' : 'Not every chosen model takes a seed.'}
          />
          {models.length > 1 ? (
            <fieldset>
              <legend className={labelClass}>Also run on</legend>
              <div className="space-y-1">
                {models
                  .filter((m) => m.id !== model.id)
                  .map((m) => (
                    <label key={m.id} className="flex items-center gap-2 text-sm">
                      <input
                        type="checkbox"
                        name="variantModels"
                        value={m.id}
                        checked={extraModels.includes(m.id)}
                        onChange={(e) =>
                          setExtraModels(e.target.checked ? [...extraModels, m.id] : extraModels.filter((x) => x !== m.id))
                        }
                        className="h-4 w-4 accent-violet-600"
                      />
                      {modelLabel(m)}
                    </label>
                  ))}
              </div>
            </fieldset>
          ) : null}
        </div>
        {jobs > 1 ? (
          <p className={`text-sm ${jobs > MAX_BATCH_JOBS ? 'text-red-600 dark:text-red-400' : 'text-zinc-600 dark:text-zinc-400'}`}>
            {jobs > MAX_BATCH_JOBS
              ? `That is ${jobs} jobs; one batch holds at most ${MAX_BATCH_JOBS}.`
              : `${jobs} jobs will be queued together${chosen.length > 1 ? ', with only the settings every chosen model supports' : ''}.`}
          </p>
        ) : null}
      </fieldset>

      <button
        type="submit"
        className={`${buttonPrimary} w-full py-3 text-base sm:w-auto`}
        disabled={submitting || !values.prompt.trim() || jobs > MAX_BATCH_JOBS}
      >
        {submitting ? 'Submitting…' : jobs > 1 ? `Generate ${jobs} variants` : 'Generate'}
      </button>
    </form>
  );
}
