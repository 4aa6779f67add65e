import { describe, expect, it } from 'vitest';
import { atFpir, detCurve, drawGallery, heldOutDraw, rank1, ratesAt, search, type Draw } from './identify.js';

/** 2-d unit vectors at the given angles (degrees). */
const at = (...deg: number[]) => Float32Array.from(deg.flatMap((d) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)]));
const r2 = (a: number, b: number) => { const x = Math.cos(a * Math.PI / 180) - Math.cos(b * Math.PI / 180), y = Math.sin(a * Math.PI / 180) - Math.sin(b * Math.PI / 180); return -(x * x + y * y); };

describe('open-set identification', () => {
  // Rows: 0 A, 1 A (second enrolment row), 2 B, 3 C | probes: 4 A (near row 1), 5 B (nearer C), 6 stranger, 7 stranger.
  const E = at(0, 90, 180, 270, 80, 230, 45, 200);
  const draw: Draw = {
    gallery: [{ identity: 'A', rows: [0, 1] }, { identity: 'B', rows: [2] }, { identity: 'C', rows: [3] }],
    mated: [{ row: 4, identity: 'A' }, { row: 5, identity: 'B' }],
    nonMated: [6, 7],
  };
  const res = search(E, 2, draw);

  it('scores an identity by its best row and finds the top candidate', () => {
    expect(res[0].rightTop).toBe(true);
    expect(res[0].scores.raw).toBeCloseTo(r2(80, 90), 6);
    // B's probe at 230° is nearer C (270°, 40°) than B (180°, 50°): the top candidate is wrong.
    expect(res[1].rightTop).toBe(false);
    expect(res[2].mated).toBe(false);
    expect(rank1(res)).toBe(0.5);
  });

  it('computes the margin, T-norm and the centred score against the rest of the gallery', () => {
    // Probe 4 (80°): A best 10° (row 1), B 100°, C 170°.
    const rest = [r2(80, 180), r2(80, 270)];
    const mean = (rest[0] + rest[1]) / 2, sd = Math.abs(rest[0] - rest[1]) / 2;
    expect(res[0].scores.margin).toBeCloseTo(r2(80, 90) - r2(80, 180), 6);
    expect(res[0].scores.tnorm).toBeCloseTo((r2(80, 90) - mean) / sd, 5);
    expect(res[0].scores.centred).toBeCloseTo(r2(80, 90) - mean, 6);
  });

  it('counts FPIR over non-mated and FNIR over mated probes (a wrong top candidate is a miss at any threshold)', () => {
    const t = r2(0, 40); // accepts within 40°
    const r = ratesAt(res, 'raw', t);
    // Stranger 45° is 45° from A's row 0 and 45° from row 1: rejected; 200° is 20° from B: accepted.
    expect(r.fpir).toBe(0.5);
    expect(r.fnir).toBe(0.5);
    expect(ratesAt(res, 'raw', 0)).toMatchObject({ fnir: 1, fpir: 0 });
    expect(ratesAt(res, 'raw', -5)).toMatchObject({ fnir: 0.5, fpir: 1 });
  });

  it('picks the oracle threshold on the non-mated scores themselves', () => {
    const o = atFpir(res, 'raw', 0);
    expect(o.fpir).toBe(0);
    expect(o.nonMated).toBe(2);
    expect(o.threshold).toBeCloseTo(Math.max(res[2].scores.raw, res[3].scores.raw), 12);
    expect(atFpir(res, 'raw', 0.5).fpir).toBe(0.5);
    const det = detCurve(res, 'raw');
    expect(det.every(([fpir]) => fpir > 0)).toBe(true);
    // Each point is the rates at one non-mated score as the threshold.
    const thresholds = [res[2].scores.raw, res[3].scores.raw].sort((a, b) => a - b);
    expect(det).toEqual(thresholds.map((t) => ratesAt(res, 'raw', t)).filter((r) => r.fpir > 0).map((r) => [r.fpir, r.fnir]));
  });

  it('draws galleries: people with spare images enrolled first, the rest non-mated, seeded', () => {
    const labels = ['a', 'a', 'a', 'b', 'b', 'c', 'd', 'e', 'f', 'f', 'f', 'f', 'f', 'f', 'f'];
    const o = { n: 3, enrol: 1, matedPerPerson: 2, minNonMated: 2, seed: 1, draw: 0 };
    const d = drawGallery(labels, o);
    expect(d.gallery.map((g) => g.identity).sort()).toEqual(['a', 'b', 'f']);
    expect(d.gallery.every((g) => g.rows.length === 1)).toBe(true);
    expect(d.mated.filter((m) => m.identity === 'f').length).toBe(2);
    expect(d.mated.length).toBe(2 + 1 + 2);
    const enrolled = new Set(d.gallery.flatMap((g) => g.rows));
    expect(d.mated.some((m) => enrolled.has(m.row))).toBe(false);
    expect(d.nonMated.map((r) => labels[r]).sort()).toEqual(['c', 'd', 'e']);
    expect(drawGallery(labels, o)).toEqual(d);
    expect(drawGallery(labels, { ...o, draw: 1 })).not.toEqual(d);
    expect(() => drawGallery(labels, { ...o, n: 5 })).toThrow(/non-mated/);
    const three = drawGallery(labels, { ...o, n: 4, enrol: 3 });
    // Only f has more than 3 images: it gives the mated probes; the others enrol all they have.
    expect(three.mated.every((m) => m.identity === 'f')).toBe(true);
    expect(three.gallery.find((g) => g.identity === 'f')!.rows.length).toBe(3);
  });
});

describe('held-out draws', () => {
  it('enrols every other identity, probes the held-out one and the never-enrolled as non-mated', () => {
    const labels = ['a', 'a', 'b', 'b', 'b', 'c', 'x'];
    const enrolment = new Set([0, 2, 5]);
    const d = heldOutDraw(labels, (r) => enrolment.has(r), 'b', [{ identity: 'f', rows: [9] }]);
    expect(d.gallery).toEqual([{ identity: 'a', rows: [0] }, { identity: 'c', rows: [5] }, { identity: 'f', rows: [9] }]);
    expect(d.mated).toEqual([{ row: 1, identity: 'a' }]);
    expect(d.nonMated).toEqual([2, 3, 4, 6]);
  });
});
