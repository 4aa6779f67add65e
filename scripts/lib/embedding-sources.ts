// The image sources of the impostor statistics and the identification benchmark, each embedded by a
// served model through the whole face path (trainer/evaluation/served-faces.ts) and cached per model
// version (trainer/evaluation/embedding-cache.ts):
//   lfw         every image of the LFW peopleDevTest identities (disjoint from the InceptionV3 head's
//               training); the largest face, refusals (no face, too small) kept and counted
//   recomposed  a seeded few images per peopleDevTest person, re-composed as ordinary pictures by the
//               framing benchmark's composer (scripts/lib/recompose.ts), JPEG-encoded, decoded again
// In both, a largest face whose centre is more than OFF_CENTRE px (of the 250 px LFW photo) from the
// photo's centre is not the labelled person (LFW photos are centred on them; a re-composed picture's
// second face is another test person's photo) and is counted as `off_centre` instead of embedded,
// the framing benchmark's wrong-face rule.
//   photos      the labelled faces of ../shared/data/photos (scripts/lib/photo-labels.ts), each
//               distinct file once (by content), faces named left to right as photos-identify does
//   cohort      the verify S-norm cohort: one seeded image of each of a seeded draw of TRAINING
//               identities (peopleDevTrain less the head's validation slice), never peopleDevTest
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RawImage } from '../../models/contract/preprocess.js';
import type { ModelManifest } from '../../models/contract/manifest.js';
import type { LfwDir } from '../../paths.js';
import { decodeImage } from '../../trainer/data/images.js';
import { devIdentities } from '../../trainer/data/lfw-data.js';
import { indexImages, readPeople } from '../../trainer/data/lfw.js';
import { makeRng, shuffle, subSeed } from '../../trainer/data/rng.js';
import { DEFAULT_CONFIG } from '../../trainer/training/config.js';
import { EmbeddingCache, embeddingsDir, type Embedded } from '../../trainer/evaluation/embedding-cache.js';
import type { ServedFaces } from '../../trainer/evaluation/served-faces.js';
import { apply, invert } from '../../models/contract/face/align.js';
import type { Detection } from '../../models/contract/face/detect.js';
import { DEFAULT_RECOMPOSE, drawPlan, placementTransform, render } from './recompose.js';
import { enrolmentPhotos, NOT_ENROLLED, PHOTO_PEOPLE } from './photo-labels.js';

export const SOURCES = ['lfw', 'recomposed', 'photos'] as const;
export type SourceId = (typeof SOURCES)[number];

export function checkSource(s: string): SourceId {
  if (!(SOURCES as readonly string[]).includes(s)) throw new Error(`unknown source '${s}' (known: ${SOURCES.join(', ')})`);
  return s as SourceId;
}

export const COHORT = 'cohort';
/** Training identities drawn for the cohort beyond its size, so refused faces leave it full. */
export const COHORT_SPARE = 50;

export interface SourceOptions { lfw?: LfwDir; photos?: string; seed: number; perPerson: number; cohort?: { size: number; seed: number } }

export const OFF_CENTRE = 50;

/** A picture, and for one-person pictures where the subject's face must be (picture → 250 px source photo pixels). */
interface Loaded { img: RawImage; toSource?: (p: [number, number]) => [number, number] }

/** One picture to embed: its faces' keys and identities (one: the largest face; several: left to right). */
interface Job { keys: string[]; identities: string[]; load(): Promise<Loaded> }

const isSubject = (d: Detection, toSource: (p: [number, number]) => [number, number]) => {
  const [x, y] = toSource([d.box.x + d.box.w / 2, d.box.y + d.box.h / 2]);
  return Math.hypot(x - 125, y - 125) <= OFF_CENTRE;
};

/** peopleDevTest identities and their image paths (those present in the images folder), sorted by name. */
export function lfwTestPeople(lfw: LfwDir): { name: string; paths: string[] }[] {
  const index = indexImages(lfw.images);
  return readPeople(lfw.file('peopleDevTest.txt'))[0].map((p) => ({ name: p.name, paths: index.get(p.name) ?? [] })).filter((p) => p.paths.length).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** An LFW photo, its subject centred on the 250 px source. */
async function lfwPhoto(lfw: LfwDir, path: string): Promise<Loaded> {
  const img = await decodeImage(join(lfw.images, path));
  const k = 250 / img.width;
  return { img, toSource: ([x, y]: [number, number]): [number, number] => [x * k, y * k] };
}

function lfwJobs(lfw: LfwDir): Job[] {
  return lfwTestPeople(lfw).flatMap((p) => p.paths.map((path) => ({
    keys: [path], identities: [p.name],
    load: () => lfwPhoto(lfw, path),
  })));
}

const toBytes = (img: RawImage) => Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);

/** Person p's picks (a seeded shuffle of its images, the first perPerson), each re-composed from its own stream. */
function recomposedJobs(lfw: LfwDir, seed: number, perPerson: number): Job[] {
  const people = lfwTestPeople(lfw);
  const pool = people.flatMap((p) => p.paths);
  return people.flatMap((person, p) => {
    const picks = shuffle([...person.paths], makeRng(subSeed(seed, p))).slice(0, perPerson);
    return picks.map((path, k) => ({
      keys: [`${path}@recomposed`],
      identities: [person.name],
      load: async () => {
        const others = pool.filter((q) => !q.startsWith(`${person.name}/`));
        const rng = makeRng(subSeed(seed, p, k));
        const plan = drawPlan(rng);
        const bgs = await Promise.all(plan.tiles.map(() => decodeImage(join(lfw.images, others[rng.int(others.length)]))));
        const second = plan.second ? await decodeImage(join(lfw.images, others[rng.int(others.length)])) : undefined;
        const subject = await decodeImage(join(lfw.images, path));
        const picture = render(plan, subject, bgs, second);
        const jpeg = await sharp(toBytes(picture), { raw: { width: picture.width, height: picture.height, channels: 3 } }).jpeg({ quality: plan.quality }).toBuffer();
        const back = invert(placementTransform(plan.face, subject.width, subject.height)), to250 = 250 / subject.width;
        return { img: await decodeImage(jpeg), toSource: (p: [number, number]): [number, number] => { const q = apply(back, p); return [q[0] * to250, q[1] * to250]; } };
      },
    }));
  });
}

const HEAD_SPLIT = { valFraction: DEFAULT_CONFIG.valFraction, seed: DEFAULT_CONFIG.seed };

/** One seeded image of each of size + COHORT_SPARE seeded training identities (the head's split). */
function cohortJobs(lfw: LfwDir, seed: number, size: number): Job[] {
  const rng = makeRng(subSeed(seed, size));
  const train = devIdentities(lfw, HEAD_SPLIT.valFraction, HEAD_SPLIT.seed).train;
  return shuffle([...train.keys()].sort(), rng).slice(0, size + COHORT_SPARE).map((name) => {
    const paths = train.get(name)!, path = paths[rng.int(paths.length)];
    return { keys: [path], identities: [name], load: () => lfwPhoto(lfw, path) };
  });
}

/** Every distinct labelled photo (enrolment folders first); a photo of one person not enrolled names its own identity. */
function photoJobs(photos: string): Job[] {
  const seen = new Set<string>();
  const jobs: Job[] = [];
  const add = (photo: string, people: string[]) => {
    const sha = createHash('sha256').update(readFileSync(join(photos, photo))).digest('hex');
    if (seen.has(sha)) return;
    seen.add(sha);
    jobs.push({ keys: people.map((_p, i) => `${photo}#${i}`), identities: people.map((p) => (p === NOT_ENROLLED ? photo : p)), load: async () => ({ img: await decodeImage(join(photos, photo)) }) });
  };
  for (const { identity, photo } of enrolmentPhotos(photos)) add(photo, [identity]);
  for (const [photo, people] of Object.entries(PHOTO_PEOPLE)) add(photo, people);
  return jobs;
}

function jobsOf(source: SourceId | typeof COHORT, o: SourceOptions): Job[] {
  const need = <T>(v: T | undefined, what: string): T => { if (v === undefined) throw new Error(`source ${source} needs ${what}`); return v; };
  if (source === COHORT) { const c = need(o.cohort, 'its size and seed'); return cohortJobs(need(o.lfw, 'the LFW data'), c.seed, c.size); }
  if (source === 'lfw') return lfwJobs(need(o.lfw, 'the LFW data'));
  if (source === 'recomposed') return recomposedJobs(need(o.lfw, 'the LFW data'), o.seed, o.perPerson);
  return photoJobs(need(o.photos, 'the photos folder'));
}

/** What a source's cache depends on besides the model version. */
const configOf = (source: SourceId | typeof COHORT, o: SourceOptions) =>
  source === COHORT ? { source, seed: o.cohort?.seed, size: o.cohort?.size, spare: COHORT_SPARE, split: HEAD_SPLIT, offCentre: OFF_CENTRE }
    : source === 'recomposed' ? { source, seed: o.seed, perPerson: o.perPerson, recompose: DEFAULT_RECOMPOSE, offCentre: OFF_CENTRE }
    : source === 'lfw' ? { source, offCentre: OFF_CENTRE } : { source };

export type EmbedProgress = (done: number, total: number) => void;

/**
 * The source's faces embedded by `faces` (what the cache lacks is computed and saved as it goes).
 * `pictures` counts the pictures the source holds; `seconds` the time spent embedding in this call.
 */
export async function embedSource(source: SourceId | typeof COHORT, m: ModelManifest, faces: () => Promise<ServedFaces>, o: SourceOptions, progress: EmbedProgress = () => {}, saveEvery = 100): Promise<Embedded & { pictures: number; seconds: number }> {
  const jobs = jobsOf(source, o);
  const dir = source === COHORT ? `${COHORT}-${o.cohort?.size}-seed${o.cohort?.seed}` : source;
  const cache = new EmbeddingCache(embeddingsDir(m.modelVersion, dir), m.modelVersion, source, configOf(source, o));
  const todo = jobs.filter((j) => j.keys.some((k) => !cache.has(k)));
  const t0 = performance.now();
  let served: ServedFaces | undefined;
  for (const [i, job] of todo.entries()) {
    served ??= await faces();
    const { img, toSource } = await job.load();
    if (toSource) {
      const r = await served.largest(img);
      cache.put(job.keys[0], job.identities[0], 'face' in r && !isSubject(r.face, toSource) ? { refused: 'off_centre' } : r);
    } else {
      const found = await served.leftToRight(img);
      job.keys.forEach((k, f) => cache.put(k, job.identities[f], found[f] ? { embedding: found[f].embedding } : { refused: 'no_usable_face' }));
    }
    if ((i + 1) % saveEvery === 0) cache.save();
    progress(i + 1, todo.length);
  }
  if (todo.length) cache.save();
  return { ...cache.embedded(jobs.flatMap((j) => j.keys)), pictures: jobs.length, seconds: (performance.now() - t0) / 1000 };
}
