// The whole pipeline on a fake LFW folder with synthetic cached features: train → threshold →
// evaluate → report through the library steps, and the CLI itself for test-set and report.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeatureStore } from './features/store.js';
import { resolveDataDir, repoRoot } from '../paths.js';
import { syntheticSet } from './data/synthetic.js';
import { trainOnStore } from './training/train-store.js';
import { evaluateStep, thresholdStep } from './run/run-steps.js';
import { readRunHead } from './run/run-dir.js';
import { imagePath } from './data/lfw.js';
import { view2TrainPerFold } from './evaluation/view2-train.js';

function fakeLfw() {
  const root = mkdtempSync(join(tmpdir(), 'fake-lfw-'));
  const n = 60, per = 4;
  const set = syntheticSet({ identities: n, perIdentity: per, dim: 32, seed: 9 });
  const name = (i: number) => `Person_${i}`;
  const count = (i: number) => (i % 7 === 3 ? 1 : per); // some one-photo people
  for (let i = 0; i < n; i++) {
    mkdirSync(join(root, 'lfw-deepfunneled', name(i)), { recursive: true });
    for (let k = 1; k <= count(i); k++) writeFileSync(join(root, 'lfw-deepfunneled', imagePath(name(i), k)), '');
  }
  const people = (ids: number[]) => `${ids.length}\n` + ids.map((i) => `${name(i)}\t${count(i)}\n`).join('');
  const ids = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => a + k);
  writeFileSync(join(root, 'peopleDevTrain.txt'), people(ids(0, 40)));
  writeFileSync(join(root, 'peopleDevTest.txt'), people(ids(40, 60)));
  const multi = (xs: number[]) => xs.filter((i) => count(i) > 1);
  const pairRows = (xs: number[]) => {
    const m = multi(xs);
    return [...m.slice(0, 3).map((i) => `${name(i)}\t1\t2`), ...m.slice(0, 3).map((i, k) => `${name(i)}\t3\t${name(xs[(xs.indexOf(i) + 1 + k) % xs.length])}\t1`)];
  };
  writeFileSync(join(root, 'pairsDevTest.txt'), '3\n' + pairRows(ids(40, 60)).join('\n') + '\n');
  const folds = Array.from({ length: 10 }, (_, f) => ids(0, n).filter((i) => i % 10 === f));
  writeFileSync(join(root, 'pairs.txt'), '10\t3\n' + folds.flatMap(pairRows).join('\n') + '\n');
  writeFileSync(join(root, 'people.txt'), '10\n' + folds.map(people).join(''));
  const store = FeatureStore.open(join(root, 'cache'), { key: 'fake-flatten', dim: 32, featureName: 'flatten_1', flip: false, backboneSha256: 'abc', preprocess: { size: 8 } });
  const keep = set.paths.map((p, i) => [p, i] as const).filter(([p]) => Number(p.match(/_(\d{4})\.jpg$/)![1]) <= count(Number(p.split('_')[1].split('/')[0])));
  const rows = Float32Array.from(keep.flatMap(([, i]) => Array.from(set.features.subarray(i * 32, (i + 1) * 32))));
  store.append(keep.map(([p]) => p), rows);
  // A "mirrored" store: the same features slightly perturbed.
  const flip = FeatureStore.open(join(root, 'cache'), { key: 'fake-flatten-flip', dim: 32, featureName: 'flatten_1', flip: true, backboneSha256: 'abc', preprocess: { size: 8 } });
  flip.append(keep.map(([p]) => p), rows.map((v, i) => v * (1 + 0.05 * Math.sin(i))));
  return { root, store, flip, folds };
}

const tsx = (args: string[]) => execFileSync(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'trainer/cli.ts'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('pipeline on a fake LFW folder', () => {
  const { root, store, flip, folds } = fakeLfw();
  const lfw = resolveDataDir(root);
  const run = join(root, 'run');
  const quiet = () => {};

  it('trains, picks T, evaluates beside the baseline and reports', async () => {
    const r = await trainOnStore(store, lfw, { epochs: 2, batchSize: 16, valFraction: 0.2, valTriplets: 40, neighbours: 4 }, { outDir: run, log: quiet });
    expect(r.sets.train.names.length + r.sets.val.names.length).toBe(40);
    expect(readRunHead(run).meta).toMatchObject({ feature: 'flatten_1', featureKey: 'fake-flatten', backboneSha256: 'abc', split: { valFraction: 0.2, seed: 1 } });
    const split = JSON.parse(readFileSync(join(run, 'split.json'), 'utf8'));
    expect(split.train.some((n: string) => split.validation.includes(n))).toBe(false);

    const t = await thresholdStep({ run, lfw, store, log: quiet }, 100);
    expect(t.folds).toHaveLength(10);
    expect(readRunHead(run).meta.threshold).toEqual({ score: t.score, similarity: t.similarity, method: t.method });
    expect(t.similarity).toBeCloseTo(1 + t.score / 2, 12);

    const csv = join(root, 'test.csv');
    tsx(['test-set', '--data', root, '--out', csv, '--rows', '12']);
    const e = await evaluateStep({ run, lfw, store, tripletsCsv: csv, log: quiet });
    expect(e.methods.map((m) => m.name)).toEqual(['head', 'raw cosine']);
    expect(e.methods[0].threshold).toBe(t.score); // the recorded T is used for the head
    for (const m of e.methods) {
      expect(m.testTriplets.rows).toBe(12);
      expect(m.view2.folds).toHaveLength(10);
      expect(m.distances.same.length + m.distances.different.length).toBe(60);
    }
    expect(readRunHead(run).meta.metrics).toMatchObject({ view2Accuracy: e.methods[0].view2.mean, rawCosineView2Accuracy: e.methods[1].view2.mean });

    const out = JSON.parse(tsx(['report', '--run', run, '--json']));
    expect(out.report).toBe(join(run, 'report.html'));
    expect(readFileSync(out.report, 'utf8')).toContain('ROC, LFW View 2 pairs');
  });

  it('evaluates flip TTA variants beside the plain ones, each with its own T', async () => {
    const e = await evaluateStep({ run, lfw, store, flipStore: flip, tripletsCsv: join(root, 'test.csv'), log: quiet });
    expect(e.methods.map((m) => m.name)).toEqual(['head', 'raw cosine', 'head + flip', 'raw cosine + flip']);
    expect(e.methods[2].view2.mean).not.toBe(e.methods[0].view2.mean);
  });

  it('View 2 with a head per fold trains without the held fold\'s people', async () => {
    const v = await view2TrainPerFold(lfw, store, { epochs: 1, batchSize: 16, valTriplets: 20, neighbours: 4 }, { outDir: join(root, 'v2'), log: quiet });
    expect(v.folds).toHaveLength(10);
    const imagesOf = (ids: number[]) => ids.reduce((n, i) => n + (i % 7 === 3 ? 1 : 4), 0);
    folds.forEach((held, f) => {
      const cfg = JSON.parse(readFileSync(join(root, 'v2', `fold-${f + 1}`, 'config.json'), 'utf8'));
      const rest = Array.from({ length: 60 }, (_, i) => i).filter((i) => !held.includes(i));
      expect(cfg.trainRows + cfg.valRows).toBe(imagesOf(rest));
    });
  });

  it('the CLI fails cleanly with a message, not a stack, when the data is missing', () => {
    let err = '';
    try {
      tsx(['test-set', '--data', join(root, 'nope')]);
    } catch (e) {
      err = String((e as { stderr: string }).stderr);
    }
    expect(err).toMatch(/^error: LFW data not found/m);
    expect(existsSync(join(root, 'nope'))).toBe(false);
  });
});
