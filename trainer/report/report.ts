// A self-contained HTML report of a training run: loss and accuracy curves per epoch, ROC curves
// of the head against the raw-feature baseline, same/different distance histograms with T, and the
// served model's open-set identification DET curves with its served operating points (or why not).
import type { EpochMetrics } from '../training/train.js';
import type { MethodResult } from '../evaluation/evaluate.js';
import type { IdentifyResults } from '../evaluation/identify-results.js';
import { rocCurve } from '../evaluation/metrics.js';
import { histogram, lineChart } from './svg-chart.js';

export interface ReportInput {
  title: string;
  config?: unknown;
  metrics: EpochMetrics[];
  baseline?: { valAccuracy: number; valLoss: number };
  threshold?: { score: number; similarity: number; method: string };
  evaluation?: { methods: MethodResult[]; notes?: string[]; view2TrainPerFold?: { mean: number; std: number; pooled?: { auc: number; tarAtFar1e3: number } } };
  /** The identification benchmark of the model served from this run, or why it is not drawn. */
  identify?: { results: IdentifyResults } | { missing: string };
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e'];
const pct = (v: number) => (100 * v).toFixed(2) + '%';
const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

function curves(r: ReportInput): string {
  const m = r.metrics;
  if (!m.length) return '<p>No per-epoch metrics.</p>';
  const at = (f: (e: EpochMetrics) => number | null) => m.map((e) => [e.epoch, f(e) ?? NaN] as [number, number]);
  const flat = (v: number | undefined, name: string, color: string) =>
    v === undefined ? [] : [{ name, color, dashed: true, points: [[m[0].epoch, v], [m.at(-1)!.epoch, v]] as [number, number][] }];
  return lineChart([
    { name: 'train loss', color: COLORS[0], points: at((e) => e.trainLoss) },
    { name: 'validation loss', color: COLORS[1], points: at((e) => e.valLoss) },
    ...flat(r.baseline?.valLoss, 'raw cosine (val)', '#888'),
  ], { title: 'Triplet loss', xLabel: 'epoch', yLabel: 'loss' })
    + lineChart([
      { name: 'validation accuracy', color: COLORS[2], points: at((e) => e.valAccuracy) },
      ...flat(r.baseline?.valAccuracy, 'raw cosine (val)', '#888'),
    ], { title: 'Validation accuracy (10-fold CV)', xLabel: 'epoch', yLabel: 'accuracy' });
}

function evaluation(ms: MethodResult[]): string {
  const rows = ms.map((x) => `<tr><td>${esc(x.name)}</td><td>${x.threshold.toFixed(4)}</td><td>${pct(x.testTriplets.accuracy)}</td><td>${x.testTriplets.loss.toFixed(4)}</td>`
    + `<td>${pct(x.devTest.accuracy)}</td><td>${pct(x.view2.mean)} ± ${pct(x.view2.std)}</td><td>${x.view2.auc.toFixed(4)} [${x.view2.aucCi95.map((v) => v.toFixed(4)).join(', ')}]</td>`
    + `<td>${pct(x.view2.eer)}</td><td>${pct(x.view2.tarAtFar1e3)}</td></tr>`).join('');
  const roc = lineChart(ms.map((x, i) => ({
    name: x.name, color: COLORS[i % COLORS.length],
    points: rocCurve([...x.distances.same.map((d) => ({ score: -d, same: true })), ...x.distances.different.map((d) => ({ score: -d, same: false }))]).map((p) => [p.fpr, p.tpr] as [number, number]),
  })), { title: 'ROC, LFW View 2 pairs', xLabel: 'false accept rate', yLabel: 'true accept rate' });
  const hists = ms.map((x) => histogram([
    { name: 'same person', values: x.distances.same, color: COLORS[2] },
    { name: 'different', values: x.distances.different, color: COLORS[1] },
  ], { title: `${x.name}: squared distances, View 2`, xLabel: '‖a − b‖²', yLabel: 'density', vLine: { x: -x.threshold, label: `T (d² = ${(-x.threshold).toFixed(3)})` } })).join('');
  return `<table><tr><th>method</th><th>T (R = −d²)</th><th>test triplets acc</th><th>test loss</th><th>pairsDevTest acc</th><th>View 2 acc</th><th>View 2 AUC [95% CI]</th><th>EER</th><th>TAR@FAR=1e-3</th></tr>${rows}</table>${roc}${hists}`;
}

/** FNIR vs log10 FPIR per gallery size, one chart per images enrolled, the served defaults marked. */
function identification(x: IdentifyResults): string {
  const pct1 = (v: number) => (100 * v).toFixed(1) + '%';
  const charts = [...new Set(x.rows.map((r) => r.enrol))].sort((a, b) => a - b).map((enrol) => {
    const rows = x.rows.filter((r) => r.enrol === enrol);
    return lineChart(
      rows.map((r, i) => ({ name: `N = ${r.n}`, color: COLORS[i % COLORS.length], points: r.det.map(([f, n]) => [Math.log10(f), n] as [number, number]) })),
      {
        title: `DET, ${enrol} image${enrol > 1 ? 's' : ''} enrolled`, xLabel: 'log10 FPIR', yLabel: 'FNIR', width: 480,
        markers: rows.map((r, i) => ({ x: Math.log10(Math.max(r.served.fpir, 1 / r.nonMated)), y: r.served.fnir, color: COLORS[i % COLORS.length] })),
      },
    );
  });
  const rows = x.rows.map((r) => `<tr><td>${r.n}</td><td>${r.enrol}</td><td>${r.served.comparisons}</td><td>${r.mated} / ${r.nonMated}</td><td>${pct1(r.served.fpirTarget)} → ${r.served.far.toExponential(2)} → ${r.served.similarity.toFixed(4)}${r.served.clamped ? ' (clamped)' : ''}</td>`
    + `<td>${pct1(r.served.expectedFpir)}</td><td>${pct1(r.served.fpir)}</td><td>${pct1(r.served.fnir)}</td></tr>`).join('');
  return `<p>${esc(x.modelVersion)} (${esc(x.backbone)}), ${esc(x.source)}; <code>${esc(x.command)}</code>, ${esc(x.date)}. `
    + 'A dot in a curve\'s colour is the served default at that gallery size, where identify\'s answers put it (FPIR 0 is drawn at one non-mated probe).</p>'
    + `<table><tr><th>N (identities)</th><th>images enrolled</th><th>comparisons</th><th>mated / non-mated probes</th><th>served: FPIR target → per-comparison far → similarity</th><th>expected FPIR</th><th>measured FPIR</th><th>FNIR</th></tr>${rows}</table>${charts.join('')}`;
}

export function renderReport(r: ReportInput): string {
  const ev = r.evaluation;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(r.title)}</title><style>`
    + 'body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}svg{margin:6px}pre{background:#f6f6f6;padding:8px;font-size:12px}'
    + `</style></head><body><h1>${esc(r.title)}</h1>`
    + (r.threshold ? `<p>Threshold: match iff R = −‖a − b‖² &gt; ${r.threshold.score.toFixed(4)} (similarity &gt; ${r.threshold.similarity.toFixed(4)}); ${esc(r.threshold.method)}</p>` : '')
    + `<h2>Training</h2>${curves(r)}`
    + (ev ? `<h2>Evaluation</h2>${evaluation(ev.methods)}` : '<p>No evaluation yet (run the evaluate step).</p>')
    + (ev?.view2TrainPerFold ? `<p>View 2 with a head trained per fold: ${pct(ev.view2TrainPerFold.mean)} ± ${pct(ev.view2TrainPerFold.std)}${ev.view2TrainPerFold.pooled ? `; folds pooled: AUC ${ev.view2TrainPerFold.pooled.auc.toFixed(3)}, TAR at FAR 1e-3 ${pct(ev.view2TrainPerFold.pooled.tarAtFar1e3)}` : ''}</p>` : '')
    + (ev?.notes?.length ? `<ul>${ev.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '')
    + (r.identify ? `<h2>Open-set identification</h2>${'results' in r.identify ? identification(r.identify.results) : `<p>Not drawn: ${esc(r.identify.missing)}</p>`}` : '')
    + (r.config ? `<h2>Config</h2><pre>${esc(JSON.stringify(r.config, null, 2))}</pre>` : '')
    + '</body></html>\n';
}
