// The face a request uses: detection on the upright photo, the shared rules (models/contract/face
// pipeline.ts chooseFace) turned into API errors, and the aligned canvas the preprocessing crops.
import { alignDetection, chooseFace, detectFaces, type FacePolicy } from '../../../models/contract/face/pipeline';
import { KEYPOINTS, type Detection } from '../../../models/contract/face/detect';
import type { RawImage } from '../../../models/contract/preprocess';
import { ApiError } from '../http/errors';
import type { Model } from './loader';

/** What every answer reports about the face it used. */
export interface FaceReport {
  box: { x: number; y: number; w: number; h: number };
  landmarks: Record<(typeof KEYPOINTS)[number], [number, number]>;
  score: number;
  /** Faces the detector found in the photo. */
  facesFound: number;
}

const r1 = (v: number) => Math.round(v * 10) / 10;
export function faceReport(d: Detection, found: number): FaceReport {
  return {
    box: { x: r1(d.box.x), y: r1(d.box.y), w: r1(d.box.w), h: r1(d.box.h) },
    landmarks: Object.fromEntries(KEYPOINTS.map((k, i) => [k, [r1(d.landmarks[i][0]), r1(d.landmarks[i][1])]])) as FaceReport['landmarks'],
    score: Math.round(d.score * 1e4) / 1e4,
    facesFound: found,
  };
}

/** Detects, applies the rules, aligns: the canvas to preprocess and the report, or a 422. */
export async function findFace(model: Model, img: RawImage, policy: FacePolicy, field: string): Promise<{ canvas: RawImage; face: FaceReport }> {
  const spec = model.manifest.face!;
  const dets = await detectFaces(img, spec.detector, model.detector!);
  const c = chooseFace(dets, policy, spec.minFaceSize);
  if (!c.ok) {
    if (c.reason === 'no_face') throw new ApiError('no_face', `no face found in image "${field}"`, { field });
    if (c.reason === 'multiple_faces')
      throw new ApiError('multiple_faces', `image "${field}" has ${c.found} faces: send one face, a "box", or face=largest`, {
        field, facesFound: c.found, faces: c.faces.map((d) => faceReport(d, c.found)),
      });
    throw new ApiError('face_too_small', `the face in image "${field}" is ${Math.round(c.size)} px; the minimum is ${c.minimum} px`, {
      field, size: Math.round(c.size), minimum: c.minimum, face: faceReport(c.face, c.found),
    });
  }
  return { canvas: alignDetection(img, c.face, spec.align).image, face: faceReport(c.face, c.found) };
}
