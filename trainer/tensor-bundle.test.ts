import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBundle, encodeBundle, readBundle, writeBundle } from './tensor-bundle.js';

describe('tensor bundle', () => {
  const tensors = [
    { name: 'w', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    { name: 'b', shape: [3], data: Float32Array.from([-1, 0.5, 1e-7]) },
  ];
  it('round-trips names, shapes, values and meta', () => {
    const { json, bin } = encodeBundle(tensors, { k: 1 }, 'x.bin');
    const back = decodeBundle(json, bin);
    expect(back.meta).toEqual({ k: 1 });
    expect(back.tensors).toEqual(tensors);
    expect(encodeBundle(tensors, { k: 1 }, 'x.bin').json).toBe(json); // deterministic
  });
  it('reads small files correctly (Node pools small Buffers: no view of the shared pool)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    writeBundle(join(dir, 'small'), tensors, null);
    readFileSync(join(dir, 'small.json')); // put something else in the pool first
    expect(readBundle(join(dir, 'small')).tensors).toEqual(tensors);
  });
  it('rejects shape/data mismatches and truncated binaries', () => {
    expect(() => encodeBundle([{ name: 'z', shape: [4], data: new Float32Array(3) }], null, 'z.bin')).toThrow(/shape/);
    const { json, bin } = encodeBundle(tensors, null, 'x.bin');
    expect(() => decodeBundle(json, bin.subarray(4))).toThrow(/bytes/);
  });
});
