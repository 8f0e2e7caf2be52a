import { inflateSync } from 'node:zlib';

/** Reads an 8-bit greyscale PNG whose rows are unfiltered, as `encodeGreyPng` writes them. */
export async function decodeGreyPng(blob: Blob): Promise<{ width: number; height: number; at: (x: number, y: number) => number }> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const view = new DataView(bytes.buffer);
  if (String.fromCharCode(...bytes.subarray(1, 4)) !== 'PNG') throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      if (data[8] !== 8 || data[9] !== 0) throw new Error(`not 8-bit greyscale: depth ${data[8]}, colour type ${data[9]}`);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const rows = inflateSync(Buffer.concat(idat));
  if (rows.length !== (width + 1) * height) throw new Error(`${rows.length} bytes for ${width} × ${height}`);
  return {
    width,
    height,
    at: (x, y) => {
      if (rows[y * (width + 1)] !== 0) throw new Error(`row ${y} is filtered`);
      return rows[y * (width + 1) + 1 + x];
    },
  };
}
