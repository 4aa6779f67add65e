import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddingCache, faceCodeFingerprint } from './embedding-cache.js';

describe('embedding cache', () => {
  const root = mkdtempSync(join(tmpdir(), 'emb-cache-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'v1', 'lfw');

  it('keeps rows and refusals across instances, in the order asked for', () => {
    const a = new EmbeddingCache(dir, 'v1', 'lfw', { source: 'lfw' });
    a.put('x/1.jpg', 'x', { embedding: Float32Array.from([1, 0, 0]) });
    a.put('y/1.jpg', 'y', { refused: 'no_face' });
    a.put('z/1.jpg', 'z', { embedding: Float32Array.from([0, 0.6, 0.8]) });
    a.save();
    const b = new EmbeddingCache(dir, 'v1', 'lfw', { source: 'lfw' });
    expect(b.size).toBe(3);
    const e = b.embedded(['z/1.jpg', 'y/1.jpg', 'x/1.jpg']);
    expect(e.identities).toEqual(['z', 'x']);
    expect(Array.from(e.embeddings)).toEqual([0, Math.fround(0.6), Math.fround(0.8), 1, 0, 0]);
    expect(e.refused).toEqual([{ key: 'y/1.jpg', identity: 'y', reason: 'no_face' }]);
    expect(() => b.embedded(['w/1.jpg'])).toThrow(/not embedded/);
  });

  it('starts over when the source config changes, and refuses rows of another size', () => {
    const c = new EmbeddingCache(dir, 'v1', 'lfw', { source: 'lfw', seed: 2 });
    expect(c.size).toBe(0);
    c.put('x/1.jpg', 'x', { embedding: new Float32Array(3) });
    expect(() => c.put('x/2.jpg', 'x', { embedding: new Float32Array(4) })).toThrow(/3/);
  });

  it('starts over when the face-path code differs (another commit, an uncommitted draft)', () => {
    const d = join(root, 'v1', 'code');
    const a = new EmbeddingCache(d, 'v1', 'lfw', { source: 'lfw' }, 'draft');
    a.put('x/1.jpg', 'x', { embedding: Float32Array.from([1, 0, 0]) });
    a.save();
    expect(new EmbeddingCache(d, 'v1', 'lfw', { source: 'lfw' }, 'draft').size).toBe(1);
    expect(new EmbeddingCache(d, 'v1', 'lfw', { source: 'lfw' }, 'committed').size).toBe(0);
    expect(new EmbeddingCache(d, 'v1', 'lfw', { source: 'lfw' }).size).toBe(0);
  });

  it('fingerprints the face-path sources: stable, and changed by one byte of one of them', () => {
    const repo = mkdtempSync(join(root, 'repo-'));
    const files = ['models/contract/face/align.ts', 'models/contract/face/align.test.ts', 'models/contract/preprocess.ts'];
    for (const f of files) {
      mkdirSync(join(repo, f, '..'), { recursive: true });
      writeFileSync(join(repo, f), `// ${f}\n`);
    }
    const before = faceCodeFingerprint(repo);
    expect(faceCodeFingerprint(repo)).toBe(before);
    writeFileSync(join(repo, 'models/contract/face/align.test.ts'), '// a test changed\n');
    expect(faceCodeFingerprint(repo)).toBe(before);
    writeFileSync(join(repo, 'models/contract/face/align.ts'), '// align changed\n');
    expect(faceCodeFingerprint(repo)).not.toBe(before);
  });
});
