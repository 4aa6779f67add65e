// Image bytes → unit embeddings: every header is checked (type, dimensions, truncation, box) before
// the model is even loaded, then each image is decoded, turned upright (EXIF), its face found and
// aligned (or the caller's box cropped), preprocessed in turn (one decoded bitmap in memory at a
// time), and all are embedded in one batch.
import { cropBox, preprocess, type Box } from '../../../models/contract/preprocess';
import type { FacePolicy } from '../../../models/contract/face/pipeline';
import { checkBox } from '../image/box';
import { decodeImage } from '../image/decode';
import { ApiError } from '../http/errors';
import { readImageHeader } from '../image/header';
import { applyOrientation, exifOrientation } from '../image/orient';
import { MAX_PIXELS, MAX_SIDE } from '../http/limits';
import type { Model } from './loader';
import { findFace, type FaceReport } from './find-face';

export interface ImageInput { field: string; bytes: Uint8Array; box?: Box }

/** How the face of each image was chosen: the caller's box, or the detector under a policy. */
export type FaceUsed = ({ source: 'detector' } & FaceReport) | { source: 'box'; box: Box } | { source: 'crop'; box: Box };

export async function embedImages(getModel: () => Promise<Model>, inputs: ImageInput[], policy: FacePolicy = 'largest') {
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
    if (box || !m.face || !model.detector) {
      tensors.push(preprocess(img, m.preprocess, box));
      faces.push({ source: box ? 'box' : 'crop', box: cropBox(img, m.preprocess, box) });
      continue;
    }
    const { canvas, face } = await findFace(model, img, policy, field);
    tensors.push(preprocess(canvas, m.preprocess));
    faces.push({ source: 'detector', ...face });
  }
  return { model, faces, embeddings: await model.embedder.embed(tensors) };
}
