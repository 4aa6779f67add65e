// The body of an enrolment (PUT /admin/identities/:id, POST …/images):
// multipart: repeated `image` files [, repeated `box` in the same order] [, meta as a JSON string]
// JSON: { images: [base64 | { image: base64, box? }], meta?: object, face?: 'single' | 'largest' }
import type { ImageInput } from '../model/embed-images';
import type { FacePolicy } from '../../../models/contract/face/pipeline';
import { parseBox } from '../image/box';
import { ApiError } from '../http/errors';
import { MAX_IMAGES_PER_REQUEST, MAX_META_BYTES } from '../http/limits';
import { imageBytes, type Fields } from '../http/request-input';

export async function enrolImages(f: Fields): Promise<ImageInput[]> {
  const images = [...f.all('images'), ...f.all('image')];
  const boxes = f.all('box');
  if (!images.length) throw new ApiError('invalid_request', 'send at least one image (multipart "image" or JSON "images")');
  if (images.length > MAX_IMAGES_PER_REQUEST)
    throw new ApiError('too_many_images', `at most ${MAX_IMAGES_PER_REQUEST} images per request`, { limit: MAX_IMAGES_PER_REQUEST });
  const out: ImageInput[] = [];
  for (const [i, v] of images.entries()) {
    const field = `images[${i}]`;
    const wrapped = v && typeof v === 'object' && !(v instanceof Blob) ? (v as Record<string, unknown>) : null;
    out.push({
      field,
      bytes: await imageBytes(wrapped ? wrapped.image : v, field),
      box: parseBox(wrapped ? wrapped.box : boxes[i], `${field}.box`),
    });
  }
  return out;
}

export function enrolMeta(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let v: unknown = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      v = null;
    }
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ApiError('invalid_request', '"meta" must be a JSON object');
  if (new TextEncoder().encode(JSON.stringify(v)).length > MAX_META_BYTES)
    throw new ApiError('invalid_request', `"meta" is over ${MAX_META_BYTES} bytes`, { limit: MAX_META_BYTES });
  return v as Record<string, unknown>;
}

/** face=single (default: a group photo is refused) or face=largest (use the largest face). */
export function enrolFacePolicy(value: unknown): FacePolicy {
  if (value === undefined || value === null || value === '' || value === 'single') return 'single';
  if (value === 'largest') return 'largest';
  throw new ApiError('invalid_request', '"face" must be "single" or "largest"', { field: 'face' });
}
