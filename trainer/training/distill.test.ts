// Distillation and jittered views in trainHead (synthetic): the teacher's rows are looked up by path,
// a missing view falls back to the plain image, views equal to the plain rows change nothing, and
// the distillation term pulls the student's embeddings towards the teacher's.
import { describe, expect, it } from 'vitest';
import { syntheticSet } from '../data/synthetic.js';
import { matrixLookup, type LabeledSet } from '../data/dataset.js';
import { makeRng } from '../data/rng.js';
import { trainHead } from './train.js';
import { headForward } from './head-weights.js';
import { distillArrays, distillSource, type DistillSource } from './distill-data.js';
import { jitterRow } from '../features/jitter.js';
import { distillLossJs } from './distill-loss.js';

const quiet = () => {};
const TD = 16;

/** A teacher that embeds each identity at its own random unit direction (plus a little noise per image). */
function teacherOf(set: LabeledSet, seed = 11): Float32Array {
  const r = makeRng(seed);
  const dirs = new Map<number, number[]>();
  const out = new Float32Array(set.paths.length * TD);
  set.labels.forEach((l, i) => {
    if (!dirs.has(l)) dirs.set(l, Array.from({ length: TD }, () => r.next() - 0.5));
    const v = dirs.get(l)!.map((x) => x + 0.05 * (r.next() - 0.5));
    const n = Math.hypot(...v);
    v.forEach((x, j) => (out[i * TD + j] = x / n));
  });
  return out;
}

const source = (set: LabeledSet, teacher: Float32Array, views: { k: number; x: Float32Array; t: Float32Array }[] = []): DistillSource => {
  const sPaths = views.flatMap((v) => set.paths.map((p) => jitterRow(p, 1, v.k)));
  const tPaths = [...set.paths, ...sPaths];
  const concat = (parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  };
  const student = matrixLookup(sPaths, set.dim, concat(views.map((v) => v.x)));
  const t = { ...matrixLookup(tPaths, TD, concat([teacher, ...views.map((v) => v.t)])), meta: { dim: TD, key: 'test-teacher' } };
  return distillSource(student, t, 1);
};

describe('distillation training (synthetic)', () => {
  const train = syntheticSet({ identities: 10, perIdentity: 4, dim: 32, seed: 9 });
  const val = syntheticSet({ identities: 4, perIdentity: 4, dim: 32, seed: 9, firstIdentity: 10 });
  const cfg = { learningRate: 1e-3, batchSize: 16, valTriplets: 40, neighbours: 4, epochs: 2, keepBest: false };
  const teacher = teacherOf(train);

  it('gathers teacher rows and views by path; a missing view falls back to the plain row; a missing teacher row throws', () => {
    const x1 = train.features.map((v) => v + 1), t1 = teacher.map((v) => -v);
    const src = source(train, teacher, [{ k: 1, x: x1, t: t1 }]);
    const a = distillArrays(train.paths, train.features, train.dim, src, 2, true);
    expect(a.views).toHaveLength(2);
    expect(a.targets).toHaveLength(3);
    expect(Array.from(a.views[0])).toEqual(Array.from(x1));
    expect(a.targets![1][0]).toBeCloseTo(-teacher[0], 6);
    expect(a.missingViews).toBe(train.paths.length); // view 2 is not cached
    expect(Array.from(a.views[1])).toEqual(Array.from(train.features));
    expect(() => distillArrays([...train.paths, 'Nobody/Nobody_0001.jpg'], new Float32Array((train.paths.length + 1) * train.dim), train.dim, src, 0, true)).toThrow(/teacher/);
  });

  it('refuses to distil without a teacher; jittered views equal to the plain rows change nothing', async () => {
    await expect(trainHead(train, val, { ...cfg, distillWeight: 1 }, { log: quiet })).rejects.toThrow(/teacher/);
    await expect(trainHead(train, val, { ...cfg, jitterViews: 1 }, { log: quiet })).rejects.toThrow(/teacher/);
    const plain = await trainHead(train, val, cfg, { log: quiet });
    const same = await trainHead(train, val, { ...cfg, jitterViews: 1 }, { log: quiet, teacher: source(train, teacher, [{ k: 1, x: train.features.slice(), t: teacher }]) });
    expect(Array.from(same.head.layers[0].kernel)).toEqual(Array.from(plain.head.layers[0].kernel));
    const other = await trainHead(train, val, { ...cfg, jitterViews: 1 }, { log: quiet, teacher: source(train, teacher, [{ k: 1, x: train.features.map((v, i) => v + (i % 5) * 0.5), t: teacher }]) });
    expect(Array.from(other.head.layers[0].kernel)).not.toEqual(Array.from(plain.head.layers[0].kernel));
  });

  it.each(['cosine', 'relational'] as const)('the %s term pulls the student towards the teacher', async (kind) => {
    // Cosine compares embeddings row by row, so its teacher must be 128-d like the student: the 16-d rows zero-padded.
    const td = kind === 'cosine' ? 128 : TD;
    const rows = new Float32Array(train.paths.length * td);
    train.paths.forEach((_, i) => rows.set(teacher.subarray(i * TD, (i + 1) * TD), i * td));
    const src: DistillSource = kind === 'cosine'
      ? { dim: td, target: (p, k) => (k ? undefined : rows.subarray(train.paths.indexOf(p) * td, (train.paths.indexOf(p) + 1) * td)), features: () => undefined }
      : source(train, teacher);
    const gap = (head: Parameters<typeof headForward>[0]) => distillLossJs(
      train.paths.map((_, i) => headForward(head, train.features.subarray(i * train.dim, (i + 1) * train.dim))),
      train.paths.map((_, i) => rows.subarray(i * td, (i + 1) * td)), kind);
    const c = { ...cfg, epochs: 10, learningRate: 1e-2, distillLoss: kind };
    const off = await trainHead(train, val, c, { log: quiet });
    const on = await trainHead(train, val, { ...c, distillWeight: 10 }, { log: quiet, teacher: src });
    expect(off.metrics.at(-1)!.distillLoss).toBeUndefined();
    expect(on.metrics.at(-1)!.distillLoss).toBeLessThan(on.metrics[1].distillLoss!);
    expect(gap(on.head)).toBeLessThan(0.7 * gap(off.head)); // measured: 0.58× (cosine), 0.56× (relational)
  });
});
