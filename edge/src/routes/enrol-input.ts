// The body of an enrolment (PUT /admin/identities/:id, POST …/images), as schemas (validation and
// the OpenAPI description) and what is left after them: bytes, counts, meta size.
// multipart: repeated `image` files [, repeated `box` in the same order] [, meta as a JSON string] [, face] [, quality] [, expiresAt | retainDays]
// JSON: { images: [base64 | { image: base64, box? }], meta?: object, face?: 'single' | 'largest', quality?: 'check' | 'skip', expiresAt? | retainDays? }
import { z } from '@hono/zod-openapi';
import type { ImageInput } from '../model/embed-images';
import type { FacePolicy } from '../../../models/contract/face/pipeline';
import { BoxField, BoxText } from '../image/box';
import { ApiError } from '../http/errors';
import { MAX_IMAGES_PER_REQUEST, MAX_META_BYTES } from '../http/limits';
import { Base64Image, FormImage, imageBytes, intField, optionalText } from '../http/request-input';
import { MAX_RETAIN_DAYS } from '../identity/retention';

/** face=single (default: a group photo is refused) or face=largest (use the largest face). */
export const FacePolicyField = optionalText(z.enum(['single', 'largest'], { error: 'must be "single" or "largest"' })).openapi({
  type: 'string',
  enum: ['single', 'largest'],
  default: 'single',
  description: 'single: a photo with several faces is refused (422 multiple_faces) unless its box selects one; largest: use the largest face',
});

/** quality=check (default: a face below the enrolment quality floor is refused, 422 low_quality) or quality=skip. */
export const QualityField = optionalText(z.enum(['check', 'skip'], { error: 'must be "check" or "skip"' })).openapi({
  type: 'string',
  enum: ['check', 'skip'],
  default: 'check',
  description: 'check: a face below the enrolment quality floor is refused (422 low_quality, with the reasons); skip: enrol it anyway (its quality is still reported)',
});

/** Retention: the identity is deleted automatically (by its writer's alarm, audited as action "expire") at this time. */
const retention = {
  expiresAt: intField(1, Number.MAX_SAFE_INTEGER, 'delete this identity automatically at this time, ms since the epoch (in the future, at most ' +
    `${MAX_RETAIN_DAYS} days away); or use retainDays, not both. PUT without either enrols without expiry; POST …/images without either keeps the identity's`),
  retainDays: intField(1, MAX_RETAIN_DAYS, 'delete this identity automatically this many days from now (sets expiresAt); or use expiresAt, not both'),
};

const Meta = z.record(z.string(), z.unknown()).openapi({ description: `caller metadata stored with the identity, ≤ ${MAX_META_BYTES} bytes as JSON` });
const imagesDoc = { description: `1–${MAX_IMAGES_PER_REQUEST} images (more: 400 too_many_images)`, maxItems: MAX_IMAGES_PER_REQUEST };

export const EnrolJson = z
  .object({
    images: z.array(z.union([Base64Image, z.object({ image: Base64Image, box: BoxField })], { error: 'must be a base64 string or { image, box? }' })).openapi(imagesDoc),
    meta: z.union([Meta, z.string()], { error: 'must be a JSON object' }).nullish(),
    face: FacePolicyField,
    quality: QualityField,
    ...retention,
  })
  .openapi('EnrolJson');

const many = <T extends z.ZodType>(one: T) => z.union([one, z.array(one)]).transform((v) => (Array.isArray(v) ? v : [v]));
export const EnrolForm = z
  .object({
    image: many(FormImage).openapi({ type: 'array', items: { type: 'string', format: 'binary' }, ...imagesDoc }),
    box: many(BoxText).optional().openapi({ type: 'array', items: { type: 'string' }, description: 'one per image, in order ("" for none): JSON {"x","y","w","h"} or "x,y,w,h"' }),
    meta: optionalText(z.string()).openapi({ type: 'string', description: `JSON object ≤ ${MAX_META_BYTES} bytes` }),
    face: FacePolicyField,
    quality: QualityField,
    ...retention,
  })
  .openapi('EnrolForm');

type Body = z.output<typeof EnrolJson> | z.output<typeof EnrolForm>;

/** The images and their boxes, in order: their bytes read (and their count and byte limits checked). */
export async function enrolImages(body: Body): Promise<ImageInput[]> {
  const items = 'images' in body ? body.images.map((v) => (typeof v === 'string' ? { image: v, box: undefined } : v)) : body.image.map((image, i) => ({ image, box: body.box?.[i] }));
  if (!items.length) throw new ApiError('invalid_request', 'send at least one image (multipart "image" or JSON "images")');
  if (items.length > MAX_IMAGES_PER_REQUEST)
    throw new ApiError('too_many_images', `at most ${MAX_IMAGES_PER_REQUEST} images per request`, { limit: MAX_IMAGES_PER_REQUEST });
  const out: ImageInput[] = [];
  for (const [i, { image, box }] of items.entries()) out.push({ field: `images[${i}]`, bytes: await imageBytes(image, `images[${i}]`), box });
  return out;
}

/** meta: an object, or its JSON text; at most MAX_META_BYTES. */
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
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ApiError('invalid_request', '"meta" must be a JSON object', { field: 'meta' });
  if (new TextEncoder().encode(JSON.stringify(v)).length > MAX_META_BYTES)
    throw new ApiError('invalid_request', `"meta" is over ${MAX_META_BYTES} bytes`, { field: 'meta', limit: MAX_META_BYTES });
  return v as Record<string, unknown>;
}

export const facePolicy = (body?: FacePolicy, query?: FacePolicy): FacePolicy => body ?? query ?? 'single';
