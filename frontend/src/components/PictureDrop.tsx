import { useState, type DragEvent } from 'react';
import { fileProblem, formatBytes, MAX_UPLOAD_BYTES, readPicture, UPLOAD_TYPES, type LocalPicture } from '../lib/uploads';

interface Props {
  onPicture: (picture: LocalPicture) => void;
}

/**
 * Drop a picture here or choose one: a file of the wrong type or size is refused on the
 * spot, before anything is sent.
 */
export function PictureDrop({ onPicture }: Props) {
  const [over, setOver] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const take = async (file: File | undefined) => {
    if (!file) return;
    const refused = fileProblem(file);
    setProblem(refused);
    if (refused) return;
    try {
      onPicture(await readPicture(file));
    } catch (e) {
      setProblem((e as Error).message);
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void take(e.dataTransfer.files[0]);
  };

  return (
    <div
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      className={`flex flex-col items-center justify-center gap-3 rounded-2xl border-2 border-dashed px-6 py-14 text-center transition-colors ${
        over ? 'border-violet-500 bg-violet-50 dark:bg-violet-500/10' : 'border-zinc-300 dark:border-zinc-700'
      }`}
    >
      <svg aria-hidden viewBox="0 0 24 24" className="h-10 w-10 text-violet-500" fill="none" stroke="currentColor" strokeWidth={1.5}>
        <path strokeLinecap="round" strokeLinejoin="round" d="M3 16.5v2.25A2.25 2.25 0 0 0 5.25 21h13.5A2.25 2.25 0 0 0 21 18.75V16.5M16.5 7.5 12 3m0 0L7.5 7.5M12 3v13.5" />
      </svg>
      <p className="font-medium">Drop a picture here</p>
      <label className="inline-flex cursor-pointer items-center justify-center rounded-lg bg-violet-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-violet-700 focus-within:ring-2 focus-within:ring-violet-400 focus-within:ring-offset-2 dark:focus-within:ring-offset-zinc-950">
        Choose a picture
        <input
          type="file"
          name="picture"
          accept={UPLOAD_TYPES.join(',')}
          className="sr-only"
          onChange={(e) => {
            void take(e.target.files?.[0]);
            // Choosing the same file again after a refusal should try again.
            e.target.value = '';
          }}
        />
      </label>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">PNG, JPEG or WebP, at most {formatBytes(MAX_UPLOAD_BYTES)}.</p>
      {problem ? (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm font-medium text-red-800 dark:bg-red-950/60 dark:text-red-200">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
