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
