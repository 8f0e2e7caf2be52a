import { useId, type ReactNode } from 'react';
import { FieldError, labelClass } from './ui';

interface Props {
  label: ReactNode;
  value: number;
  onChange: (value: number) => void;
  min: number;
  max: number;
  step: number;
  /** How the value shown in brackets beside the label reads; the bare number by default. */
  formatValue?: (value: number) => ReactNode;
  /** The form field name (also what the e2e test and autofill see). */
  name?: string;
  /** The slider's id, also the prefix of its note's and error's; a generated one by default. */
  id?: string;
  disabled?: boolean;
  /** A line under the slider that screen readers read with it. */
  description?: ReactNode;
  /** Why the server refused this field, shown under it. */
  error?: string;
  className?: string;
}

/**
 * A labelled slider (a native range input, so the keyboard works) with its current value
 * beside the label, its description and error: every slider of the forms is one.
 */
export function RangeField({
  label,
  value,
  onChange,
  min,
  max,
  step,
  formatValue = (v) => v,
  name,
  id: givenId,
  disabled,
  description,
  error,
  className,
}: Props) {
  const generatedId = useId();
  const id = givenId ?? generatedId;
  const describedBy = [description ? `${id}-note` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className={className}>
      <label htmlFor={id} className={labelClass}>
        {label} <span className="font-normal text-zinc-500 dark:text-zinc-400">({formatValue(value)})</span>
      </label>
      <input
        id={id}
        name={name}
        type="range"
        min={min}
        max={max}
        step={step}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(Number(e.target.value))}
        className="w-full accent-violet-600"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {description ? (
        <p id={`${id}-note`} className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
          {description}
        </p>
      ) : null}
      <FieldError id={`${id}-error`}>{error}</FieldError>
    </div>
  );
}
