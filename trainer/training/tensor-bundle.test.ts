import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBundle, encodeBundle, fromHalf, readBundle, toHalf, writeBundle } from './tensor-bundle.js';

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
  it('float16: every finite half survives a round trip, and rounding is to the nearest half (ties to even)', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromHalf(h);
      if (Number.isNaN(v)) expect(Number.isNaN(fromHalf(toHalf(v)))).toBe(true);
      else expect(toHalf(v)).toBe(h);
    }
    // Between neighbours: below the midpoint rounds down, above rounds up, at it goes to the even one.
    for (const h of [0x0001, 0x03ff, 0x3c00, 0x3c01, 0x7bfe, 0x8400, 0xbc01]) {
      const a = fromHalf(h), b = fromHalf(h + 1), mid = (a + b) / 2;
      expect(toHalf(mid + (a - mid) / 4)).toBe(h);
      expect(toHalf(mid + (b - mid) / 4)).toBe(h + 1);
      expect(toHalf(mid)).toBe(h & 1 ? h + 1 : h);
    }
    expect(toHalf(1e6)).toBe(0x7c00); // overflow → +Infinity
    expect(toHalf(1e-9)).toBe(0); // underflow → +0
  });
  it('float16 bundles: half the bytes, values within half a float16 step, the dtype recorded', () => {
    const { json, bin } = encodeBundle(tensors, null, 'x.bin', 'float16');
    expect(bin.length).toBe(2 * 9);
    const back = decodeBundle(json, bin);
    expect(back.dtype).toBe('float16');
    back.tensors.forEach((t, i) => t.data.forEach((v, j) => {
      const x = tensors[i].data[j];
      expect(Math.abs(v - x)).toBeLessThanOrEqual(Math.max(Math.abs(x) * 2 ** -11, 2 ** -25));
    }));
    expect(decodeBundle(encodeBundle(tensors, null, 'x.bin').json, encodeBundle(tensors, null, 'x.bin').bin).dtype).toBe('float32');
  });
});
