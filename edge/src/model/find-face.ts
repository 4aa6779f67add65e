// The face a request uses: detection on the upright photo, the shared rules (models/contract/face
// pipeline.ts chooseFace: the policy, or the caller's box selecting a face) turned into API errors,
// and the aligned canvas the preprocessing crops.
import { alignDetection, BOX_MIN_IOU, chooseFace, detectFaces, type FacePolicy } from '../../../models/contract/face/pipeline';
import { KEYPOINTS, type Detection } from '../../../models/contract/face/detect';
import { faceQuality, qualityIssues, type FaceQuality, type QualityFloor } from '../../../models/contract/face/quality';
import type { Box, RawImage } from '../../../models/contract/preprocess';
import { ApiError } from '../http/errors';
import type { Model } from './loader';

/** What every answer reports about the face it used. */
export interface FaceReport {
  box: { x: number; y: number; w: number; h: number };
  landmarks: Record<(typeof KEYPOINTS)[number], [number, number]>;
  score: number;
  /** Faces the detector found in the photo. */
  facesFound: number;
  /** The face's quality (models/contract/face/quality.ts), rounded. */
  quality?: FaceQuality;
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const round2 = (v: number) => Math.round(v * 100) / 100;
/**
 * The report of one detection. Its box is clipped to the photo (a face at the edge overhangs it),
 * so that any reported box can be sent back as a request's `box` to select that face.
 */
export function faceReport(d: Detection, found: number, img: { width: number; height: number }): FaceReport {
  const x = r1(Math.max(0, d.box.x)), y = r1(Math.max(0, d.box.y));
  return {
    box: { x, y, w: r1(Math.min(img.width, d.box.x + d.box.w) - x), h: r1(Math.min(img.height, d.box.y + d.box.h) - y) },
    landmarks: Object.fromEntries(KEYPOINTS.map((k, i) => [k, [r1(d.landmarks[i][0]), r1(d.landmarks[i][1])]])) as FaceReport['landmarks'],
    score: Math.round(d.score * 1e4) / 1e4,
    facesFound: found,
  };
}

const roundQuality = (q: FaceQuality): FaceQuality => ({
  score: Math.round(q.score * 1e4) / 1e4, size: r1(q.size), roll: r1(q.roll), yaw: r1(q.yaw),
  sharpness: r1(q.sharpness), brightness: r1(q.brightness), clipped: Math.round(q.clipped * 1e3) / 1e3,
});

/**
 * Detects, applies the rules, aligns: the canvas to preprocess and the report, or a 422. A caller's
 * box selects the detected face it overlaps most (any policy); `overlap` is their IoU. With a
 * quality floor (enrolment), a face that misses it is 422 low_quality with the reasons.
 */
export async function findFace(model: Model, img: RawImage, policy: FacePolicy, field: string, box?: Box, floor?: QualityFloor): Promise<{ canvas: RawImage; face: FaceReport; overlap?: number }> {
  const spec = model.manifest.face!;
  const dets = await detectFaces(img, spec.detector, model.detector!);
  const c = chooseFace(dets, policy, spec.minFaceSize, box);
  if (!c.ok) {
    if (c.reason === 'no_face') throw new ApiError('no_face', `no face found in image "${field}"`, { field });
    if (c.reason === 'multiple_faces')
      throw new ApiError('multiple_faces', `image "${field}" has ${c.found} faces: send one face, the "box" of the face to use (details.faces lists each), or face=largest`, {
        field, facesFound: c.found, faces: c.faces.map((d) => faceReport(d, c.found, img)),
      });
    if (c.reason === 'box_no_face')
      throw new ApiError('box_no_face', `no face found in image "${field}" overlaps the box (intersection over union ≥ ${BOX_MIN_IOU}); faces found: ${c.found}`, {
        field, box, minOverlap: BOX_MIN_IOU, overlap: round2(c.overlap), facesFound: c.found, faces: c.faces.map((d) => faceReport(d, c.found, img)),
      });
    throw new ApiError('face_too_small', `the face in image "${field}" is ${Math.round(c.size)} px; the minimum is ${c.minimum} px`, {
      field, size: Math.round(c.size), minimum: c.minimum, face: faceReport(c.face, c.found, img),
    });
  }
  const canvas = alignDetection(img, c.face, spec.align).image;
  const quality = faceQuality(c.face, img);
  const face = { ...faceReport(c.face, c.found, img), quality: roundQuality(quality) };
  const reasons = floor ? qualityIssues(quality, floor) : [];
  if (reasons.length)
    throw new ApiError('low_quality', `the face in image "${field}" is below the enrolment quality floor: ${reasons.join('; ')} (send quality=skip to enrol it anyway)`, {
      field, reasons, floor, face,
    });
  return {
    canvas,
    face,
    ...(c.overlap === undefined ? {} : { overlap: round2(c.overlap) }),
  };
}
