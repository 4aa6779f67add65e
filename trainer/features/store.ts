// On-disk feature cache: one folder per (backbone, preprocessing, feature name), rows appended in
// chunks so an interrupted extraction resumes where it stopped.
//   <root>/<key>/meta.json      { dim, key, backboneSha256, preprocess, featureName, flip, framing?, face? }
//   <root>/<key>/paths.txt      one image path (relative to the data root) per row, in row order
//   <root>/<key>/features.f32   rows × dim float32, little-endian
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

export interface FeatureMeta {
  key: string;
  dim: number;
  featureName: string;
  flip: boolean;
  backboneSha256: string;
  preprocess: unknown;
  /** Aligned stores: the framing key (detector id + FaceSpec hash) and the FaceSpec the images were aligned with. */
  framing?: string;
  face?: unknown;
}

/** `<backbone>-<preprocess hash>[-<framing>]-<feature>[-flip]`; no framing = the fixed crop of the LFW image as-is. */
export function featureKey(backboneSha256: string, preprocess: unknown, featureName: string, flip: boolean, framing?: string): string {
  const p = createHash('sha256').update(JSON.stringify(preprocess)).digest('hex').slice(0, 8);
  return `${backboneSha256.slice(0, 12)}-${p}-${framing ? `${framing}-` : ''}${featureName}${flip ? '-flip' : ''}`;
}

export class FeatureStore {
  readonly dir: string;
  readonly meta: FeatureMeta;
  private index = new Map<string, number>();
  private data: Float32Array = new Float32Array(0);
  private capacity = 0;

  private constructor(dir: string, meta: FeatureMeta) {
    this.dir = dir;
    this.meta = meta;
  }

  /** Opens (creating if needed) the store for this key under root, truncating any half-written chunk. */
  static open(root: string, meta: FeatureMeta): FeatureStore {
    const dir = join(root, meta.key);
    mkdirSync(dir, { recursive: true });
    const metaPath = join(dir, 'meta.json');
    if (!existsSync(metaPath)) writeFileSync(metaPath, JSON.stringify(meta, null, 2));
    const store = new FeatureStore(dir, JSON.parse(readFileSync(metaPath, 'utf8')));
    store.load();
    return store;
  }

  /** Opens an existing store read-only by its folder. */
  static read(dir: string): FeatureStore {
    const store = new FeatureStore(dir, JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')));
    store.load();
    return store;
  }

  private load() {
    const pathsFile = join(this.dir, 'paths.txt');
    const dataFile = join(this.dir, 'features.f32');
    const paths = existsSync(pathsFile) ? readFileSync(pathsFile, 'utf8').split('\n').filter(Boolean) : [];
    const bytes = existsSync(dataFile) ? statSync(dataFile).size : 0;
    const rows = Math.min(paths.length, Math.floor(bytes / 4 / this.meta.dim));
    // paths.txt is written after the data, so a crash leaves at most extra data rows: keep the prefix.
    const buf = rows > 0 ? readFileSync(dataFile).subarray(0, rows * this.meta.dim * 4) : Buffer.alloc(0);
    this.data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    if (rows !== paths.length || bytes !== rows * this.meta.dim * 4) {
      writeFileSync(dataFile, buf);
      writeFileSync(pathsFile, paths.slice(0, rows).map((p) => p + '\n').join(''));
    }
    this.capacity = this.data.length;
    this.index = new Map(paths.slice(0, rows).map((p, i) => [p, i]));
  }

  get size(): number {
    return this.index.size;
  }

  has(path: string): boolean {
    return this.index.has(path);
  }

  /** The feature row of one image (a view, do not mutate). */
  get(path: string): Float32Array {
    const i = this.index.get(path);
    if (i === undefined) throw new Error(`no cached features for ${path} in ${this.dir}`);
    return this.data.subarray(i * this.meta.dim, (i + 1) * this.meta.dim);
  }

  paths(): string[] {
    return [...this.index.keys()];
  }

  /** Appends a chunk of rows durably: data first, then their paths. */
  append(paths: string[], rows: Float32Array) {
    if (rows.length !== paths.length * this.meta.dim) throw new Error('append: rows do not match paths × dim');
    appendFileSync(join(this.dir, 'features.f32'), Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength));
    appendFileSync(join(this.dir, 'paths.txt'), paths.map((p) => p + '\n').join(''));
    const used = this.index.size * this.meta.dim;
    if (this.capacity < used + rows.length) {
      this.capacity = Math.max(2 * this.capacity, used + rows.length);
      const grown = new Float32Array(this.capacity);
      grown.set(this.data.subarray(0, used));
      this.data = grown;
    }
    this.data.set(rows, used);
    for (const p of paths) this.index.set(p, this.index.size);
  }
}
