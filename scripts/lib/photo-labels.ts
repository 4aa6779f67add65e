// Who is in the ordinary photos (../shared/data/photos, its README): the enrolment folders
// (knn_examples/train/<identity>/*) and the people of every other photo, left to right. Shared by
// scripts/photos-identify.ts and the labelled-faces source of the impostor statistics.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const NOT_ENROLLED = '(not enrolled)';

/** Who is in each photo, left to right (photos/README.md); faces beyond the list are ignored. */
export const PHOTO_PEOPLE: Record<string, string[]> = {
  'knn_examples/test/alex_lacamoire1.jpg': ['alex_lacamoire'], 'knn_examples/test/johnsnow_test1.jpg': ['kit_harington'],
  'knn_examples/test/obama1.jpg': ['obama'], 'knn_examples/test/kit_with_rose.jpg': ['rose_leslie', 'kit_harington'],
  'knn_examples/test/obama_and_biden.jpg': ['biden', 'obama'], 'two_people.jpg': ['obama', 'biden'],
  'obama-240p.jpg': ['obama'], 'obama-480p.jpg': ['obama'], 'obama-720p.jpg': ['obama'], 'obama-1080p.jpg': ['obama'],
  'obama_small.jpg': ['obama'], 'obama3.jpg': ['obama'], '32bit.png': ['obama'], 'obama_partial_face.jpg': ['obama'],
  'obama_partial_face2.jpg': ['obama'], 'alex-lacamoire.png': ['alex_lacamoire'], 'lin-manuel-miranda.png': [NOT_ENROLLED],
};

export const ENROLMENT_DIR = 'knn_examples/train';

/** The enrolment photos, relative to the photos folder, sorted: folder name = identity. */
export function enrolmentPhotos(photos: string): { identity: string; photo: string }[] {
  const dir = join(photos, ENROLMENT_DIR);
  return readdirSync(dir).sort().flatMap((identity) => readdirSync(join(dir, identity)).sort().map((f) => ({ identity, photo: `${ENROLMENT_DIR}/${identity}/${f}` })));
}
