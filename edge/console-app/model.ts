// The Model panel: version, backend, threshold, preprocessing and face alignment, the operating
// points served (operating-points.ts), the manifest's evaluation figures, and the ROC curve the
// manifest records (its operating points when it has none).
import type { ConsoleFaceSpec } from '../src/console/data';
import { $, api, el, faceSpec, fmt, modelReady, say, svgEl } from './core';
import { KEYPOINT_NAMES } from './faces';
import { renderOperatingPoints } from './operating-points';
import type { Health, ModelInfo } from './types';

const LABELS: Record<string, string> = {
  testTripletAccuracy: 'Test triplets (400, held-out people): accuracy',
  testTripletLoss: 'Test triplets: loss',
  pairsDevTestAccuracy: 'LFW pairsDevTest: accuracy',
  view2Accuracy: 'LFW View 2 (10 folds), head fixed (optimistic: it trained on some View 2 people): accuracy',
  view2AccuracyStd: 'LFW View 2, head fixed: accuracy std over folds',
  view2Auc: 'LFW View 2, head fixed: ROC AUC',
  view2Eer: 'LFW View 2, head fixed: equal error rate',
  view2TarAtFar1e3: 'LFW View 2, head fixed: true accepts at 0.1% false accepts',
  view2TrainPerFoldAccuracy: 'LFW View 2, clean (a head trained per fold on the other people): accuracy',
  view2TrainPerFoldStd: 'LFW View 2, clean: accuracy std over folds',
  view2TrainPerFoldAuc: 'LFW View 2, clean: ROC AUC (folds pooled)',
  view2TrainPerFoldTarAtFar1e3: 'LFW View 2, clean: true accepts at 0.1% false accepts (folds pooled)',
  rawCosineTestTripletAccuracy: 'Baseline (raw backbone, cosine): test triplet accuracy',
  rawCosineView2Accuracy: 'Baseline (raw backbone, cosine): View 2 accuracy',
};

function rocPicture(m: ModelInfo['metrics'], roc: ModelInfo['roc']) {
  const auc = m.view2Auc, eer = m.view2Eer, tar = m.view2TarAtFar1e3;
  if (typeof auc !== 'number' || typeof eer !== 'number') return;
  const S = 220, P = 34;
  const x = (far: number) => P + far * S, y = (tpr: number) => P + (1 - tpr) * S;
  const curve = roc && roc.points.length > 1 ? roc.points.map(([f, t]) => `${x(f).toFixed(1)},${y(t).toFixed(1)}`).join(' ') : '';
  const pts: [number, number, string][] = [[eer, 1 - eer, `EER ${fmt(eer)}`]];
  if (typeof tar === 'number') pts.push([0.001, tar, `TAR ${fmt(tar)} at FAR 0.001`]);
  const title = `${curve ? 'ROC curve' : 'ROC operating points'} on LFW View 2, AUC ${fmt(auc)}`;
  const svg = svgEl('svg', { width: S + 2 * P + 60, height: S + 2 * P, role: 'img', 'aria-labelledby': 'roc-title' },
    svgEl('title', { id: 'roc-title' }, title),
    svgEl('rect', { x: P, y: P, width: S, height: S, fill: 'none', stroke: '#8c959f' }),
    svgEl('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), stroke: '#8c959f', 'stroke-dasharray': '4 4' }),
    curve && svgEl('polyline', { id: 'roc-curve', fill: 'none', stroke: '#0b57d0', 'stroke-width': 2, points: curve }),
    ...pts.flatMap(([f, t, label]) => [
      svgEl('circle', { cx: x(f), cy: y(t), r: 4, fill: '#0b57d0' }),
      svgEl('text', { x: x(f) + 7, y: y(t) + 4, 'font-size': 11 }, label),
    ]),
    svgEl('text', { x: P + S / 2, y: S + 2 * P - 6, 'font-size': 12, 'text-anchor': 'middle' }, 'false accept rate'),
    svgEl('text', { x: 12, y: P + S / 2, 'font-size': 12, 'text-anchor': 'middle', transform: `rotate(-90 12 ${P + S / 2})` }, 'true accept rate'),
    svgEl('text', { x: P + S - 4, y: P + S - 8, 'font-size': 12, 'text-anchor': 'end' }, `AUC ${fmt(auc)}`),
  );
  $('#roc').replaceChildren(svg, el('figcaption', {}, curve
    ? `ROC on ${roc!.pairs}, as recorded by the trainer in the manifest (dashed: chance).`
    : "ROC operating points measured on LFW View 2 (dashed: chance). This manifest records these figures, not the curve; the trainer's report (npx tsx trainer/cli.ts report) draws the full ROC."));
}

function faceFact(f: ConsoleFaceSpec | null): string {
  if (!f) return 'none: the fixed crop of the whole photo';
  const named = Object.keys(f.align.template).map((k) => KEYPOINT_NAMES[k as keyof typeof KEYPOINT_NAMES] ?? k);
  const list = named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : named.join('');
  return `${f.detector ?? 'a detector'} finds the face (at least ${f.minFaceSize} px across; smaller faces are refused); its ${list} are fitted onto a ${f.align.size}×${f.align.size} template`;
}

function renderModel(m: ModelInfo, health: Health | null, face: ConsoleFaceSpec | null) {
  const t = m.threshold, p = m.preprocess;
  const facts: [string, string][] = [
    ['Model version', m.modelVersion],
    ['Inference backend', m.backend + (health ? (health.model.loaded ? ' (model loaded)' : ' (model loads on first request)') : '')],
    ['Threshold T', `similarity > ${fmt(t.similarity)} (squared distance < ${fmt(-t.score)}); the defaults served are under Operating points`],
    ['How T was chosen', t.method],
    ['Backbone', `${m.backbone.name || '?'}, cut at ${m.backbone.cut || '?'}`],
    ['Embedding', `${m.embeddingSize} numbers, unit length`],
    ['Face detection and alignment', faceFact(face)],
    ['Preprocessing', `crop x ${fmt(p.crop.x, 2)}, y ${fmt(p.crop.y, 2)}, ${fmt(p.crop.w, 2)} × ${fmt(p.crop.h, 2)} of the ${face ? 'aligned face' : 'photo'} → ${p.size}×${p.size} (${p.resize}), pixel × ${fmt(p.scale, 5)} + ${p.offset}`],
  ];
  $('#model-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  const metrics = m.metrics || {};
  $('#metrics tbody').replaceChildren(
    ...Object.entries(metrics).map(([k, v]) => el('tr', {}, el('th', { scope: 'row' }, LABELS[k] || k), el('td', {}, typeof v === 'number' ? fmt(v) : String(v)))),
  );
  rocPicture(metrics, m.roc);
  renderOperatingPoints(m);
}

export async function wireModel() {
  const health = api<Health>('/v1/health').catch((e) => {
    say($('#model-error'), e);
    return null;
  });
  const [m, h, face] = await Promise.all([modelReady, health, faceSpec()]);
  $('#health-line').textContent = h ? `server ${h.status} · backend ${h.backend} · model ${m ? m.modelVersion : 'unavailable'}` : 'server unreachable';
  if (m) renderModel(m, h, face);
}
