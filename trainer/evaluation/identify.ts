// Open-set identification on cached embeddings, the way NIST FRVT 1:N reports it: a gallery of
// enrolled identities (several rows each; an identity's score is its best row, as the Worker's
// gallery scan does), mated probes (other images of enrolled people) and non-mated probes (people
// never enrolled). FPIR = share of non-mated probes whose top candidate passes the threshold; FNIR =
// share of mated probes whose top candidate is not their identity or does not pass it. Four scores
// for the top candidate: raw R = −d², T-norm (standardised by the mean and std of the probe's
// scores against the rest of the gallery searched), the same centred only (minus that mean, not
// divided by the std), and the margin between first and second.
import { makeRng, shuffle, subSeed } from '../data/rng.js';
import { countAbove } from './impostors.js';

export const SCORE_KINDS = ['raw', 'tnorm', 'centred', 'margin'] as const;
export type ScoreKind = (typeof SCORE_KINDS)[number];

/** Rows of one embedding matrix: who is enrolled (with which rows) and who probes. */
export interface Draw {
  gallery: { identity: string; rows: number[] }[];
  mated: { row: number; identity: string }[];
  nonMated: number[];
}

/** One searched probe: whether its top candidate is right, and the scores of that candidate. */
export interface ProbeResult { mated: boolean; rightTop: boolean; scores: Record<ScoreKind, number> }

/** Searches every probe of a draw against its gallery (n × dim embeddings, R = −‖a − b‖²). */
export function search(embeddings: Float32Array, dim: number, draw: Draw): ProbeResult[] {
  const rows = draw.gallery.flatMap((g, k) => g.rows.map((r) => ({ r, k })));
  const N = draw.gallery.length;
  if (N < 2) throw new Error('a gallery of at least two identities is needed (T-norm and the margin use the second)');
  const best = new Float64Array(N);
  const one = (probe: number, identity: string | undefined): ProbeResult => {
    best.fill(-Infinity);
    const p = probe * dim;
    for (const { r, k } of rows) {
      const g = r * dim;
      let s = 0;
      for (let t = 0; t < dim; t++) { const d = embeddings[p + t] - embeddings[g + t]; s += d * d; }
      if (-s > best[k]) best[k] = -s;
    }
    let top = 0;
    for (let k = 1; k < N; k++) if (best[k] > best[top]) top = k;
    let second = -Infinity, sum = 0, sum2 = 0;
    for (let k = 0; k < N; k++) {
      if (k === top) continue;
      if (best[k] > second) second = best[k];
      sum += best[k];
      sum2 += best[k] * best[k];
    }
    const mean = sum / (N - 1), sd = Math.sqrt(Math.max(0, sum2 / (N - 1) - mean * mean));
    const s1 = best[top];
    return { mated: identity !== undefined, rightTop: identity !== undefined && draw.gallery[top].identity === identity, scores: { raw: s1, tnorm: sd > 0 ? (s1 - mean) / sd : 0, centred: s1 - mean, margin: s1 - second } };
  };
  return [...draw.mated.map((m) => one(m.row, m.identity)), ...draw.nonMated.map((r) => one(r, undefined))];
}

export interface Rates { fpir: number; fnir: number; threshold: number }

/** FPIR and FNIR with acceptance iff score > threshold. */
export function ratesAt(results: ProbeResult[], kind: ScoreKind, threshold: number): Rates {
  let nm = 0, fp = 0, m = 0, miss = 0;
  for (const r of results) {
    const pass = r.scores[kind] > threshold;
    if (r.mated) { m++; if (!(r.rightTop && pass)) miss++; } else { nm++; if (pass) fp++; }
  }
  return { fpir: nm ? fp / nm : NaN, fnir: m ? miss / m : NaN, threshold };
}

/**
 * The oracle point at a target FPIR: the threshold chosen on these non-mated scores themselves (the
 * (⌊fpir·M⌋+1)-th largest of M, so at most that many pass), and the FNIR there.
 */
export function atFpir(results: ProbeResult[], kind: ScoreKind, fpir: number): Rates & { nonMated: number } {
  const nm = results.filter((r) => !r.mated).map((r) => r.scores[kind]).sort((a, b) => b - a);
  if (!nm.length) throw new Error('no non-mated probes');
  const k = Math.min(nm.length - 1, Math.floor(fpir * nm.length + 1e-9));
  return { ...ratesAt(results, kind, nm[k]), nonMated: nm.length };
}

export const rank1 = (results: ProbeResult[]) => { const m = results.filter((r) => r.mated); return m.filter((r) => r.rightTop).length / m.length; };

/**
 * The DET curve: (FPIR, FNIR) with each distinct non-mated score as the threshold, FPIR > 0 only,
 * thinned to points at least `step` apart in log10 FPIR.
 */
export function detCurve(results: ProbeResult[], kind: ScoreKind, step = 0.02): [number, number][] {
  const nm = Float64Array.from(results.filter((r) => !r.mated).map((r) => r.scores[kind])).sort();
  const hits = Float64Array.from(results.filter((r) => r.mated).map((r) => (r.rightTop ? r.scores[kind] : -Infinity))).sort();
  const out: [number, number][] = [];
  let last = Infinity;
  for (let i = nm.length - 1; i >= 0; i--) {
    if (i < nm.length - 1 && nm[i] === nm[i + 1]) continue;
    const fpir = countAbove(nm, nm[i]) / nm.length;
    if (fpir === 0 || (Math.abs(Math.log10(fpir) - last) < step && i > 0)) continue;
    last = Math.log10(fpir);
    out.push([fpir, 1 - countAbove(hits, nm[i]) / hits.length]);
  }
  return out;
}

export interface LfwDrawOptions {
  /** Gallery size. */
  n: number;
  /** Images enrolled per identity: people with more than this give the mated probes. */
  enrol: number;
  /** At most this many mated probes per enrolled person (seeded pick). */
  matedPerPerson: number;
  /** People kept out of every gallery (non-mated) at least. */
  minNonMated: number;
  seed: number;
  draw: number;
}

/**
 * A gallery of n identities from labelled rows: people with more than `enrol` rows first (enrolled
 * with `enrol` of them, up to matedPerPerson of the rest as mated probes), filled up with other
 * people enrolled with all their rows (≤ enrol); every person left out gives one non-mated probe.
 */
export function drawGallery(labels: string[], o: LfwDrawOptions): Draw {
  const byId = new Map<string, number[]>();
  labels.forEach((id, r) => { const a = byId.get(id); if (a) a.push(r); else byId.set(id, [r]); });
  const rng = makeRng(subSeed(o.seed, o.n, o.enrol, o.draw));
  const ids = shuffle([...byId.keys()].sort(), rng);
  if (o.n + o.minNonMated > ids.length) throw new Error(`${ids.length} identities: a gallery of ${o.n} leaves fewer than ${o.minNonMated} non-mated people`);
  const eligible = ids.filter((id) => byId.get(id)!.length > o.enrol), fillers = ids.filter((id) => byId.get(id)!.length <= o.enrol);
  const chosen = [...eligible, ...fillers].slice(0, o.n);
  const inGallery = new Set(chosen);
  const draw: Draw = { gallery: [], mated: [], nonMated: [] };
  for (const id of chosen) {
    const rows = shuffle([...byId.get(id)!], rng);
    draw.gallery.push({ identity: id, rows: rows.slice(0, o.enrol) });
    for (const r of rows.slice(o.enrol, o.enrol + o.matedPerPerson)) draw.mated.push({ row: r, identity: id });
  }
  for (const id of ids) if (!inGallery.has(id)) { const rows = byId.get(id)!; draw.nonMated.push(rows[rng.int(rows.length)]); }
  return draw;
}

/**
 * Leave one identity out of a small labelled set: the gallery holds every identity that has
 * enrolment rows except `heldOut` (enrolled with those rows), plus `fillers`; mated probes are the
 * other rows of the gallery's identities, non-mated probes every row of `heldOut` and of the
 * identities without enrolment rows.
 */
export function heldOutDraw(labels: string[], isEnrolment: (row: number) => boolean, heldOut: string, fillers: Draw['gallery'] = []): Draw {
  const enrolled = new Map<string, number[]>();
  labels.forEach((id, r) => { if (isEnrolment(r) && id !== heldOut) enrolled.set(id, [...(enrolled.get(id) ?? []), r]); });
  const draw: Draw = { gallery: [...[...enrolled].map(([identity, rows]) => ({ identity, rows })), ...fillers], mated: [], nonMated: [] };
  labels.forEach((id, r) => {
    if (enrolled.has(id)) { if (!isEnrolment(r)) draw.mated.push({ row: r, identity: id }); } else draw.nonMated.push(r);
  });
  return draw;
}
