// Which threshold a verify or identify answer applies, and why. The defaults are target rates
// (operating-settings.ts) mapped through the manifest's served impostor table: verify a false
// accept rate per comparison, identify a false positive identification rate over the N identities
// searched (per-comparison far = 1 − (1 − fpir)^(1/N)); a default finer than the table resolves
// takes its strictest resolved point and says so (clamped). A request may instead choose a
// similarity threshold, a far, an fpir (identify) or the model's T chosen by cross-validation
// ("cv"); what the table cannot resolve is 422, and nothing a request chooses may be looser than
// the deployment's floor (422 threshold_below_floor). A manifest without an impostor table falls
// back to T for the defaults and to its ROC (the points that carry scores) for far and fpir.
import type { ModelManifest } from '../../../models/contract/manifest';
import { ApiError } from '../http/errors';
import { scoreFromSimilarity, similarityFromScore } from './decision';
import { farForFpir, fpirForFar, type ImpostorPoint, type ImpostorTable, pointAtScore, pointForFar, resolvedPoints, strictestResolved, strictestScore } from './impostor-table';
import type { OperatingSettings } from './operating-settings';

export type OperatingSource = 'far' | 'fpir' | 'threshold' | 'cv';

export interface OperatingPoint {
  source: OperatingSource;
  /** default: the deployment's (VERIFY_FAR, IDENTIFY_FPIR; T without an impostor table); request: this request's. */
  origin: 'default' | 'request';
  /** Match iff similarity > this. */
  similarity: number;
  /** The same threshold as R: match iff −d² > this. */
  score: number;
  /** far: the false accept rate aimed at; fpir: the per-comparison rate derived from fpir and identities. */
  far?: number;
  /** fpir: the false positive identification rate aimed at. */
  fpir?: number;
  /** identify: the identities searched. */
  identities?: number;
  /**
   * identify: the comparisons made (gallery rows searched: an identity enrolled with k images is k
   * chances for a stranger to pass), the N that fpir and expectedFpir are computed over.
   */
  comparisons?: number;
  /** The target was finer than the table resolves: its strictest resolved point was used instead. */
  clamped?: boolean;
  /** The impostor-table point behind the threshold (threshold, cv: the one bounding its far from above). */
  measured?: { table: string; far: number; tar: number; falseAccepts: number; impostorPairs: number };
  /** identify: 1 − (1 − measured far)^N, what a stranger's chance of being named is expected to be. */
  expectedFpir?: number;
  /** Without an impostor table, far and fpir: the manifest's ROC point used. */
  roc?: { far: number; tar: number };
}

/** What a request may send (verify and identify; fpir only identify), at most one of them. */
export interface OperatingRequest { threshold?: number; far?: number; fpir?: number; operatingPoint?: 'cv' }

export interface Floor { far: number; similarity: number; score: number; from: 'impostors' | 'roc' | 'cv' }

interface Served { name: string; table: ImpostorTable }

/** The served impostor table, if the manifest has one that resolves some false accept rate. */
function served(m: ModelManifest): Served | undefined {
  const name = m.impostors?.served;
  const table = name === undefined ? undefined : m.impostors?.tables[name];
  return name !== undefined && table && resolvedPoints(table).length ? { name, table } : undefined;
}

const measuredAt = (s: Served, p: ImpostorPoint): OperatingPoint['measured'] =>
  ({ table: s.name, far: p.far, tar: p.tar, falseAccepts: p.falseAccepts, impostorPairs: s.table.impostorPairs });

const atScore = (score: number) => ({ similarity: similarityFromScore(score), score });

const unavailable = (m: ModelManifest, field: string, why: string, more: Record<string, unknown> = {}) =>
  new ApiError('operating_point_unavailable', `${field} cannot be used with model ${m.modelVersion}: ${why}; send threshold instead`, { field, modelVersion: m.modelVersion, ...more });

type Mapped = Pick<OperatingPoint, 'similarity' | 'score' | 'measured' | 'clamped' | 'roc'>;

/**
 * A per-comparison false accept rate as a threshold: the served table's loosest resolved point
 * within it (below its resolution: the strictest resolved point if `clamp`, else 422), or without
 * a table the ROC's (its points accept R ≥ score and this rule R > score, so their far can only be lower).
 */
function mapFar(m: ModelManifest, far: number, field: string, clamp: boolean, more: Record<string, unknown> = {}): Mapped {
  const s = served(m);
  if (s) {
    const p = pointForFar(s.table, far);
    if (p) return { ...atScore(p.score), measured: measuredAt(s, p) };
    const lowest = strictestResolved(s.table)!;
    if (!clamp) throw unavailable(m, field, `the lowest false accept rate its impostor table (${s.name}) resolves is ${lowest.far}`, { minimum: lowest.far, ...more });
    return { ...atScore(lowest.score), measured: measuredAt(s, lowest), clamped: true };
  }
  if (!m.roc) throw unavailable(m, field, 'its manifest has neither impostor tables nor a ROC', more);
  const scored = m.roc.points.filter((p): p is [number, number, number] => p.length === 3);
  if (!scored.length) throw unavailable(m, field, 'it has no impostor tables and its ROC points carry no score thresholds', more);
  const within = scored.filter(([f]) => f <= far);
  if (!within.length) {
    const lowest = Math.min(...scored.map(([f]) => f));
    throw unavailable(m, field, `it has no impostor tables and the lowest false accept rate its ROC resolves is ${lowest}`, { minimum: lowest, ...more });
  }
  const [pf, pt, score] = within.reduce((a, b) => (b[2] < a[2] ? b : a));
  return { ...atScore(score), roc: { far: pf, tar: pt } };
}

/** A fixed threshold, with the table point that bounds its false accept rate when there is one. */
function fixed(m: ModelManifest, score: number): Mapped {
  const s = served(m);
  const p = s && pointAtScore(s.table, score);
  return { ...atScore(score), ...(s && p ? { measured: measuredAt(s, p) } : {}) };
}

/** The threshold no request may go below: THRESHOLD_FLOOR_FAR through the table (else the ROC, else T); null when the setting is 1. */
export function floorOf(m: ModelManifest, settings: OperatingSettings): Floor | null {
  const far = settings.floorFar;
  if (far >= 1) return null;
  const s = served(m);
  if (s) return { far, ...atScore(pointForFar(s.table, far)?.score ?? strictestScore(s.table)), from: 'impostors' };
  const scored = (m.roc?.points ?? []).filter((p): p is [number, number, number] => p.length === 3);
  if (scored.length) {
    const within = scored.filter(([f]) => f <= far);
    const score = within.length ? Math.min(...within.map((p) => p[2])) : Math.max(...scored.map((p) => p[2]));
    return { far, ...atScore(score), from: 'roc' };
  }
  return { far, ...atScore(m.threshold.score), from: 'cv' };
}

/** 422 threshold_below_floor when a request's threshold is looser than the floor. */
function checkFloor(m: ModelManifest, settings: OperatingSettings, op: OperatingPoint, field: string): OperatingPoint {
  const floor = floorOf(m, settings);
  if (floor && op.score < floor.score - 1e-12)
    throw new ApiError(
      'threshold_below_floor',
      `${field} asks for similarity > ${op.similarity}, looser than this deployment's floor: similarity > ${floor.similarity} (false accept rate ${floor.far}, THRESHOLD_FLOOR_FAR)`,
      { field, similarity: op.similarity, score: op.score, floor },
    );
  return op;
}

function requested(m: ModelManifest, settings: OperatingSettings, req: OperatingRequest, comparisons?: number): OperatingPoint | undefined {
  const origin = 'request';
  if (req.threshold !== undefined)
    return checkFloor(m, settings, { source: 'threshold', origin, ...fixed(m, scoreFromSimilarity(req.threshold)), similarity: req.threshold }, 'threshold');
  if (req.operatingPoint === 'cv') return checkFloor(m, settings, cvOperatingPoint(m), 'operatingPoint');
  if (req.far !== undefined) return checkFloor(m, settings, { source: 'far', origin, far: req.far, ...mapFar(m, req.far, 'far', false) }, 'far');
  if (req.fpir !== undefined) {
    const n = comparisons ?? 1;
    const far = farForFpir(req.fpir, n);
    return checkFloor(m, settings, { source: 'fpir', origin, fpir: req.fpir, far, ...mapFar(m, far, 'fpir', false, { far, comparisons: n }) }, 'fpir');
  }
  return undefined;
}

/** The model's T chosen by cross-validation, as a request for it gets it (the floor aside). */
export const cvOperatingPoint = (m: ModelManifest): OperatingPoint => ({ source: 'cv', origin: 'request', ...fixed(m, m.threshold.score) });

/** verify's operating point: the request's, else VERIFY_FAR through the table, else T. */
export function verifyOperatingPoint(m: ModelManifest, settings: OperatingSettings, req: OperatingRequest): OperatingPoint {
  const op = requested(m, settings, req);
  if (op) return op;
  if (!served(m)) return { source: 'cv', origin: 'default', ...fixed(m, m.threshold.score) };
  return { source: 'far', origin: 'default', far: settings.verifyFar, ...mapFar(m, settings.verifyFar, 'far', true) };
}

/**
 * identify's operating point for the gallery searched: the request's, else IDENTIFY_FPIR over its
 * comparisons (the rows searched; N below 1 maps as 1) through the table, else T. Every answer
 * reports the identities and comparisons and, where the table (or ROC) measures the threshold's far,
 * the expected fpir over those comparisons.
 */
export function identifyOperatingPoint(m: ModelManifest, settings: OperatingSettings, req: OperatingRequest, identities: number, comparisons = identities): OperatingPoint {
  const n = Math.max(1, comparisons);
  let op = requested(m, settings, req, n);
  if (!op && !served(m)) op = { source: 'cv', origin: 'default', ...fixed(m, m.threshold.score) };
  if (!op) {
    const far = farForFpir(settings.identifyFpir, n);
    op = { source: 'fpir', origin: 'default', fpir: settings.identifyFpir, far, ...mapFar(m, far, 'fpir', true) };
  }
  const measuredFar = op.measured?.far ?? op.roc?.far;
  return { ...op, identities, comparisons, ...(measuredFar === undefined ? {} : { expectedFpir: fpirForFar(measuredFar, comparisons) }) };
}
