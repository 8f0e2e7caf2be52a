import { useEffect, useId, useRef, useState, type Dispatch, type KeyboardEvent, type PointerEvent, type SetStateAction } from 'react';
import { drawStrokes, type Stroke } from '../lib/mask';
import { buttonSecondary, labelClass, pictureBox } from './ui';

interface Props {
  picture: { url: string; alt: string; width: number; height: number };
  strokes: Stroke[];
  onChange: Dispatch<SetStateAction<Stroke[]>>;
}

/** The screen canvas is at most this many pixels a side; the exported mask is full size. */
const MAX_SCREEN_SIDE = 1024;
const PAINT_COLOR = '#8b5cf6';

const KEY_MOVES: Record<string, readonly [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

/**
 * Paint over the picture where it should change. Strokes are kept in the picture's own
 * pixels, so the mask exports at its exact size whatever size it is shown at. By keyboard:
 * the arrows move the brush, Space paints a dot, Shift + arrow paints as it moves.
 */
export function MaskPainter({ picture, strokes, onChange }: Props) {
  const id = useId();
  const canvas = useRef<HTMLCanvasElement>(null);
  const painting = useRef(false);
  const longSide = Math.max(picture.width, picture.height);
  const [diameter, setDiameter] = useState(() => Math.max(2, Math.round(longSide / 12)));
  const [erasing, setErasing] = useState(false);
  const [cursor, setCursor] = useState<{ x: number; y: number } | null>(null);
  const [keyboardAt, setKeyboardAt] = useState({ x: picture.width / 2, y: picture.height / 2 });
  const scale = Math.min(1, MAX_SCREEN_SIDE / longSide);
  const radius = diameter / 2;

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (ctx) drawStrokes(ctx, strokes, scale, PAINT_COLOR);
  }, [strokes, scale]);

  /** Where a pointer is, in the picture's pixels. */
  const pointAt = (e: PointerEvent): [number, number] | null => {
    const box = canvas.current?.getBoundingClientRect();
    if (!box || box.width === 0 || box.height === 0) return null;
    return [((e.clientX - box.left) / box.width) * picture.width, ((e.clientY - box.top) / box.height) * picture.height];
  };

  const startStroke = (p: readonly [number, number]) =>
    onChange((prev) => [...prev, { erase: erasing, radius, points: [p] }]);
  const extendStroke = (p: readonly [number, number]) =>
    onChange((prev) => {
      const last = prev[prev.length - 1];
      return last ? [...prev.slice(0, -1), { ...last, points: [...last.points, p] }] : prev;
    });

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      startStroke([keyboardAt.x, keyboardAt.y]);
      return;
    }
    const move = KEY_MOVES[e.key];
    if (!move) return;
    e.preventDefault();
    const step = Math.max(1, radius);
    const next = {
      x: Math.min(Math.max(keyboardAt.x + move[0] * step, 0), picture.width),
      y: Math.min(Math.max(keyboardAt.y + move[1] * step, 0), picture.height),
    };
    if (e.shiftKey) onChange((prev) => [...prev, { erase: erasing, radius, points: [[keyboardAt.x, keyboardAt.y], [next.x, next.y]] }]);
    setKeyboardAt(next);
    setCursor(next);
  };

  return (
    <div className="space-y-3">
      <div className="relative mx-auto overflow-hidden rounded-xl bg-zinc-100 dark:bg-zinc-800" style={pictureBox(picture.width, picture.height)}>
        <img src={picture.url} alt={picture.alt} width={picture.width} height={picture.height} className="absolute inset-0 h-full w-full" draggable={false} />
        <canvas
          ref={canvas}
          width={Math.round(picture.width * scale)}
          height={Math.round(picture.height * scale)}
          tabIndex={0}
          role="application"
          aria-label="Mask"
          aria-describedby={`${id}-help`}
          className="absolute inset-0 h-full w-full cursor-crosshair touch-none opacity-60 focus-visible:outline-none focus-visible:ring-4 focus-visible:ring-inset focus-visible:ring-violet-400"
          onPointerDown={(e) => {
            const p = pointAt(e);
            if (!p) return;
            painting.current = true;
            e.currentTarget.setPointerCapture?.(e.pointerId);
            startStroke(p);
          }}
          onPointerMove={(e) => {
            const p = pointAt(e);
            if (!p) return;
            setCursor({ x: p[0], y: p[1] });
            if (painting.current) extendStroke(p);
          }}
          onPointerUp={() => {
            painting.current = false;
          }}
          onPointerLeave={() => setCursor(null)}
          onFocus={() => setCursor(keyboardAt)}
          onBlur={() => setCursor(null)}
          onKeyDown={onKeyDown}
        />
        {cursor ? (
          <div
            aria-hidden
            className="pointer-events-none absolute aspect-square -translate-x-1/2 -translate-y-1/2 rounded-full border-2 border-white shadow-[0_0_0_1px_rgba(0,0,0,0.5)]"
            style={{ left: `${(cursor.x / picture.width) * 100}%`, top: `${(cursor.y / picture.height) * 100}%`, width: `${(diameter / picture.width) * 100}%` }}
          />
        ) : null}
      </div>
      <p id={`${id}-help`} className="text-xs text-zinc-500 dark:text-zinc-400">
        Paint over what should change. Keyboard: arrow keys move the brush, Space paints, Shift + arrows paint a line.
      </p>
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-40 flex-1">
          <label htmlFor={`${id}-size`} className={labelClass}>
            Brush size <span className="font-normal text-zinc-500 dark:text-zinc-400">({diameter} px)</span>
          </label>
          <input
            id={`${id}-size`}
            type="range"
            min={2}
            max={Math.max(4, Math.round(longSide / 3))}
            value={diameter}
            onChange={(e) => setDiameter(Number(e.target.value))}
            className="w-full accent-violet-600"
          />
        </div>
        <button type="button" className={buttonSecondary} aria-pressed={erasing} onClick={() => setErasing(!erasing)}>
          <span aria-hidden>{erasing ? '◐' : '○'}</span>
          Eraser
        </button>
        <button type="button" className={buttonSecondary} disabled={strokes.length === 0} onClick={() => onChange([])}>
          Clear mask
        </button>
      </div>
    </div>
  );
}
