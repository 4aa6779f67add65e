// The files of one training run folder, in one place:
//   config.json  metrics.jsonl  checkpoint/  head.{json,bin}  split.json  train-summary.json
//   threshold.json  evaluation.json  report.html
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadHead, saveHead, type HeadWeights } from '../training/head-weights.js';
import type { EpochMetrics } from '../training/train.js';
import type { BundleDtype } from '../training/tensor-bundle.js';

export const runFile = (run: string, name: 'config' | 'threshold' | 'evaluation' | 'split' | 'train-summary') => join(run, `${name}.json`);
export const headBase = (run: string) => join(run, 'head');

export function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

export function writeJson(path: string, value: unknown) {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

export function readMetrics(run: string): EpochMetrics[] {
  const p = join(run, 'metrics.jsonl');
  return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

export function readRunHead(run: string): { weights: HeadWeights; meta: HeadMeta; dtype: BundleDtype } {
  if (!existsSync(headBase(run) + '.json')) throw new Error(`no trained head in ${run} (run the train step first)`);
  return loadHead(headBase(run)) as { weights: HeadWeights; meta: HeadMeta; dtype: BundleDtype };
}

/** What the trainer records in the exported head's JSON (scripts/build-model.ts reads it too). */
export interface HeadMeta {
  feature?: string;
  featureKey?: string;
  backboneSha256?: string;
  preprocess?: unknown;
  split?: { valFraction: number; seed: number };
  threshold?: { score: number; similarity: number; method: string };
  metrics?: Record<string, number | string>;
  roc?: { pairs: string; points: ([number, number] | [number, number, number])[] };
  [k: string]: unknown;
}

/** Rewrites the head's JSON with extra meta; the weights stay, stored in `dtype` (default: as they are). Deterministic. */
export function updateHeadMeta(run: string, patch: Partial<HeadMeta>, dtype?: BundleDtype) {
  const head = readRunHead(run);
  const { kind: _k, inputDim: _i, embeddingSize: _e, architecture: _a, ...rest } = head.meta;
  saveHead(headBase(run), head.weights, { ...rest, ...patch }, dtype ?? head.dtype);
}
