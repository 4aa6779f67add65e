// Reads a request body — multipart/form-data or JSON — into one shape the routes share: named
// fields whose image values are bytes (files or base64 strings) and whose other values are plain.
import type { Context } from 'hono';
import { base64Size, decodeBase64 } from './base64';
import { ApiError } from './errors';
import { MAX_IMAGE_BYTES } from './limits';

export interface Fields {
  /** One value, or undefined. */
  get(name: string): unknown;
  /** Every value of a repeated field (multipart) or of a JSON array. */
  all(name: string): unknown[];
}

export async function readFields(c: Context): Promise<Fields> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ApiError('invalid_request', 'body is not valid JSON');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('invalid_request', 'JSON body must be an object');
    const o = body as Record<string, unknown>;
    return { get: (n) => o[n], all: (n) => (o[n] === undefined ? [] : Array.isArray(o[n]) ? (o[n] as unknown[]) : [o[n]]) };
  }
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      throw new ApiError('invalid_request', 'body is not valid multipart/form-data');
    }
    // A single-valued field sent twice is ambiguous: reject it rather than pick one.
    const get = (n: string) => {
      const v = form.getAll(n);
      if (v.length > 1) throw new ApiError('invalid_request', `field "${n}" was sent ${v.length} times`, { field: n });
      return v[0] ?? undefined;
    };
    return { get, all: (n) => form.getAll(n) };
  }
  throw new ApiError('unsupported_media_type', 'send multipart/form-data or application/json', { contentType: type || null });
}

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

/** An optional integer field within [min, max]. */
export function intField(value: unknown, field: string, min: number, max: number, dflt: number): number {
  if (value === undefined || value === null || value === '') return dflt;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw new ApiError('invalid_request', `"${field}" must be an integer from ${min} to ${max}`, { field });
  return n;
}
