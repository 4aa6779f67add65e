// EXIF orientation: the Worker turns a photo upright exactly as the trainer's decoder (sharp, which
// applies the tag) does, also where the tag is easy to miss: after 0xFF fill bytes in a JPEG, in a
// PNG's eXIf chunk. The trainer's upright pixels come from global-setup (orientation-fixtures.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import type { RawImage } from '../../models/contract/preprocess';
import { decodeImage } from '../src/image/decode';
import { readImageHeader } from '../src/image/header';
import { applyOrientation, exifOrientation } from '../src/image/orient';
import { call, fixture, form, startWithTinyModel } from './helpers';

const CASES = [['orient-fill6.jpg', 6], ['orient-exif6.png', 6], ['orient-exif8.png', 8], ['orient-exif3.png', 3]] as const;

const decoded = (name: string) => {
  const b = fixture(name);
  return decodeImage(b, readImageHeader(b, name), name);
};

/** Mean absolute RGB difference of two images of the same size. */
function meanDiff(a: RawImage, b: RawImage): number {
  let s = 0;
  for (let p = 0; p < a.width * a.height; p++) for (let k = 0; k < 3; k++) s += Math.abs(a.data[p * a.channels + k] - b.data[p * b.channels + k]);
  return s / (a.width * a.height * 3);
}

describe('EXIF orientation: the Worker and the trainer (sharp) agree', () => {
  it.each(CASES)('%s: orientation %i is read', (name, o) => {
    expect(exifOrientation(fixture(name))).toBe(o);
  });

  it.each(CASES)('%s: upright pixels match the trainer\'s decode', async (name) => {
    const ours = applyOrientation(await decoded(name), exifOrientation(fixture(name)));
    const theirs = await decoded(`${name}.sharp.png`);
    expect([ours.width, ours.height]).toEqual([theirs.width, theirs.height]);
    // PNG: the same pixels; JPEG: two decoders (mozjpeg here, libjpeg-turbo in sharp) differ slightly.
    expect(meanDiff(ours, theirs)).toBeLessThanOrEqual(name.endsWith('.png') ? 0 : 3);
  });

  it('a photo without an orientation tag is upright (1)', () => {
    for (const name of ['person1.png', 'person1.jpg', 'person1-b.jpg', 'orient-exif6.png.sharp.png']) expect(exifOrientation(fixture(name)), name).toBe(1);
  });
});

describe('EXIF orientation on the request path', () => {
  beforeAll(startWithTinyModel);

  it.each(CASES)('%s is embedded upright: the same crop and embedding as the trainer\'s upright copy', async (name) => {
    const r = await call('POST', '/v1/verify', { form: form({ a: fixture(name), b: fixture(`${name}.sharp.png`) }) });
    expect(r.status, JSON.stringify(r.data)).toBe(200);
    expect(r.data.faces.a).toEqual(r.data.faces.b);
    expect(r.data.similarity).toBeGreaterThan(name.endsWith('.png') ? 0.9999 : 0.99);
  });
});
