// Identification on ordinary photos (../shared/data/photos, not LFW): enrol the knn_examples/train
// folders (folder = identity, one gallery row per photo, the best row wins as in the Worker's
// gallery), then identify every face in every other photo at the
// model's own T, through the same detection + alignment as the Worker (onnxruntime-node). Reports
// right / wrong / unknown per photo, and whether T holds on sharp photos (the not-enrolled person
// must come out unknown; different people's best similarity vs T), and the false-accept / false-reject
// rates at T over every pair of labelled faces (the threshold-transfer check beside LFW).
//   npx tsx scripts/photos-identify.ts [--manifest models/manifest.json] [--variant int8|fp32] [--json]
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { dot } from '../models/contract/distance.js';
import type { ModelManifest } from '../models/contract/manifest.js';
import { repoRoot } from '../paths.js';
import { decodeImage } from '../trainer/data/images.js';
import { ServedFaces } from '../trainer/evaluation/served-faces.js';
import { PHOTOS } from '../test/photos.js';
import { NOT_ENROLLED, PHOTO_PEOPLE as TRUTH } from './lib/photo-labels.js';

const { values } = parseArgs({ options: { manifest: { type: 'string', default: 'models/manifest.json' }, variant: { type: 'string', default: 'int8' }, json: { type: 'boolean' } } });
const m: ModelManifest = JSON.parse(readFileSync(join(repoRoot, values.manifest!), 'utf8'));
const served = await ServedFaces.create(m, 2, values.variant as 'fp32' | 'int8');
const facesOf = async (path: string) => (await served.leftToRight(await decodeImage(path))).map((f) => ({ x: f.x, e: f.embedding }));

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const gallery: { id: string; e: Float32Array }[] = [];
/** Every labelled face of every distinct photo, for the pairwise false-accept rate at T. */
const labelled: { id: string; e: Float32Array }[] = [];
const trainDir = join(PHOTOS, 'knn_examples/train');
const enrolled = new Set<string>();
for (const id of readdirSync(trainDir).sort())
  for (const f of readdirSync(join(trainDir, id)).sort()) {
    const p = join(trainDir, id, f);
    enrolled.add(sha(p));
    const [face] = await facesOf(p);
    if (face) gallery.push({ id, e: face.e });
    if (face) labelled.push({ id, e: face.e });
  }

const rows: { photo: string; expected: string; got: string; similarity: number; right: boolean }[] = [];
const T = m.threshold.similarity;
for (const [photo, people] of Object.entries(TRUTH)) {
  const p = join(PHOTOS, photo);
  if (enrolled.has(sha(p))) continue;
  const faces = await facesOf(p);
  people.forEach((expected, i) => {
    const f = faces[i];
    if (f) labelled.push({ id: expected === NOT_ENROLLED ? photo : expected, e: f.e });
    if (!f) { rows.push({ photo, expected, got: '(no face)', similarity: NaN, right: false }); return; }
    const best = gallery.map((g) => ({ id: g.id, s: dot(f.e, g.e) })).sort((a, b) => b.s - a.s)[0];
    const got = best.s > T ? best.id : 'unknown';
    rows.push({ photo: relative(PHOTOS, p), expected, got, similarity: Math.round(best.s * 1000) / 1000, right: got === expected || (expected === NOT_ENROLLED && got === 'unknown') });
  });
}
const right = rows.filter((r) => r.right).length;
// Threshold transfer: every pair of labelled faces, same person vs different people, against T.
const pairs = { same: 0, sameBelowT: 0, different: 0, differentAboveT: 0, maxDifferent: -1 };
for (let i = 0; i < labelled.length; i++)
  for (let j = i + 1; j < labelled.length; j++) {
    const s = dot(labelled[i].e, labelled[j].e);
    if (labelled[i].id === labelled[j].id) { pairs.same++; if (s <= T) pairs.sameBelowT++; }
    else { pairs.different++; if (s > T) pairs.differentAboveT++; pairs.maxDifferent = Math.max(pairs.maxDifferent, s); }
  }
const summary = { model: m.modelVersion, backbone: m.backbone.name, variant: values.variant, threshold: Math.round(T * 1000) / 1000, galleryRows: gallery.length, faces: rows.length, right, wrong: rows.filter((r) => !r.right && r.got !== 'unknown').length, unknownButEnrolled: rows.filter((r) => !r.right && r.got === 'unknown').length,
  pairs: { ...pairs, falseAcceptRate: pairs.differentAboveT / pairs.different, falseRejectRate: pairs.sameBelowT / pairs.same, maxDifferent: Math.round(pairs.maxDifferent * 1000) / 1000 } };
if (values.json) console.log(JSON.stringify({ summary, rows }, null, 2));
else {
  console.log('| photo | expected | answer | best similarity |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.photo} | ${r.expected} | ${r.got}${r.right ? '' : ' ✗'} | ${r.similarity} |`);
  console.log(`\n${summary.model} (${summary.variant}), T = ${summary.threshold}: ${right}/${rows.length} faces right, ${summary.wrong} wrong identity, ${summary.unknownButEnrolled} enrolled people not recognised; gallery ${gallery.length} photos`);
  const q = summary.pairs;
  console.log(`pairs of labelled faces at T: different people above T ${q.differentAboveT}/${q.different} (FAR ${(100 * q.falseAcceptRate).toFixed(1)}%, highest ${q.maxDifferent}), same person at or below T ${q.sameBelowT}/${q.same} (FRR ${(100 * q.falseRejectRate).toFixed(1)}%)`);
}
