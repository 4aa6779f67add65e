import { describe, expect, it } from 'vitest';
import type { Draw } from './identify.js';
import { gateEnrolment } from './quality-gate.js';

const draw: Draw = {
  gallery: [{ identity: 'a', rows: [0] }, { identity: 'b', rows: [3] }, { identity: 'c', rows: [6] }],
  mated: [{ row: 1, identity: 'a' }, { row: 2, identity: 'a' }, { row: 4, identity: 'b' }],
  nonMated: [9],
};

describe('gateEnrolment', () => {
  it('keeps the draw when every row passes', () => {
    const g = gateEnrolment(draw, () => true);
    expect(g).toMatchObject({ failedToEnrol: 0, retried: 0, people: 3 });
    expect(g.draw.gallery).toEqual(draw.gallery);
    expect(g.draw.mated.map((m) => m.row).sort()).toEqual([1, 2, 4]);
    expect(g.draw.nonMated).toEqual([9]);
  });
  it('enrols the next passing image, which leaves the probes; the refused one becomes a probe', () => {
    const g = gateEnrolment(draw, (r) => r !== 0 && r !== 6);
    expect(g.draw.gallery).toEqual([{ identity: 'a', rows: [1] }, { identity: 'b', rows: [3] }]);
    expect(g.draw.mated.filter((m) => m.identity === 'a').map((m) => m.row).sort()).toEqual([0, 2]);
    expect(g).toMatchObject({ failedToEnrol: 1, retried: 1, people: 3 });
  });
  it('a person none of whose images passes fails to enrol and gives no mated probes', () => {
    const g = gateEnrolment(draw, (r) => r >= 3);
    expect(g.draw.gallery.map((x) => x.identity)).toEqual(['b', 'c']);
    expect(g.draw.mated.some((m) => m.identity === 'a')).toBe(false);
    expect(g.failedToEnrol).toBe(1);
  });
});
