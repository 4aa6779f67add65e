// Image bytes → unit embeddings: every header is checked (type, dimensions, truncation, box) before
// the model is even loaded, then each image is decoded, turned upright (EXIF), its face found (or
// selected by the caller's box) and aligned, preprocessed in turn (one decoded bitmap in memory at
// a time), and all are embedded in one batch. A model without a face pipeline crops instead.
import { cropBox, preprocess, type Box } from '../../../models/contract/preprocess';
import type { FacePolicy } from '../../../models/contract/face/pipeline';
import type { QualityFloor } from '../../../models/contract/face/quality';
import { checkBox } from '../image/box';
import { decodeImage } from '../image/decode';
import { ApiError } from '../http/errors';
import { readImageHeader } from '../image/header';
import { applyOrientation, exifOrientation } from '../image/orient';
import { MAX_PIXELS, MAX_SIDE } from '../http/limits';
import type { Model } from './loader';
import { findFace, type FaceReport } from './find-face';

export interface ImageInput { field: string; bytes: Uint8Array; box?: Box }

/**
 * How the face of each image was chosen: by the detector under a policy, or by the caller's box
 * (the detected face it overlaps most, aligned like any other); without a face pipeline, the
 * caller's box or the manifest's fixed crop, cropped as is.
 */
export type FaceUsed =
  | ({ source: 'detector' } & FaceReport)
  | ({ source: 'box'; requested: Box; overlap: number } & FaceReport)
  | { source: 'box' | 'crop'; box: Box };

/** `floor`: the quality floor each face must meet (enrolment); probes only report their quality. */
export async function embedImages(getModel: () => Promise<Model>, inputs: ImageInput[], policy: FacePolicy = 'largest', floor?: QualityFloor) {
  const headers = inputs.map(({ field, bytes, box }) => {
    const h = readImageHeader(bytes, field);
    if (h.width > MAX_SIDE || h.height > MAX_SIDE || h.width * h.height > MAX_PIXELS)
      throw new ApiError('image_too_many_pixels', `image "${field}" is ${h.width}×${h.height}; the limit is ${MAX_SIDE} per side and ${MAX_PIXELS} pixels`, {
        field, width: h.width, height: h.height, maxSide: MAX_SIDE, maxPixels: MAX_PIXELS,
      });
    const orientation = exifOrientation(bytes);
    const upright = orientation >= 5 ? { width: h.height, height: h.width } : h;
    if (box) checkBox(box, upright, field);
    return { header: h, orientation };
  });
  const model = await getModel();
  const m = model.manifest;
  const tensors: Float32Array[] = [];
  const faces: FaceUsed[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const { field, box } = inputs[i];
    const img = applyOrientation(await decodeImage(inputs[i].bytes, headers[i].header, field), headers[i].orientation);
    if (!m.face || !model.detector) {
      tensors.push(preprocess(img, m.preprocess, box));
      faces.push({ source: box ? 'box' : 'crop', box: cropBox(img, m.preprocess, box) });
      continue;
    }
    const { canvas, face, overlap } = await findFace(model, img, policy, field, box, floor);
    tensors.push(preprocess(canvas, m.preprocess));
    faces.push(box ? { source: 'box', requested: box, overlap: overlap ?? 0, ...face } : { source: 'detector', ...face });
  }
  return { model, faces, embeddings: await model.embedder.embed(tensors) };
}
