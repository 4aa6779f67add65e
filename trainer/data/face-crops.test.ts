import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Detection } from '../../models/contract/face/detect.js';
import { defaultFaceSpec } from '../../models/node/face-detector.js';
import { chooseLfwFace, fallbackReason, FaceCropper, LandmarkCache, detectorKey, framingKey } from './face-crops.js';

const det = (x: number, y: number, side: number, score = 0.9): Detection => ({
  box: { x, y, w: side, h: side },
  // Landmarks roughly where a frontal face has them inside its box.
  landmarks: [[x + 0.3 * side, y + 0.4 * side], [x + 0.7 * side, y + 0.4 * side], [x + 0.5 * side, y + 0.6 * side],
    [x + 0.5 * side, y + 0.78 * side], [x + 0.05 * side, y + 0.45 * side], [x + 0.95 * side, y + 0.45 * side]],
  score,
});

describe('chooseLfwFace', () => {
  it('picks the detection whose box centre is nearest the image centre, not the largest', () => {
    const big = det(0, 0, 140), centred = det(80, 80, 90);
    expect(chooseLfwFace([big, centred], 250, 250)).toBe(centred);
  });
  it('ignores faces below the minimum size and returns undefined when none is left', () => {
    const tiny = det(110, 110, 30), off = det(100, 120, 60);
    expect(chooseLfwFace([tiny, off], 250, 250, 40)).toBe(off);
    expect(chooseLfwFace([tiny], 250, 250, 40)).toBeUndefined();
    expect(chooseLfwFace([], 250, 250)).toBeUndefined();
  });
  it('refuses faces whose box does not contain the image centre (a bystander, the labelled face missed)', () => {
    const bystander = det(0, 0, 100);
    expect(chooseLfwFace([bystander], 250, 250, 40)).toBeUndefined();
    expect(fallbackReason([bystander], 250, 250, 40)).toBe('offcentre');
    expect(fallbackReason([det(110, 110, 30)], 250, 250, 40)).toBe('small');
    expect(fallbackReason([], 250, 250, 40)).toBe('none');
    expect(fallbackReason([det(80, 80, 90)], 250, 250, 40)).toBeUndefined();
  });
  it('breaks a distance tie by size', () => {
    const a = det(100, 100, 50), b = det(75, 75, 100);
    expect(chooseLfwFace([a, b], 250, 250)).toBe(b);
  });
});

describe('FaceCropper', () => {
  async function setup() {
    const dir = mkdtempSync(join(tmpdir(), 'face-crops-'));
    const jpeg = await sharp({ create: { width: 250, height: 250, channels: 3, background: { r: 120, g: 90, b: 60 } } }).jpeg().toBuffer();
    for (const n of ['a', 'b', 'c']) await sharp(jpeg).toFile(join(dir, `${n}.jpg`));
    const answers: Record<number, Detection[]> = { 0: [det(70, 60, 110)], 1: [], 2: [det(120, 120, 20), det(0, 0, 80)] };
    let calls = 0;
    const detector = { detect: async () => answers[calls++] };
    return { dir, detector, calls: () => calls };
  }

  it('aligns onto the template canvas, falls back to the decoded image when no face, and counts fallbacks by reason', async () => {
    const { dir, detector, calls } = await setup();
    const face = defaultFaceSpec();
    const cache = new LandmarkCache(join(dir, 'lm.jsonl'));
    const c = new FaceCropper({ face, imagesDir: dir, detector, cache });
    const a = await c.faceImage('a.jpg', 'aligned');
    expect([a.width, a.height]).toEqual([face.align.size, face.align.size]);
    const b = await c.faceImage('b.jpg', 'aligned');
    expect(b.data).toBeInstanceOf(Uint8Array); // the decoded image, unchanged
    await c.faceImage('c.jpg', 'aligned');
    expect(c.fallbackCounts()).toEqual({ total: 2, none: 1, small: 0, offcentre: 1 });
    expect([...c.fallbacks.keys()].sort()).toEqual(['b.jpg', 'c.jpg']);
    // Fixed framing never detects.
    const f = await c.faceImage('a.jpg', 'fixed');
    expect([f.width, f.height]).toEqual([250, 250]);
    expect(calls()).toBe(3);

    // A torn last line is skipped; a fresh cropper on the same cache re-detects nothing it has.
    appendFileSync(cache.file, '{"path":"d.jp');
    const again = new FaceCropper({ face, imagesDir: dir, detector: { detect: async () => { throw new Error('detected again'); } }, cache: new LandmarkCache(cache.file) });
    await again.faceImage('a.jpg', 'aligned');
    await again.faceImage('b.jpg', 'aligned');
    expect(again.fallbackCounts()).toEqual({ total: 1, none: 1, small: 0, offcentre: 0 });
    expect(readFileSync(cache.file, 'utf8').split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('keys name the detector and the whole face spec', () => {
    const face = defaultFaceSpec();
    expect(detectorKey(face.detector)).toMatch(/^blazeface-back-256-[0-9a-f]{8}$/);
    expect(framingKey(face)).toMatch(/^blazeface-back-256-[0-9a-f]{8}$/);
    expect(framingKey({ ...face, minFaceSize: face.minFaceSize + 1 })).not.toBe(framingKey(face));
  });
});
