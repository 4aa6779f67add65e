// Embeddings of one source under one model version, on disk (.cache/embeddings/<modelVersion>/<source>/:
// index.json + embeddings.f32), so statistics over them rerun without the model. An item is either
// embedded (a row of the f32 file) or refused with its reason; a different source config starts over,
// and so does different face-path code (a fingerprint of the source files that decide an embedding:
// a cache written by another commit or an uncommitted draft is never reused; see
// scripts/experiments/cache-drift.ts for the drift that made this necessary).
// Embeddings are biometric data: this module stores them and never prints them.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../paths.js';

export interface CacheItem { key: string; identity: string; row?: number; refused?: string }

/** The embedded rows of a source: identity per row, n × dim values, and what was refused. */
export interface Embedded {
  source: string;
  modelVersion: string;
  dim: number;
  identities: string[];
  keys: string[];
  embeddings: Float32Array;
  refused: { key: string; identity: string; reason: string }[];
}

/** The files whose code decides an embedding: decoding, detection, alignment, preprocessing, the served-model runner, the sources. */
export const FACE_PATH_FILES = [
  'models/contract/preprocess.ts',
  'models/node/face-detector.ts',
  'models/node/load.ts',
  'trainer/data/images.ts',
  'trainer/evaluation/served-faces.ts',
  'scripts/lib/embedding-sources.ts',
  'scripts/lib/recompose.ts',
];

/** sha256 (12 hex) over FACE_PATH_FILES and every non-test module of models/contract/face/, path and bytes. */
export function faceCodeFingerprint(root = repoRoot): string {
  const faceDir = 'models/contract/face';
  const face = readdirSync(join(root, faceDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `${faceDir}/${f}`);
  const h = createHash('sha256');
  for (const f of [...FACE_PATH_FILES, ...face].sort()) h.update(f).update('\0').update(existsSync(join(root, f)) ? readFileSync(join(root, f)) : 'absent').update('\0');
  return h.digest('hex').slice(0, 12);
}

export const embeddingsDir = (modelVersion: string, source: string, root = join(repoRoot, '.cache', 'embeddings')) => join(root, modelVersion, source);

export class EmbeddingCache {
  private items = new Map<string, CacheItem>();
  private rows: Float32Array[] = [];
  private dim = 0;
  private readonly configText: string;

  constructor(readonly dir: string, readonly modelVersion: string, readonly source: string, config: unknown, readonly code = faceCodeFingerprint()) {
    this.configText = JSON.stringify(config);
    const index = join(dir, 'index.json');
    if (!existsSync(index)) return;
    const doc = JSON.parse(readFileSync(index, 'utf8')) as { config: string; code?: string; dim: number; items: CacheItem[] };
    if (doc.config !== this.configText || (doc.code ?? '') !== this.code) return;
    const b = readFileSync(join(dir, 'embeddings.f32'));
    const data = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    this.dim = doc.dim;
    for (const it of doc.items) {
      if (it.row !== undefined) {
        if ((it.row + 1) * this.dim > data.length) continue;
        this.rows[it.row] = data.slice(it.row * this.dim, (it.row + 1) * this.dim);
      }
      this.items.set(it.key, it);
    }
  }

  has(key: string) { return this.items.has(key); }
  get size() { return this.items.size; }

  put(key: string, identity: string, result: { embedding: Float32Array } | { refused: string }) {
    if ('refused' in result) { this.items.set(key, { key, identity, refused: result.refused }); return; }
    if (this.dim && result.embedding.length !== this.dim) throw new Error(`embedding of ${result.embedding.length} values, the cache holds ${this.dim}`);
    this.dim = result.embedding.length;
    this.items.set(key, { key, identity, row: this.rows.length });
    this.rows.push(result.embedding);
  }

  save() {
    mkdirSync(this.dir, { recursive: true });
    const data = new Float32Array(this.rows.length * this.dim);
    this.rows.forEach((r, i) => data.set(r, i * this.dim));
    writeFileSync(join(this.dir, 'embeddings.f32.tmp'), data);
    writeFileSync(join(this.dir, 'index.json.tmp'), JSON.stringify({ modelVersion: this.modelVersion, source: this.source, config: this.configText, code: this.code, dim: this.dim, items: [...this.items.values()] }));
    renameSync(join(this.dir, 'embeddings.f32.tmp'), join(this.dir, 'embeddings.f32'));
    renameSync(join(this.dir, 'index.json.tmp'), join(this.dir, 'index.json'));
  }

  /** The items of `keys` in that order (all must be cached): embedded rows packed, refusals listed. */
  embedded(keys: string[]): Embedded {
    const out: Embedded = { source: this.source, modelVersion: this.modelVersion, dim: this.dim, identities: [], keys: [], embeddings: new Float32Array(0), refused: [] };
    const rows: Float32Array[] = [];
    for (const key of keys) {
      const it = this.items.get(key);
      if (!it) throw new Error(`${this.source}: ${key} is not embedded yet`);
      if (it.row === undefined) { out.refused.push({ key, identity: it.identity, reason: it.refused ?? 'unknown' }); continue; }
      out.identities.push(it.identity);
      out.keys.push(key);
      rows.push(this.rows[it.row]);
    }
    out.embeddings = new Float32Array(rows.length * this.dim);
    rows.forEach((r, i) => out.embeddings.set(r, i * this.dim));
    return out;
  }

}
