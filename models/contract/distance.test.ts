import { describe, expect, it } from 'vitest';
import { dot, l2Normalize } from './distance.js';

describe('l2Normalize', () => {
  it('scales each row to unit length into a copy; a zero row stays zero', () => {
    const v = Float32Array.of(3, 4, 0, 0, -1, 1);
    const u = l2Normalize(v, 2);
    [0.6, 0.8, 0, 0, -Math.SQRT1_2, Math.SQRT1_2].forEach((x, i) => expect(u[i]).toBeCloseTo(x, 7));
    expect(Array.from(v)).toEqual([3, 4, 0, 0, -1, 1]);
    expect(dot(l2Normalize(Float32Array.of(1, 2, 3)), l2Normalize(Float32Array.of(1, 2, 3)))).toBeCloseTo(1, 6);
  });

  it('eps bounds the divisor as the head graph does: √max(‖x‖², eps)', () => {
    expect(l2Normalize(Float32Array.of(1e-7, 0), 2, 1e-12)[0]).toBeCloseTo(0.1, 7);
    expect(l2Normalize(Float32Array.of(1e-7, 0), 2)[0]).toBeCloseTo(1, 7);
  });
});
