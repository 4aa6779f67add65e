// The detector (BlazeFace ONNX + the contract's decoding) on real photos: every listed face is
// found, two-person photos give two, face-less images give none; the aligned face of one portrait
// agrees across four resolutions.
import { describe, expect, it, beforeAll } from 'vitest';
import sharp from 'sharp';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from '../../trainer/data/images.js';
import { NodeFaceDetector } from './face-detector.js';
import { alignDetection, bySize } from '../contract/face/pipeline.js';
import type { AlignSpec } from '../contract/face/align.js';
import template from '../face-template.json' with { type: 'json' };
import { describeWithPhotos, photo, PHOTOS } from '../../test/photos.js';
import type { RawImage } from '../contract/preprocess.js';

let detector: NodeFaceDetector;
beforeAll(async () => { detector = await NodeFaceDetector.create(); });

const flat = (w: number, h: number, f: (i: number) => number): RawImage => ({ data: Uint8Array.from({ length: w * h * 3 }, (_v, i) => f(i)), width: w, height: h, channels: 3 });

describe('face detector: images without a face', () => {
  it('finds nothing in a uniform grey image, a gradient or noise', async () => {
    let s = 7;
    const noise = () => { s = (s * 1103515245 + 12345) >>> 0; return s >>> 24; };
    for (const img of [flat(250, 250, () => 128), flat(640, 480, (i) => Math.floor(i / 3) % 640 * 255 / 640), flat(400, 300, noise)])
      expect(await detector.detect(img)).toEqual([]);
  });
});

describeWithPhotos('face detector on ordinary photos', () => {
  const single = [
    'alex-lacamoire.png', 'lin-manuel-miranda.png', 'biden.jpg', 'obama.jpg', 'obama2.jpg', 'obama3.jpg', 'obama_small.jpg',
    'obama-240p.jpg', 'obama-480p.jpg', 'obama-720p.jpg', 'obama-1080p.jpg', 'obama_partial_face.jpg', 'obama_partial_face2.jpg', '32bit.png',
    'knn_examples/test/alex_lacamoire1.jpg', 'knn_examples/test/johnsnow_test1.jpg', 'knn_examples/test/obama1.jpg',
    ...readdirSync(join(PHOTOS, 'knn_examples/train')).flatMap((p) => readdirSync(join(PHOTOS, 'knn_examples/train', p)).map((f) => `knn_examples/train/${p}/${f}`)),
  ];

  it.each(single)('%s: one face found, upright landmarks', async (name) => {
    const dets = await detector.detect(await decodeImage(photo(name)));
    expect(dets.length).toBeGreaterThanOrEqual(1);
    const [d] = bySize(dets);
    const [re, le, nose, mouth] = d.landmarks;
    expect(re[0]).toBeLessThan(le[0]);
    expect(Math.max(re[1], le[1])).toBeLessThan(nose[1]);
    expect(nose[1]).toBeLessThan(mouth[1]);
    expect(d.box.w).toBeGreaterThan(40);
  });

  it.each(['two_people.jpg', 'knn_examples/test/kit_with_rose.jpg', 'knn_examples/test/obama_and_biden.jpg'])('%s: two faces', async (name) => {
    const dets = await detector.detect(await decodeImage(photo(name)));
    expect(dets).toHaveLength(2);
    // Side by side, not the same face twice.
    expect(Math.abs(dets[0].box.x - dets[1].box.x)).toBeGreaterThan(Math.min(dets[0].box.w, dets[1].box.w));
  });

  it('finds a small face in a large picture through the tiled pass (the whole-picture pass shrinks it out of reach)', async () => {
    const small = await sharp(photo('obama_small.jpg')).resize(144).raw().toBuffer({ resolveWithObject: true });
    const canvas = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#5a6470' } })
      .composite([{ input: small.data, raw: { width: small.info.width, height: small.info.height, channels: 3 }, left: 1100, top: 800 }]).png().toBuffer();
    const img = await decodeImage(canvas);
    expect(await detector.detect(img, false)).toEqual([]);
    const dets = await detector.detect(img);
    expect(dets).toHaveLength(1);
    // obama_small's face (~122 px box at x≈99, y≈67 of 320 px) scaled by 144/320 and moved to (1100, 800).
    const k = 144 / 320;
    expect(dets[0].box.x).toBeCloseTo(1100 + 99 * k, -1);
    expect(dets[0].box.y).toBeCloseTo(800 + 67 * k, -1);
    expect(dets[0].box.w).toBeGreaterThan(0.8 * 122 * k);
    expect(dets[0].box.w).toBeLessThan(1.25 * 122 * k);
  });

  it('aligns the same portrait alike at 240p, 480p, 720p and 1080p', async () => {
    const spec = template as unknown as AlignSpec;
    const crops: RawImage[] = [];
    for (const r of ['240p', '480p', '720p', '1080p']) {
      const img = await decodeImage(photo(`obama-${r}.jpg`));
      crops.push(alignDetection(img, bySize(await detector.detect(img))[0], spec).image);
    }
    // Mean absolute difference over the face region (the central 48% the embedding model sees), grey levels.
    const mad = (a: RawImage, b: RawImage) => {
      let s = 0, n = 0;
      for (let y = 65; y < 185; y++) for (let x = 65; x < 185; x++) for (let c = 0; c < 3; c++) { const i = (y * 250 + x) * 3 + c; s += Math.abs(a.data[i] - b.data[i]); n++; }
      return s / n;
    };
    for (const c of crops.slice(1)) expect(mad(crops[0], c)).toBeLessThan(12);
    expect(mad(crops[2], crops[3])).toBeLessThan(6);
  });
});
