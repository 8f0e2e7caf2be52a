/**
 * A painted mask, kept as the strokes that made it (in the source picture's pixels), so it
 * can be drawn on screen at any scale and exported at exactly the source's size.
 */
export interface Stroke {
  /** An eraser stroke takes back what earlier strokes painted. */
  erase: boolean;
  radius: number;
  /** One point is a dot; more are a line through them. */
  points: ReadonlyArray<readonly [number, number]>;
}

export function hasPaint(strokes: readonly Stroke[]): boolean {
  return strokes.some((s) => !s.erase);
}

/** Draws the strokes onto a canvas whose pixels are `scale` times the source's. */
export function drawStrokes(ctx: CanvasRenderingContext2D, strokes: readonly Stroke[], scale: number, color: string) {
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.save();
  ctx.scale(scale, scale);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const s of strokes) {
    ctx.globalCompositeOperation = s.erase ? 'destination-out' : 'source-over';
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    const [first, ...rest] = s.points;
    if (!first) continue;
    if (rest.length === 0) {
      ctx.beginPath();
      ctx.arc(first[0], first[1], s.radius, 0, Math.PI * 2);
      ctx.fill();
      continue;
    }
    ctx.lineWidth = s.radius * 2;
    ctx.beginPath();
    ctx.moveTo(first[0], first[1]);
    for (const [x, y] of rest) ctx.lineTo(x, y);
    ctx.stroke();
  }
  ctx.restore();
}

/**
 * The mask as one byte a pixel, 255 where the strokes painted and 0 elsewhere: a pixel is
 * painted when its centre lies within `radius` of a stroke's line, the same shape the
 * canvas draws with round caps and joins.
 */
export function rasterizeMask(strokes: readonly Stroke[], width: number, height: number): Uint8Array {
  const pixels = new Uint8Array(width * height);
  for (const s of strokes) {
    const value = s.erase ? 0 : 255;
    const segments = s.points.length === 1 ? [[s.points[0], s.points[0]] as const] : s.points.slice(1).map((p, i) => [s.points[i], p] as const);
    for (const [[ax, ay], [bx, by]] of segments) {
      const r2 = s.radius * s.radius;
      const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - s.radius));
      const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + s.radius));
      const y0 = Math.max(0, Math.floor(Math.min(ay, by) - s.radius));
      const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + s.radius));
      const dx = bx - ax;
      const dy = by - ay;
      const len2 = dx * dx + dy * dy;
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const px = x + 0.5 - ax;
          const py = y + 0.5 - ay;
          // Distance from the pixel's centre to the nearest point of the segment.
          const t = len2 === 0 ? 0 : Math.min(Math.max((px * dx + py * dy) / len2, 0), 1);
          const ex = px - t * dx;
          const ey = py - t * dy;
          if (ex * ex + ey * ey <= r2) pixels[y * width + x] = value;
        }
      }
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * An 8-bit greyscale PNG of these pixels. Written by hand rather than through a canvas:
 * a canvas would smooth the edges and premultiply alpha, and the mask must be exact.
 */
async function encodeGreyPng(pixels: Uint8Array, width: number, height: number): Promise<Blob> {
  // Each row starts with its filter type, 0 (none).
  const rows = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) rows.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  // PNG's IDAT is a zlib stream, which is what the browser's 'deflate' format writes.
  const zlib = new Uint8Array(await new Response(new Response(rows).body!.pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 0, 0, 0, 0], 8); // 8 bits a pixel, greyscale, deflate, no filter set, not interlaced
  const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const parts = [signature, chunk('IHDR', header), chunk('IDAT', zlib), chunk('IEND', new Uint8Array())];
  return new Blob(parts, { type: 'image/png' });
}

/** The mask to upload: white where painted, black elsewhere, at the source's size. */
export function maskPng(strokes: readonly Stroke[], width: number, height: number): Promise<Blob> {
  return encodeGreyPng(rasterizeMask(strokes, width, height), width, height);
}
