import { describe, expect, it } from 'vitest';
import { decodeGreyPng } from '../test/png';
import { hasPaint, maskPng, rasterizeMask } from './mask';

describe('the mask', () => {
  it('is white within the brush of a stroke and black elsewhere', () => {
    const pixels = rasterizeMask([{ erase: false, radius: 2, points: [[2, 5], [8, 5]] }], 12, 10);
    const at = (x: number, y: number) => pixels[y * 12 + x];
    expect(at(5, 5)).toBe(255);
    expect(at(5, 3)).toBe(255);
    expect(at(5, 7)).toBe(0);
    expect(at(10, 5)).toBe(0);
    expect(at(0, 0)).toBe(0);
  });

  it('takes back painted pixels under an eraser stroke, in order', () => {
    const strokes = [
      { erase: false, radius: 3, points: [[5, 5]] as [number, number][] },
      { erase: true, radius: 1, points: [[5, 5]] as [number, number][] },
    ];
    const pixels = rasterizeMask(strokes, 10, 10);
    expect(pixels[5 * 10 + 5]).toBe(0);
    expect(pixels[5 * 10 + 3]).toBe(255);
    expect(hasPaint(strokes)).toBe(true);
    expect(hasPaint([strokes[1]])).toBe(false);
  });

  it('exports as a greyscale PNG of exactly the given size', async () => {
    const png = await maskPng([{ erase: false, radius: 4, points: [[30, 20]] }], 40, 25);
    expect(png.type).toBe('image/png');
    const image = await decodeGreyPng(png);
    expect([image.width, image.height]).toEqual([40, 25]);
    expect(image.at(30, 20)).toBe(255);
    expect(image.at(30, 24)).toBe(0);
    expect(image.at(0, 0)).toBe(0);
  });
});
