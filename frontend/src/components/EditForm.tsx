import { useId, type FormEvent } from 'react';
import { graphql } from '../graphql/generated';
import { editTasks, taskHint, taskLabel, type EditModel, type EditValues, type Margins, type TaskLimits } from '../lib/editing';
import { fieldProblem, type Problem } from '../lib/errors';
import { modelLabel } from '../lib/models';
import { RangeField } from './RangeField';
import { SelectField } from './SelectField';
import { buttonPrimary, FieldError, inputClass, labelClass } from './ui';

/** What the Edit page needs of a model: which tasks it does to a picture, and their limits. */
export const EDIT_MODEL_FIELDS = graphql(`
  fragment EditModelFields on ImageModel {
    id
    name
    provider
    offline
    description
    capabilities {
      tasks
      taskLimits {
        task
        prompt
        needsSource
        mask
        maskPrompt
        strength {
          min
          max
          default
        }
        maxOutpaint
        upscaleFactor {
          min
          max
          default
        }
        minSourceSide
        maxSourceSide
        maxSourcePixels
      }
    }
  }
`);

const SIDES: ReadonlyArray<{ side: keyof Margins; label: string }> = [
  { side: 'left', label: 'Left' },
  { side: 'right', label: 'Right' },
  { side: 'top', label: 'Top' },
  { side: 'bottom', label: 'Bottom' },
];

interface Props {
  /** Only models that edit pictures. */
  models: EditModel[];
  values: EditValues;
  /** A new model or task: the page recomputes the values it starts with. */
  onPick: (model: EditModel, limits: TaskLimits) => void;
  onChange: (patch: Partial<EditValues>) => void;
  onSubmit: () => void;
  /** The picture's size, for the result size an upscale gives. */
  source: { width: number; height: number };
  /** Why the task cannot run yet (shown by the Run button), or null. */
  blocked: string | null;
  submitting: boolean;
  /** Problems from the last run; BAD_USER_INPUT ones are shown at their field. */
  problems: Problem[];
}

/** Model, task and the task's own parameters: each control follows the task's limits. */
export function EditForm({ models, values, onPick, onChange, onSubmit, source, blocked, submitting, problems }: Props) {
  const id = useId();
  const model = models.find((m) => m.id === values.model) ?? models[0];
  const tasks = editTasks(model);
  const limits = tasks.find((t) => t.task === values.task) ?? tasks[0];
  const err = (field: string) => fieldProblem(problems, field)?.detail ?? fieldProblem(problems, field)?.title;
  const fid = (name: string) => `${id}-${name}`;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!blocked && !submitting) onSubmit();
  };

  return (
    <form onSubmit={submit} className="space-y-5" aria-label="Edit the picture">
      <SelectField
        label="Model"
        name="model"
        value={model.id}
        onChange={(v) => {
          const next = models.find((m) => m.id === v);
          // Keep the task when the new model has it too.
          const nextTasks = next ? editTasks(next) : [];
          if (next && nextTasks.length > 0) onPick(next, nextTasks.find((t) => t.task === values.task) ?? nextTasks[0]);
        }}
        options={models.map((m) => ({ value: m.id, label: modelLabel(m) }))}
        description={model.description}
      />
      <SelectField
        label="Task"
        name="task"
        value={limits.task}
        onChange={(v) => {
          const next = tasks.find((t) => t.task === v);
          if (next) onPick(model, next);
        }}
        options={tasks.map((t) => ({ value: t.task, label: taskLabel(t.task) }))}
        description={taskHint(limits.task)}
        error={err('task')}
      />

      {limits.prompt !== 'NONE' ? (
        <div>
          <label htmlFor={fid('prompt')} className={labelClass}>
            Prompt
          </label>
          <textarea
            id={fid('prompt')}
            name="prompt"
            rows={2}
            required={limits.prompt === 'REQUIRED'}
            value={values.prompt}
            onChange={(e) => onChange({ prompt: e.target.value })}
            placeholder={limits.mask !== 'NONE' ? 'What to paint in the masked area' : 'What the picture should become'}
            className={inputClass}
            aria-invalid={err('prompt') ? true : undefined}
            aria-describedby={`${fid('prompt-note')} ${fid('prompt-error')}`}
          />
          <p id={fid('prompt-note')} className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            {limits.prompt === 'REQUIRED' ? 'Required.' : 'Optional.'}
          </p>
          <FieldError id={fid('prompt-error')}>{err('prompt')}</FieldError>
        </div>
      ) : null}

      {limits.maskPrompt !== 'NONE' ? (
        <div>
          <label htmlFor={fid('mask-prompt')} className={labelClass}>
            What to change
          </label>
          <input
            id={fid('mask-prompt')}
            name="maskPrompt"
            required={limits.maskPrompt === 'REQUIRED'}
            value={values.maskPrompt}
            onChange={(e) => onChange({ maskPrompt: e.target.value })}
            placeholder="e.g. the red car"
            className={inputClass}
            aria-invalid={err('maskPrompt') ? true : undefined}
            aria-describedby={`${fid('mask-prompt-note')} ${fid('mask-prompt-error')}`}
          />
          <p id={fid('mask-prompt-note')} className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            Name it in words: the model finds it in the picture{limits.mask !== 'NONE' ? ', instead of a painted mask' : ''}.
            {limits.maskPrompt === 'REQUIRED' ? ' Required.' : ' Optional.'}
          </p>
          <FieldError id={fid('mask-prompt-error')}>{err('maskPrompt')}</FieldError>
        </div>
      ) : null}

      {limits.strength && values.strength != null ? (
        <RangeField
          label="Strength"
          id={fid('strength')}
          name="strength"
          min={limits.strength.min}
          max={limits.strength.max}
          step={0.05}
          value={values.strength}
          formatValue={(v) => v.toFixed(2)}
          onChange={(v) => onChange({ strength: v })}
          description="How far the result may move away from the picture: low stays close to it."
          error={err('strength')}
        />
      ) : null}

      {limits.maxOutpaint != null ? (
        <fieldset aria-describedby={`${fid('outpaint-note')} ${fid('outpaint-error')}`}>
          <legend className={labelClass}>Pixels to add</legend>
          <div className="grid grid-cols-2 gap-2 sm:grid-cols-4">
            {SIDES.map(({ side, label }) => (
              <div key={side}>
                <label htmlFor={fid(side)} className="mb-1 block text-xs font-medium text-zinc-600 dark:text-zinc-400">
                  {label}
                </label>
                <input
                  id={fid(side)}
                  name={`outpaint-${side}`}
                  type="number"
                  min={0}
                  max={limits.maxOutpaint ?? undefined}
                  step={8}
                  value={values.outpaint[side]}
                  onChange={(e) => onChange({ outpaint: { ...values.outpaint, [side]: Math.max(0, Number(e.target.value)) } })}
                  className={inputClass}
                />
              </div>
            ))}
          </div>
          <p id={fid('outpaint-note')} className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            At most {limits.maxOutpaint} pixels a side. The result is {source.width + values.outpaint.left + values.outpaint.right} ×{' '}
            {source.height + values.outpaint.top + values.outpaint.bottom} pixels.
          </p>
          <FieldError id={fid('outpaint-error')}>{err('outpaint')}</FieldError>
        </fieldset>
      ) : null}

      {limits.upscaleFactor && values.upscaleFactor != null ? (
        <RangeField
          label="Upscale factor"
          id={fid('upscale')}
          name="upscaleFactor"
          min={limits.upscaleFactor.min}
          max={limits.upscaleFactor.max}
          step={0.5}
          value={values.upscaleFactor}
          formatValue={(v) => `${v}×`}
          onChange={(v) => onChange({ upscaleFactor: v })}
          description={`The result is ${Math.round(source.width * values.upscaleFactor)} × ${Math.round(source.height * values.upscaleFactor)} pixels.`}
          error={err('upscaleFactor')}
        />
      ) : null}

      <div className="flex flex-wrap items-center gap-3">
        <button
          type="submit"
          className={`${buttonPrimary} py-3 text-base`}
          disabled={!!blocked || submitting}
          aria-describedby={blocked ? fid('blocked') : undefined}
        >
          {submitting ? 'Sending…' : 'Run'}
        </button>
        {blocked ? (
          <span id={fid('blocked')} className="text-sm text-zinc-600 dark:text-zinc-400">
            {blocked}
          </span>
        ) : null}
      </div>
    </form>
  );
}
