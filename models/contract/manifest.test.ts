// The manifest schema on the committed models/manifest.json and on broken copies of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError, ManifestSchema, parseManifest } from './manifest.js';

const committed = JSON.parse(readFileSync(join(import.meta.dirname, '../manifest.json'), 'utf8'));
const copy = () => structuredClone(committed);

/** The issue paths a mutated copy of the committed manifest fails with. */
function failures(mutate: (m: any) => void): string[] {
  const m = copy();
  mutate(m);
  const r = ManifestSchema.safeParse(m);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
}

describe('manifest schema', () => {
  it('accepts models/manifest.json as committed', () => {
    const m = parseManifest(committed);
    expect(m.modelVersion).toBe(committed.modelVersion);
    expect(m.preprocess).toEqual(committed.preprocess);
    expect(m.face).toEqual(committed.face);
  });

  it('accepts a manifest without the optional face pipeline and ROC', () => {
    expect(failures((m) => {
      delete m.face;
      delete m.files.detector;
      delete m.roc;
    })).toEqual([]);
  });

  const broken: [string, (m: any) => void, string][] = [
    ['no preprocess.scale (every embedding would be NaN)', (m) => delete m.preprocess.scale, 'preprocess.scale'],
    ['preprocess.scale null', (m) => (m.preprocess.scale = null), 'preprocess.scale'],
    ['preprocess.scale 0', (m) => (m.preprocess.scale = 0), 'preprocess.scale'],
    ['preprocess.size as a string', (m) => (m.preprocess.size = '299'), 'preprocess.size'],
    ['an unknown resize filter', (m) => (m.preprocess.resize = 'nearest'), 'preprocess.resize'],
    ['a crop of zero width', (m) => (m.preprocess.crop.w = 0), 'preprocess.crop.w'],
    ['no modelVersion', (m) => delete m.modelVersion, 'modelVersion'],
    ['an empty modelVersion', (m) => (m.modelVersion = ''), 'modelVersion'],
    ['no threshold.score', (m) => delete m.threshold.score, 'threshold.score'],
    ['threshold.similarity disagreeing with score', (m) => (m.threshold.similarity = 0.9), 'threshold.similarity'],
    ['an input shape not matching preprocess.size', (m) => (m.input.shape = ['N', 224, 224, 3]), 'input.shape'],
    ['an embedding size of 0', (m) => (m.output.embeddingSize = 0), 'output.embeddingSize'],
    ['a file without sha256', (m) => delete m.files.int8.sha256, 'files.int8.sha256'],
    ['a file sha256 that is not hex', (m) => (m.files.int8.sha256 = 'abc'), 'files.int8.sha256'],
    ['a face pipeline without files.detector', (m) => delete m.files.detector, 'files.detector'],
    ['a detector without anchor layers', (m) => (m.face.detector.layers = []), 'face.detector.layers'],
    ['an alignment template with one keypoint', (m) => (m.face.align.template = { noseTip: [1, 2] }), 'face.align.template'],
    ['an unknown template keypoint', (m) => (m.face.align.template.chin = [1, 2]), 'face.align.template'],
    ['no minFaceSize', (m) => delete m.face.minFaceSize, 'face.minFaceSize'],
    ['a ROC point outside [0, 1]', (m) => (m.roc.points[3] = [0, 1.5]), 'roc.points.3.1'],
    ['a metric that is an object', (m) => (m.metrics.view2Auc = { v: 1 }), 'metrics.view2Auc'],
  ];
  for (const [what, mutate, path] of broken)
    it(`refuses ${what}`, () => {
      expect(failures(mutate)).toContain(path);
    });

  it('parseManifest names every problem', () => {
    const m = copy();
    delete m.preprocess.scale;
    m.output.embeddingSize = -1;
    expect(() => parseManifest(m)).toThrow(ManifestError);
    try {
      parseManifest(m);
    } catch (e) {
      expect((e as ManifestError).issues).toEqual([expect.stringMatching(/^preprocess\.scale: /), expect.stringMatching(/^output\.embeddingSize: /)]);
    }
  });

  it('accepts ROC points that carry their score threshold', () => {
    expect(failures((m) => (m.roc.points = [[0, 0], [0.01, 0.4, -0.6], [1, 1, -4]]))).toEqual([]);
  });
});
