import type {
  EditModelFieldsFragment,
  GenerateImagesInput,
  GenerationTask,
  ImageSourceInput,
} from '../graphql/generated/graphql';
import { humanize } from './models';

export type EditModel = EditModelFieldsFragment;
export type TaskLimits = EditModel['capabilities']['taskLimits'][number];

/** What each task is called, and what it does in a sentence. */
const TASKS: Partial<Record<GenerationTask, { label: string; hint: string }>> = {
  TEXT_TO_IMAGE: { label: 'Text to image', hint: 'Draws from the prompt alone.' },
  IMAGE_TO_IMAGE: { label: 'Image to image', hint: 'Redraws the whole picture after the prompt.' },
  VARIATION: { label: 'Variation', hint: 'Makes a new picture like this one.' },
  INPAINT: { label: 'Inpaint', hint: 'Repaints the area you paint, after the prompt.' },
  OUTPAINT: { label: 'Outpaint', hint: 'Extends the picture on its sides.' },
  ERASE: { label: 'Erase', hint: 'Removes what you paint over and fills in what was behind it.' },
  REMOVE_BACKGROUND: { label: 'Remove background', hint: 'Keeps the subject on a transparent background.' },
  UPSCALE: { label: 'Upscale', hint: 'Makes the picture larger.' },
  SEARCH_REPLACE: { label: 'Search and replace', hint: 'Replaces what you name with what the prompt describes.' },
  SEARCH_RECOLOR: { label: 'Search and recolor', hint: 'Recolors what you name as the prompt says.' },
};

// The server may list tasks added after this build (models offer more over time): those
// are named from their enum value.
export function taskLabel(task: GenerationTask): string {
  return TASKS[task]?.label ?? humanize(task);
}

export function taskHint(task: GenerationTask): string {
  return TASKS[task]?.hint ?? '';
}

/** Whether a model can do anything to a picture besides drawing one from text. */
export function editsPictures(model: EditModel): boolean {
  return model.capabilities.tasks.some((t) => t !== 'TEXT_TO_IMAGE');
}

/** The tasks that start from a picture, in the model's order. */
export function editTasks(model: EditModel): TaskLimits[] {
  return model.capabilities.taskLimits.filter((t) => t.task !== 'TEXT_TO_IMAGE');
}

export type Margins = { left: number; right: number; top: number; bottom: number };

/** The Edit form's state. Values the task does not take are kept but never sent. */
export interface EditValues {
  model: string;
  task: GenerationTask;
  prompt: string;
  maskPrompt: string;
  strength: number | null;
  outpaint: Margins;
  upscaleFactor: number | null;
}

const NO_MARGINS: Margins = { left: 0, right: 0, top: 0, bottom: 0 };

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** The values a model and task start with, keeping what still fits from `prev`. */
export function valuesForTask(model: EditModel, limits: TaskLimits, prev?: Partial<EditValues>): EditValues {
  const { strength, upscaleFactor, maxOutpaint } = limits;
  const margins = prev?.outpaint ?? NO_MARGINS;
  return {
    model: model.id,
    task: limits.task,
    prompt: prev?.prompt ?? '',
    maskPrompt: prev?.maskPrompt ?? '',
    strength: strength ? clamp(prev?.strength ?? strength.default, strength.min, strength.max) : null,
    outpaint: {
      left: clamp(margins.left, 0, maxOutpaint ?? 0),
      right: clamp(margins.right, 0, maxOutpaint ?? 0),
      top: clamp(margins.top, 0, maxOutpaint ?? 0),
      bottom: clamp(margins.bottom, 0, maxOutpaint ?? 0),
    },
    // A factor is a choice about this picture's size, not a preference: start from the default.
    upscaleFactor: upscaleFactor ? upscaleFactor.default : null,
  };
}

/** Why the task cannot run yet, in words that say what to do; null when it can. */
export function missingInput(values: EditValues, limits: TaskLimits, hasMask: boolean): string | null {
  if (limits.mask === 'REQUIRED' && !hasMask) return 'Paint the area to change on the picture.';
  if (limits.maskPrompt === 'REQUIRED' && !values.maskPrompt.trim()) return 'Say what to change.';
  if (limits.prompt === 'REQUIRED' && !values.prompt.trim()) return 'Write a prompt.';
  if (limits.maxOutpaint != null && Object.values(values.outpaint).every((m) => m === 0)) {
    return 'Add pixels on at least one side.';
  }
  return null;
}

/** Why this picture does not fit the task's limits, or null when it does. */
export function sourceProblem(limits: TaskLimits, width: number, height: number): string | null {
  const { minSourceSide, maxSourceSide, maxSourcePixels } = limits;
  const what = `This picture is ${width} × ${height} pixels; ${taskLabel(limits.task)} takes`;
  if (Math.min(width, height) < minSourceSide) return `${what} pictures at least ${minSourceSide} pixels a side.`;
  if (Math.max(width, height) > maxSourceSide) return `${what} pictures at most ${maxSourceSide} pixels a side.`;
  if (width * height > maxSourcePixels) {
    return `${what} at most ${(maxSourcePixels / 1e6).toFixed(1)} megapixels.`;
  }
  return null;
}

/** The mutation input: only what this task takes, so the server never has to refuse it. */
export function buildEditInput(
  values: EditValues,
  limits: TaskLimits,
  source: ImageSourceInput,
  mask: ImageSourceInput | null,
  idempotencyKey: string,
): GenerateImagesInput {
  // `prompt` is required by the API; tasks that take none get an empty one.
  const input: GenerateImagesInput = {
    model: values.model,
    task: values.task,
    source,
    prompt: limits.prompt === 'NONE' ? '' : values.prompt.trim(),
    idempotencyKey,
  };
  if (limits.mask !== 'NONE' && mask) input.mask = mask;
  if (limits.maskPrompt !== 'NONE' && values.maskPrompt.trim()) input.maskPrompt = values.maskPrompt.trim();
  if (limits.strength && values.strength != null) input.strength = values.strength;
  if (limits.maxOutpaint != null) input.outpaint = values.outpaint;
  if (limits.upscaleFactor && values.upscaleFactor != null) input.upscaleFactor = values.upscaleFactor;
  return input;
}

/** Input fields whose refusal the form shows beside the field itself. */
export const EDIT_FIELDS_SHOWN_IN_FORM = ['prompt', 'maskPrompt', 'strength', 'outpaint', 'upscaleFactor'] as const;
