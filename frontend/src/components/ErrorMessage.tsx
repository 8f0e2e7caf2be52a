import { describeError, type Problem } from '../lib/errors';

interface Props {
  error?: unknown;
  problems?: Problem[];
  className?: string;
}

/** Shows an API failure as one alert per problem, keyed by its `extensions.code`. */
export function ErrorMessage({ error, problems, className = '' }: Props) {
  const list = problems ?? describeError(error);
  if (list.length === 0) return null;
  return (
    <div
      role="alert"
      className={`rounded-xl border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950/60 dark:text-red-200 ${className}`}
    >
      {list.map((p, i) => (
        <p key={i} data-code={p.code}>
          <span className="font-semibold">{p.title}</span>
          {p.detail ? <span> {p.detail}</span> : null}
        </p>
      ))}
    </div>
  );
}
