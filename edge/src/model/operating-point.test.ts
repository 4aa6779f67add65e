// How operating-point.ts picks a threshold, on a synthetic manifest: the defaults (VERIFY_FAR,
// IDENTIFY_FPIR over N) through the impostor table, clamping below its resolution, each request
// choice, the floor, and the fallbacks of a manifest without impostor tables.
import { describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../models/contract/manifest';
import { ApiError } from '../http/errors';
import type { ImpostorTable } from './impostor-table';
import { floorOf, identifyOperatingPoint, type OperatingRequest, verifyOperatingPoint } from './operating-point';
import { DEFAULT_SETTINGS, operatingSettings } from './operating-settings';

const PAIRS = 1_000_000;
const point = (far: number, score: number, tar: number) => ({ far, score, falseAccepts: Math.round(far * PAIRS), tar });
const TABLE: ImpostorTable = {
  source: 'synthetic',
  identities: 1000,
  images: 3000,
  impostorPairs: PAIRS,
  genuinePairs: 2000,
  points: [point(0.5, -1.6, 1), point(0.1, -1.2, 0.99), point(0.01, -0.9, 0.95), point(0.003, -0.8, 0.9), point(1e-3, -0.7, 0.85), point(1e-4, -0.5, 0.7), point(1e-5, -0.3, 0.5), point(2e-6, -0.2, 0.3), point(0, -0.1, 0.1)],
};

function manifest(o: { threshold?: number; table?: ImpostorTable | null; roc?: ModelManifest['roc'] } = {}): ModelManifest {
  const score = o.threshold ?? -0.8;
  return {
    modelVersion: 'm-1',
    backbone: { name: 'x', source: 'x', sha256: '', cut: 'x' },
    preprocess: { crop: { x: 0, y: 0, w: 1, h: 1 }, size: 16, resize: 'triangle', scale: 1, offset: 0, layout: 'NHWC' },
    input: { name: 'image', shape: ['N', 16, 16, 3], layout: 'NHWC' },
    output: { name: 'embedding', embeddingSize: 128 },
    threshold: { score, similarity: 1 + score / 2, method: 'cv' },
    metrics: {},
    ...(o.roc ? { roc: o.roc } : {}),
    ...(o.table === null ? {} : { impostors: { served: 'lfw', tables: { lfw: o.table ?? TABLE } } }),
    files: {},
  };
}

const S = DEFAULT_SETTINGS;
const sim = (score: number) => 1 + score / 2;

function refused(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('defaults through the impostor table', () => {
  it('verify: VERIFY_FAR (0.001) → the loosest point within it', () => {
    const op = verifyOperatingPoint(manifest(), S, {});
    expect(op).toEqual({ source: 'far', origin: 'default', far: 0.001, similarity: sim(-0.7), score: -0.7, measured: { table: 'lfw', far: 1e-3, tar: 0.85, falseAccepts: 1000, impostorPairs: PAIRS } });
    expect(verifyOperatingPoint(manifest(), { ...S, verifyFar: 0.05 }, {}).score).toBe(-0.9);
  });

  it('identify: IDENTIFY_FPIR over N identities → far = 1 − (1 − fpir)^(1/N) → its point; expected fpir from the measured far', () => {
    const cases: [number, number][] = [[1, -0.9], [2, -0.8], [4, -0.7], [20, -0.5], [200, -0.3]];
    for (const [n, score] of cases) {
      const op = identifyOperatingPoint(manifest(), S, {}, n);
      const far = 1 - 0.99 ** (1 / n);
      expect(op.far, `N ${n}`).toBeCloseTo(far, 12);
      expect(op, `N ${n}`).toMatchObject({ source: 'fpir', origin: 'default', fpir: 0.01, identities: n, score });
      expect(op.measured!.far).toBeLessThanOrEqual(far);
      expect(op.expectedFpir).toBeCloseTo(1 - (1 - op.measured!.far) ** n, 12);
      expect(op.expectedFpir).toBeLessThanOrEqual(0.01);
      expect(op.clamped).toBeUndefined();
    }
  });

  it('identify: N is the comparisons made (rows searched), not the identities: 2 identities of 2 rows each map as N = 4', () => {
    const op = identifyOperatingPoint(manifest(), S, {}, 2, 4);
    expect(op).toMatchObject({ identities: 2, comparisons: 4, score: -0.7 });
    expect(op.far).toBeCloseTo(1 - 0.99 ** (1 / 4), 12);
    expect(op.expectedFpir).toBeCloseTo(1 - (1 - op.measured!.far) ** 4, 12);
    expect(identifyOperatingPoint(manifest(), S, { fpir: 0.01 }, 2, 4).score).toBe(-0.7);
  });

  it('identify: a far finer than the table resolves takes its strictest resolved point, clamped, with the fpir that gives', () => {
    const op = identifyOperatingPoint(manifest(), S, {}, 100_000);
    expect(op.far).toBeCloseTo(1.00503e-7, 11);
    expect(op).toMatchObject({ source: 'fpir', clamped: true, score: -0.2, identities: 100_000, measured: { far: 2e-6, falseAccepts: 2 } });
    expect(op.expectedFpir).toBeCloseTo(1 - (1 - 2e-6) ** 100_000, 9);
    expect(op.expectedFpir).toBeGreaterThan(0.01);
  });

  it('identify with an empty gallery: maps as one identity, reports N = 0 and an expected fpir of 0', () => {
    expect(identifyOperatingPoint(manifest(), S, {}, 0)).toMatchObject({ identities: 0, score: -0.9, expectedFpir: 0 });
  });

  it('a verify default below the table’s resolution clamps too', () => {
    expect(verifyOperatingPoint(manifest(), { ...S, verifyFar: 1e-7 }, {})).toMatchObject({ clamped: true, score: -0.2 });
  });
});

describe('requests', () => {
  const id = (req: OperatingRequest, n = 10, settings = S) => identifyOperatingPoint(manifest(), settings, req, n);

  it('threshold: as given, with the table point bounding its far', () => {
    expect(verifyOperatingPoint(manifest(), S, { threshold: 0.7 })).toEqual({
      source: 'threshold', origin: 'request', similarity: 0.7, score: 0.7 * 2 - 2, measured: { table: 'lfw', far: 1e-3, tar: 0.85, falseAccepts: 1000, impostorPairs: PAIRS },
    });
    const op = id({ threshold: 0.7 });
    expect(op).toMatchObject({ source: 'threshold', identities: 10 });
    expect(op.expectedFpir).toBeCloseTo(1 - (1 - 1e-3) ** 10, 12);
  });

  it('far: through the table; finer than it resolves → 422 operating_point_unavailable naming the minimum', () => {
    expect(id({ far: 2e-4 })).toMatchObject({ source: 'far', origin: 'request', far: 2e-4, score: -0.5, identities: 10 });
    const e = refused(() => verifyOperatingPoint(manifest(), S, { far: 1e-6 }));
    expect([e.code, e.details]).toEqual(['operating_point_unavailable', { field: 'far', modelVersion: 'm-1', minimum: 2e-6 }]);
  });

  it('fpir: over the N searched; unresolvable → 422 with the far it needed', () => {
    const op = id({ fpir: 0.001 }, 10);
    expect(op).toMatchObject({ source: 'fpir', origin: 'request', fpir: 0.001, score: -0.5 });
    expect(op.far).toBeCloseTo(1 - 0.999 ** 0.1, 14);
    const e = refused(() => id({ fpir: 0.001 }, 10_000));
    expect(e.code).toBe('operating_point_unavailable');
    expect(e.details).toMatchObject({ field: 'fpir', minimum: 2e-6, comparisons: 10_000 });
    expect(e.details!.far as number).toBeCloseTo(1 - 0.999 ** 1e-4, 14);
  });

  it("cv: the manifest's T, with its measured far", () => {
    expect(verifyOperatingPoint(manifest(), S, { operatingPoint: 'cv' })).toMatchObject({ source: 'cv', origin: 'request', score: -0.8, similarity: 0.6, measured: { far: 0.003 } });
  });
});

describe('the floor (THRESHOLD_FLOOR_FAR through the table)', () => {
  it('is the threshold at the floor rate', () => {
    expect(floorOf(manifest(), S)).toEqual({ far: 0.01, similarity: sim(-0.9), score: -0.9, from: 'impostors' });
    expect(floorOf(manifest(), { ...S, floorFar: 1 })).toBeNull();
    expect(floorOf(manifest(), { ...S, floorFar: 1e-9 })).toMatchObject({ score: -0.1 });
  });

  const below: [string, OperatingRequest, string][] = [
    ['threshold −0.99', { threshold: -0.99 }, 'threshold'],
    ['a threshold just below the floor', { threshold: sim(-0.9) - 1e-6 }, 'threshold'],
    ['far 0.1', { far: 0.1 }, 'far'],
    ['fpir 0.2 over one identity', { fpir: 0.2 }, 'fpir'],
  ];
  for (const [what, req, field] of below)
    it(`refuses ${what}: 422 threshold_below_floor naming the floor`, () => {
      const e = refused(() => identifyOperatingPoint(manifest(), S, req, 1));
      expect(e.code).toBe('threshold_below_floor');
      expect(e.status).toBe(422);
      expect(e.details).toMatchObject({ field, floor: { far: 0.01, score: -0.9 } });
      expect(e.message).toMatch(/THRESHOLD_FLOOR_FAR/);
    });

  it('allows the floor itself, anything stricter, and anything when the setting is 1', () => {
    expect(identifyOperatingPoint(manifest(), S, { threshold: sim(-0.9) }, 1).score).toBeCloseTo(-0.9, 12);
    expect(identifyOperatingPoint(manifest(), S, { far: 0.01 }, 1).score).toBe(-0.9);
    expect(identifyOperatingPoint(manifest(), S, { fpir: 0.05 }, 10).score).toBe(-0.8);
    expect(verifyOperatingPoint(manifest(), { ...S, floorFar: 1 }, { threshold: -0.99 }).similarity).toBe(-0.99);
  });

  it('refuses cv where T is looser than the floor, allows it where it is not', () => {
    const e = refused(() => verifyOperatingPoint(manifest({ threshold: -1.2 }), S, { operatingPoint: 'cv' }));
    expect([e.code, e.details?.field]).toEqual(['threshold_below_floor', 'operatingPoint']);
    expect(verifyOperatingPoint(manifest({ threshold: -1.2 }), { ...S, floorFar: 0.2 }, { operatingPoint: 'cv' }).score).toBe(-1.2);
  });

  it('does not bound the deployment’s own defaults', () => {
    expect(verifyOperatingPoint(manifest(), { ...S, verifyFar: 0.2 }, {}).score).toBe(-1.2);
  });
});

describe('without impostor tables', () => {
  const roc: ModelManifest['roc'] = { pairs: 'View 2', points: [[0, 0], [0.001, 0.2, -0.1], [0.01, 0.5, -0.5], [0.1, 0.9, -1.6], [1, 1, -4]] };

  it("defaults are the manifest's T (source cv)", () => {
    expect(verifyOperatingPoint(manifest({ table: null }), S, {})).toEqual({ source: 'cv', origin: 'default', score: -0.8, similarity: 0.6 });
    expect(identifyOperatingPoint(manifest({ table: null }), S, {}, 5)).toEqual({ source: 'cv', origin: 'default', score: -0.8, similarity: 0.6, identities: 5, comparisons: 5 });
  });

  it('far and fpir map through the ROC, which sets the floor', () => {
    const m = manifest({ table: null, roc });
    expect(verifyOperatingPoint(m, S, { far: 0.005 })).toMatchObject({ source: 'far', score: -0.1, roc: { far: 0.001, tar: 0.2 } });
    const op = identifyOperatingPoint(m, S, { fpir: 0.01 }, 1);
    expect(op).toMatchObject({ source: 'fpir', score: -0.5, roc: { far: 0.01 } });
    expect(op.expectedFpir).toBeCloseTo(0.01, 12);
    expect(floorOf(m, S)).toMatchObject({ from: 'roc', score: -0.5 });
    expect(refused(() => verifyOperatingPoint(m, S, { far: 0.0005 })).details).toMatchObject({ field: 'far', minimum: 0.001 });
  });

  it('with neither, far is 422 and the floor is T', () => {
    const m = manifest({ table: null });
    expect(refused(() => verifyOperatingPoint(m, S, { far: 0.01 })).code).toBe('operating_point_unavailable');
    expect(floorOf(m, S)).toMatchObject({ from: 'cv', score: -0.8 });
    expect(refused(() => verifyOperatingPoint(m, S, { threshold: 0.5 })).code).toBe('threshold_below_floor');
  });

  it('a table that resolves no false accept rate counts as none', () => {
    const m = manifest({ table: { ...TABLE, points: [point(0, -0.1, 0.1)] } });
    expect(verifyOperatingPoint(m, S, {})).toMatchObject({ source: 'cv', origin: 'default' });
  });
});

describe('settings', () => {
  it('unset or empty vars take the defaults; values are read as numbers', () => {
    expect(operatingSettings({})).toEqual({ verifyFar: 0.001, identifyFpir: 0.01, floorFar: 0.01 });
    expect(operatingSettings({ VERIFY_FAR: '', IDENTIFY_FPIR: '0.001', THRESHOLD_FLOOR_FAR: '1' })).toEqual({ verifyFar: 0.001, identifyFpir: 0.001, floorFar: 1 });
  });

  for (const [name, value] of [['VERIFY_FAR', '0'], ['VERIFY_FAR', '1'], ['IDENTIFY_FPIR', 'one percent'], ['THRESHOLD_FLOOR_FAR', '1.5'], ['THRESHOLD_FLOOR_FAR', '-0.01']])
    it(`${name}="${value}" is refused, naming the setting`, () => {
      const e = refused(() => operatingSettings({ [name]: value }));
      expect([e.code, e.details]).toEqual(['internal_error', { setting: name }]);
    });
});
