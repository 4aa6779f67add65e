// Request bodies: multipart/form-data or JSON. Each route declares one zod schema per body type
// (routes/*.ts, through @hono/zod-openapi), which both validates the request (failures: 400
// invalid_request, routes/openapi.ts's hook) and documents it in /openapi.json. The field schemas
// shared by the routes live here, as does the image check that needs the bytes (imageBytes).
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { base64Size, decodeBase64 } from './base64';
import { ApiError } from './errors';
import { MAX_IMAGE_BYTES, MAX_PIXELS, MAX_SIDE } from './limits';

const imageLimits = `JPEG or PNG, ≤ ${MAX_IMAGE_BYTES} bytes, ≤ ${MAX_SIDE} px a side and ≤ ${MAX_PIXELS} px`;

/** An image in a JSON body. */
export const Base64Image = z.string().openapi({ description: `base64 ${imageLimits} (a data: URL prefix is accepted)` });

/** An image in a multipart body: a file part (or, as in JSON, a base64 text part). */
export const FormImage = z
  .union([z.instanceof(Blob).openapi({ type: 'string', format: 'binary' }), z.string()], { error: 'must be a file or a base64 string' })
  .openapi({ type: 'string', format: 'binary', description: `${imageLimits}; a text part is read as base64` });

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const asNumber = (v: unknown) => (isBlank(v) ? undefined : typeof v === 'string' ? Number(v) : v);

/** An optional number; multipart (and JSON, for convenience) may send it as text. */
export const numberField = (schema: z.ZodNumber, description: string, doc: { type?: 'number' | 'integer'; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number } = {}) =>
  z.preprocess(asNumber, schema.optional()).openapi({ type: 'number', ...doc, description });

/** An optional integer from min to max; text is accepted as in numberField. */
export function intField(min: number, max: number, description: string) {
  const error = `must be an integer from ${min} to ${max}`;
  return numberField(z.number({ error }).int(error).min(min, error).max(max, error), description, { type: 'integer', minimum: min, maximum: max });
}

/** An optional text value where "" means "not given" (as HTML forms send it). */
export const optionalText = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (isBlank(v) ? undefined : v), schema.optional());

const mediaType = (c: Context) => (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
export const isJsonBody = (c: Context) => mediaType(c) === 'application/json';

/**
 * 415 unsupported_media_type unless the body is JSON or multipart/form-data: before the schemas
 * run, so a wrong type is named as such rather than as missing fields.
 */
export const jsonOrMultipart = createMiddleware(async (c, next) => {
  const type = mediaType(c);
  if (type !== 'application/json' && type !== 'multipart/form-data')
    throw new ApiError('unsupported_media_type', 'send multipart/form-data or application/json', { contentType: c.req.header('content-type') || null });
  await next();
});

/** Image bytes from a file part or a base64 string; enforces the per-image byte limit. */
export async function imageBytes(value: unknown, field: string): Promise<Uint8Array> {
  if (value === undefined || value === null) throw new ApiError('invalid_request', `image field "${field}" is missing`, { field });
  let size: number;
  if (typeof value === 'string') size = base64Size(value);
  else if (value instanceof Blob) size = value.size;
  else throw new ApiError('invalid_request', `image field "${field}" must be a file or a base64 string`, { field });
  if (size > MAX_IMAGE_BYTES) throw new ApiError('image_too_large', `image "${field}" is over ${MAX_IMAGE_BYTES} bytes`, { field, limit: MAX_IMAGE_BYTES });
  const bytes = typeof value === 'string' ? decodeBase64(value, field) : new Uint8Array(await value.arrayBuffer());
  if (bytes.length > MAX_IMAGE_BYTES) throw new ApiError('image_too_large', `image "${field}" is over ${MAX_IMAGE_BYTES} bytes`, { field, limit: MAX_IMAGE_BYTES });
  if (bytes.length === 0) throw new ApiError('invalid_request', `image "${field}" is empty`, { field });
  return bytes;
}
