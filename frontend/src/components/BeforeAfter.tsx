import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { pictureBox } from './ui';

interface Picture {
  url: string;
  alt: string;
}

/** Where the before picture sits within the after one, in percent (outpainting adds margins). */
export interface Placement {
  left: number;
  top: number;
  width: number;
  height: number;
}

const WHOLE: Placement = { left: 0, top: 0, width: 100, height: 100 };

interface Props {
  before: Picture;
  /** The result, whose size sets the frame's. */
  after: Picture & { width: number; height: number };
  placement?: Placement;
}

// Arrow keys move the divider by a small step, Page Up/Down by a large one.
const STEP = 5;
const PAGE = 25;

/**
 * The result with the source over its left part, split at a divider that follows the
 * pointer or the keyboard (it is a slider: arrows, Page Up/Down, Home, End).
 */
export function BeforeAfter({ before, after, placement = WHOLE }: Props) {
  const [split, setSplit] = useState(50);
  const area = useRef<HTMLDivElement>(null);
  const dragging = useRef(false);

  const follow = (e: PointerEvent) => {
    const box = area.current?.getBoundingClientRect();
    if (!box || box.width === 0) return;
    setSplit(Math.round(Math.min(Math.max(((e.clientX - box.left) / box.width) * 100, 0), 100)));
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const next: Record<string, number> = {
      ArrowLeft: split - STEP,
      ArrowDown: split - STEP,
      ArrowRight: split + STEP,
      ArrowUp: split + STEP,
      PageDown: split - PAGE,
      PageUp: split + PAGE,
      Home: 0,
      End: 100,
    };
    if (!(e.key in next)) return;
    e.preventDefault();
    setSplit(Math.min(Math.max(next[e.key], 0), 100));
  };

  // The before picture is clipped to the part of the frame left of the divider.
  const clipRight = Math.min(Math.max(((placement.left + placement.width - split) / placement.width) * 100, 0), 100);

  const box = pictureBox(after.width, after.height);
  return (
    <figure className="mx-auto space-y-2" style={{ width: box.width }}>
      <div
        ref={area}
        style={{ aspectRatio: box.aspectRatio }}
        className="relative touch-none select-none overflow-hidden rounded-xl bg-[repeating-conic-gradient(#d4d4d8_0_25%,#fafafa_0_50%)] bg-[length:20px_20px] dark:bg-[repeating-conic-gradient(#3f3f46_0_25%,#27272a_0_50%)]"
        onPointerDown={(e) => {
          dragging.current = true;
          e.currentTarget.setPointerCapture?.(e.pointerId);
          follow(e);
        }}
        onPointerMove={(e) => {
          if (dragging.current) follow(e);
        }}
        onPointerUp={() => {
          dragging.current = false;
        }}
      >
        <img src={after.url} alt={after.alt} className="absolute inset-0 h-full w-full" draggable={false} />
        <img
          src={before.url}
          alt={before.alt}
          draggable={false}
          className="absolute"
          style={{
            left: `${placement.left}%`,
            top: `${placement.top}%`,
            width: `${placement.width}%`,
            height: `${placement.height}%`,
            clipPath: `inset(0 ${clipRight}% 0 0)`,
          }}
        />
        <div className="pointer-events-none absolute inset-y-0 w-0.5 -translate-x-1/2 bg-white shadow-[0_0_0_1px_rgba(0,0,0,0.4)]" style={{ left: `${split}%` }} aria-hidden />
        <div
          role="slider"
          tabIndex={0}
          aria-label="Before and after"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={split}
          aria-valuetext={`${split}% before, ${100 - split}% after`}
          onKeyDown={onKeyDown}
          className="absolute top-1/2 flex h-10 w-10 -translate-x-1/2 -translate-y-1/2 cursor-ew-resize items-center justify-center rounded-full border-2 border-white bg-violet-600 text-white shadow-lg focus-visible:outline-none focus-visible:ring-4 focus-visible:ring-violet-300"
          style={{ left: `${split}%` }}
        >
          <svg aria-hidden viewBox="0 0 20 20" className="h-5 w-5" fill="currentColor">
            <path d="M7 5 2 10l5 5V5Zm6 0v10l5-5-5-5Z" />
          </svg>
        </div>
      </div>
      <figcaption className="flex justify-between text-xs font-medium text-zinc-600 dark:text-zinc-400">
        <span>Before</span>
        <span>After</span>
      </figcaption>
    </figure>
  );
}
