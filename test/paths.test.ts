// paths.ts: one meaning per name. FACES_DIR (and --data) is the LFW root, PHOTOS_DIR the photos folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lfwImagesDir, lfwRoot, photosDir, repoRoot, resolveDataDir } from '../paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'paths-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('paths', () => {
  it('defaults sit beside the repo in ../shared/data', () => {
    expect(lfwRoot(undefined, {})).toBe(resolve(repoRoot, '..', 'shared', 'data', 'lfw'));
    expect(photosDir({})).toBe(resolve(repoRoot, '..', 'shared', 'data', 'photos'));
  });

  it('FACES_DIR and --data name the LFW root; its images are lfw-deepfunneled/ when present', () => {
    const root = join(tmp, 'lfw');
    mkdirSync(root);
    expect(lfwRoot(undefined, { FACES_DIR: root })).toBe(root);
    expect(lfwRoot(root, { FACES_DIR: '/elsewhere' })).toBe(root);
    expect(lfwImagesDir(root)).toBe(root);
    mkdirSync(join(root, 'lfw-deepfunneled'));
    writeFileSync(join(root, 'pairs.txt'), '');
    const lfw = resolveDataDir(undefined, { FACES_DIR: root });
    expect([lfw.root, lfw.images, lfw.file('pairs.txt')]).toEqual([root, join(root, 'lfw-deepfunneled'), join(root, 'pairs.txt')]);
    expect(() => lfw.file('pairsDevTest.txt')).toThrow(/LFW index file missing/);
  });

  it('a missing LFW root is reported plainly, naming FACES_DIR', () => {
    expect(() => resolveDataDir(undefined, { FACES_DIR: join(tmp, 'nope') })).toThrow(/set FACES_DIR to the LFW root/);
  });

  it('PHOTOS_DIR names the photos folder', () => {
    expect(photosDir({ PHOTOS_DIR: tmp })).toBe(tmp);
  });
});
