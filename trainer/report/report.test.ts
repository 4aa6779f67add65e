import { describe, expect, it } from 'vitest';
import { renderReport } from './report.js';
import { histogram, lineChart } from './svg-chart.js';
import type { MethodResult } from '../evaluation/evaluate.js';

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
