import { useState, type ReactNode } from 'react';
import { buttonSecondary } from './ui';

interface Props {
  secret: string;
  /** What to do with it, e.g. "Copy this key now. It will not be shown again." */
  title: string;
  copyLabel: string;
  testId: string;
  onDone: () => void;
  children?: ReactNode;
}

/** A secret the server shows only once (API key, webhook signing secret), with Copy and Done. */
export function OneTimeSecret({ secret, title, copyLabel, testId, onDone, children }: Props) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="mt-4 rounded-xl border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950/50">
      <p className="font-medium text-emerald-900 dark:text-emerald-200">{title}</p>
      {children}
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <code className="break-all rounded bg-white px-2 py-1 font-mono text-xs dark:bg-zinc-900" data-testid={testId}>{secret}</code>
        <button
          type="button"
          className={buttonSecondary}
          onClick={() => navigator.clipboard.writeText(secret).then(() => setCopied(true), () => undefined)}
        >
          {copied ? 'Copied!' : copyLabel}
        </button>
        <button type="button" className={buttonSecondary} onClick={onDone}>Done</button>
      </div>
    </div>
  );
}
