// Image bytes → unit embeddings: every header is checked (type, dimensions, truncation, box) before
// the model is even loaded, then each image is decoded and preprocessed in turn (one decoded bitmap
// in memory at a time) and all are embedded in one batch.
import { preprocess, type Box } from '../../../models/contract/preprocess';
import { checkBox } from '../image/box';
import { decodeImage } from '../image/decode';
import { ApiError } from '../http/errors';
import { readImageHeader } from '../image/header';
import { MAX_PIXELS, MAX_SIDE } from '../http/limits';
import type { Model } from './loader';

export interface ImageInput { field: string; bytes: Uint8Array; box?: Box }

export async function embedImages(getModel: () => Promise<Model>, inputs: ImageInput[]) {
  const headers = inputs.map(({ field, bytes, box }) => {
    const h = readImageHeader(bytes, field);
    if (h.width > MAX_SIDE || h.height > MAX_SIDE || h.width * h.height > MAX_PIXELS)
      throw new ApiError('image_too_many_pixels', `image "${field}" is ${h.width}×${h.height}; the limit is ${MAX_SIDE} per side and ${MAX_PIXELS} pixels`, {
        field, width: h.width, height: h.height, maxSide: MAX_SIDE, maxPixels: MAX_PIXELS,
      });
    if (box) checkBox(box, h, field);
    return h;
  });
  const model = await getModel();
  const tensors: Float32Array[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const img = await decodeImage(inputs[i].bytes, headers[i], inputs[i].field);
    tensors.push(preprocess(img, model.manifest.preprocess, inputs[i].box));
  }
  return { model, embeddings: await model.embedder.embed(tensors) };
}
