// The identification benchmark's DET curves and served operating points for one served model
// version, kept on disk (.cache/identify/<modelVersion>.json, written by scripts/identify-bench.ts)
// so the training report can draw them without the embeddings or the model.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../paths.js';

/** One gallery setting: its raw-score DET curve and where the served default put it. */
export interface IdentifyDetRow {
  n: number;
  enrol: number;
  draws: number;
  mated: number;
  nonMated: number;
  /** (FPIR, FNIR) points, FPIR descending. */
  det: [number, number][];
  /** The identify default: IDENTIFY_FPIR over the comparisons made (gallery rows) → per-comparison far → the served table's threshold. */
  served: { fpirTarget: number; comparisons: number; far: number; similarity: number; clamped: boolean; fpir: number; fnir: number; expectedFpir: number };
}

export interface IdentifyResults { modelVersion: string; backbone: string; date: string; command: string; source: string; rows: IdentifyDetRow[] }

export const identifyResultsPath = (modelVersion: string, root = join(repoRoot, '.cache', 'identify')) => join(root, `${modelVersion}.json`);

export function writeIdentifyResults(r: IdentifyResults, root?: string): string {
  const path = identifyResultsPath(r.modelVersion, root);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(r) + '\n');
  return path;
}

export function readIdentifyResults(modelVersion: string, root?: string): IdentifyResults | undefined {
  const path = identifyResultsPath(modelVersion, root);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as IdentifyResults) : undefined;
}
