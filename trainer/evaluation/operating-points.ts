// The committed operating-points file of a backbone (models/[<id>/]operating-points.json, written by
// scripts/impostors.ts --write): impostor tables for the model version they were measured on, which
// scripts/build-model.ts merges into the manifest as `impostors` only when that version is the one built.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OperatingPointsSchema } from '../../models/contract/manifest.js';
import { repoRoot } from '../../paths.js';
import { manifestOf } from '../backbone/ids.js';
import type { OperatingPoints } from './impostors.js';

export interface OperatingPointsFile extends OperatingPoints {
  modelVersion: string;
  backbone: string;
  date: string;
  command: string;
  /** The resolution rule and other notes on how the tables were made. */
  notes: string[];
}

/** Repo-relative: beside the backbone's manifest. */
export const operatingPointsPath = (backbone: string) => join(dirname(manifestOf(backbone)), 'operating-points.json');

/**
 * What the build merges for a manifest of `modelVersion`: the file's served + tables when it was made
 * for that version; otherwise nothing, with the reason.
 */
export function impostorsFor(backbone: string, modelVersion: string): { impostors?: OperatingPoints; reason?: string } {
  const path = operatingPointsPath(backbone);
  if (!existsSync(join(repoRoot, path))) return { reason: `${path} is missing (npx tsx scripts/impostors.ts --backbone ${backbone} --write)` };
  const doc = JSON.parse(readFileSync(join(repoRoot, path), 'utf8')) as OperatingPointsFile;
  if (doc.modelVersion !== modelVersion) return { reason: `${path} was measured on ${doc.modelVersion}, not ${modelVersion}: rerun scripts/impostors.ts --backbone ${backbone} --write` };
  return { impostors: OperatingPointsSchema.parse({ served: doc.served, tables: doc.tables }) };
}
