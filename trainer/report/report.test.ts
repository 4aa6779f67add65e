import { describe, expect, it } from 'vitest';
import { renderReport } from './report.js';
import { histogram, lineChart } from './svg-chart.js';
import type { MethodResult } from '../evaluation/evaluate.js';
import type { IdentifyDetRow } from '../evaluation/identify-results.js';

const method = (name: string, shift: number): MethodResult => ({
  name, threshold: -1.1,
  testTriplets: { accuracy: 0.9, loss: 0.05, rows: 400 },
  devTest: { accuracy: 0.88, auc: 0.95, aucCi95: [0.93, 0.97], eer: 0.1, tarAtFar1e3: 0.4, pairs: 1000 },
  view2: { mean: 0.87, std: 0.01, folds: [], auc: 0.94, aucCi95: [0.93, 0.95], eer: 0.12, tarAtFar1e3: 0.3, pairs: 6000 },
  distances: { same: [0.5, 0.7, 0.9 + shift], different: [1.3, 1.5, 0.8 + shift] },
});

describe('report', () => {
  it('renders curves, ROC, histograms with T and the baseline in one self-contained page', () => {
    const html = renderReport({
      title: 'run <x>',
      metrics: [0, 1, 2].map((e) => ({ epoch: e, learningRate: 1e-4, trainLoss: e ? 0.2 / e : null, valLoss: 0.2 - e / 100, valAccuracy: 0.6 + e / 10, valAccuracyStd: 0.01, seconds: 1 })),
      baseline: { valAccuracy: 0.62, valLoss: 0.16 },
      threshold: { score: -1.1, similarity: 0.45, method: '10-fold CV' },
      evaluation: { methods: [method('head', 0), method('raw cosine', 0.3)], notes: ['note & caveat'] },
    });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/); // nothing external
    expect(html.match(/<svg/g)!.length).toBe(5); // loss, accuracy, ROC, two histograms
    expect(html).toContain('run &lt;x&gt;');
    expect(html).toContain('note &amp; caveat');
    expect(html).toContain('T (d² = 1.100)');
    expect(html).toContain('raw cosine (val)');
  });
  it('draws the served model\'s DET curves per images enrolled, each served point marked where it lies', () => {
    const row = (n: number, enrol: number, fpir: number, fnir: number): IdentifyDetRow => ({
      n, enrol, draws: 10, mated: 500, nonMated: 1000, det: [[0.5, 0.05], [0.1, 0.2], [0.01, 0.4], [0.001, 0.7]],
      served: { fpirTarget: 0.01, comparisons: n * enrol, far: 1e-4, similarity: 0.94, clamped: false, fpir, fnir, expectedFpir: 0.0083 },
    });
    const html = renderReport({
      title: 't', metrics: [],
      identify: { results: { modelVersion: 'm-1', backbone: 'dlib_resnet', date: '2026-12-05', command: 'npx tsx scripts/identify-bench.ts', source: 'LFW', rows: [row(100, 1, 0.1, 0.2), row(1000, 1, 0.001, 0.7), row(100, 3, 0, 0.4)] } },
    });
    expect(html.match(/<svg/g)!.length).toBe(2); // one DET chart per images enrolled
    expect(html).toContain('<td>1000</td><td>1</td><td>1000</td><td>500 / 1000</td><td>1.0% → 1.00e-4 → 0.9400</td>');
    expect(html).toContain('<td>0.8%</td>'); // expected FPIR
    const marks = [...html.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(marks).toHaveLength(3);
    // N = 100's point (FPIR 0.1, FNIR 0.2) lies right of and below N = 1000's (0.001, 0.7).
    expect(marks[0][0]).toBeGreaterThan(marks[1][0]);
    expect(marks[0][1]).toBeGreaterThan(marks[1][1]);
    // FPIR 0 is drawn at one non-mated probe (1e-3 here), the curve's own left end.
    const ends = [...html.matchAll(/points="([^"]*)"/g)].map((m) => m[1].split(' ').at(-1)!.split(',').map(Number));
    expect(marks[2][0]).toBeCloseTo(ends.at(-1)![0], 1);
  });
  it('says why the identification curves are not drawn', () => {
    expect(renderReport({ title: 't', metrics: [], identify: { missing: 'no results <yet>' } })).toContain('Not drawn: no results &lt;yet&gt;');
  });
  it('says when there is no evaluation yet', () => {
    expect(renderReport({ title: 't', metrics: [] })).toContain('No evaluation yet');
  });
  it('charts map data into the plot box and skip non-finite points', () => {
    const svg = lineChart([{ name: 's', color: '#000', points: [[0, 0], [1, NaN], [2, 1]] }], { title: 't', xLabel: 'x', yLabel: 'y', width: 200, height: 100 });
    const pts = svg.match(/points="([^"]*)"/)![1].split(' ');
    expect(pts).toHaveLength(2);
    const h = histogram([{ name: 'a', values: [0, 0, 1], color: '#000' }], { title: 't', xLabel: 'x', yLabel: 'y', bins: 2 });
    expect(h.match(/<rect x=/g)!.length).toBe(2 + 1 + 1); // 2 bars + legend swatch + plot frame
  });
});
