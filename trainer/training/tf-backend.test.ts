import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './tf-backend.js';

describe('tfjs backend selection', () => {
  it('skips missing packages and lands on wasm, which really trains here', async () => {
    const logs: string[] = [];
    const name = await selectBackend([
      { pkg: '@tensorflow/tfjs-node-gpu-not-installed', backend: 'tensorflow' },
      { pkg: '@tensorflow/tfjs-backend-wasm', backend: 'wasm' },
    ], (m) => logs.push(m));
    expect(name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(logs).toEqual(['tfjs backend: wasm (@tensorflow/tfjs-backend-wasm)']);
  });
  it('falls back to cpu when nothing optional loads, and says so', async () => {
    const logs: string[] = [];
    expect(await selectBackend([{ pkg: 'no-such-package-xyz', backend: 'tensorflow' }], (m) => logs.push(m))).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(logs[0]).toMatch(/^tfjs backend: cpu/);
  });
});

describe('wasm BatchMatMul with transposes', () => {
  it('gives the plain product of the transposed operands, for every flag combination', async () => {
    await selectBackend([{ pkg: '@tensorflow/tfjs-backend-wasm', backend: 'wasm' }], () => {});
    expect((tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc as { wrapped?: boolean } | undefined)?.wrapped).toBe(true);
    const a = tf.randomNormal([2, 5, 7], 0, 1, 'float32', 3), b = tf.randomNormal([2, 7, 4], 0, 1, 'float32', 4);
    const want = await tf.matMul(a, b).array();
    const aT = tf.transpose(a, [0, 2, 1]), bT = tf.transpose(b, [0, 2, 1]);
    for (const [x, y, ta, tb] of [[aT, b, true, false], [a, bT, false, true], [aT, bT, true, true]] as const) {
      const got = (await tf.matMul(x, y, ta, tb).array()) as number[][][];
      got.flat(2).forEach((v, i) => expect(v).toBeCloseTo((want as number[][][]).flat(2)[i], 4));
    }
    // Rank 2, as Dense layers and their gradients call it.
    const x = tf.randomNormal([6, 5], 0, 1, 'float32', 5), y = tf.randomNormal([6, 3], 0, 1, 'float32', 6);
    const want2 = (await tf.matMul(tf.transpose(x), y).array()) as number[][];
    ((await tf.matMul(x, y, true, false).array()) as number[][]).flat().forEach((v, i) => expect(v).toBeCloseTo(want2.flat()[i], 4));
    const buffers = () => tf.memory().numDataBuffers;
    const before = buffers();
    tf.tidy(() => { tf.matMul(aT, bT, true, true); }); // the transposed copies are freed too
    expect(buffers()).toBe(before);
  });
});
