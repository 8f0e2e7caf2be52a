import { useId, type ReactNode } from 'react';
import { FieldError, inputClass, labelClass } from './ui';

interface SelectOption {
  value: string;
  label: string;
}

interface Props {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  options: readonly SelectOption[];
  /** The form field name (also what the e2e test and autofill see). */
  name?: string;
  disabled?: boolean;
  /** A line under the select that screen readers read with it. */
  description?: ReactNode;
  /** Why the server refused this field, shown under it. */
  error?: string;
  className?: string;
}

/** A labelled select with its description and error: every select of the forms is one. */
export function SelectField({ label, value, onChange, options, name, disabled, description, error, className }: Props) {
  const id = useId();
  const describedBy = [description ? `${id}-desc` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className={className}>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      <select
        id={id}
        name={name}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        className={inputClass}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {description ? (
        <p id={`${id}-desc`} className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
          {description}
        </p>
      ) : null}
      <FieldError id={`${id}-error`}>{error}</FieldError>
    </div>
  );
}
