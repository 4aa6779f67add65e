// The one error type: an HTTPException with a stable machine-readable `code`, rendered by `onError`
// as `{ error: { code, message, details? } }`. Codes are part of the API (routes/openapi.ts documents
// them per route and status). Request schemas that fail (zod) become invalid_request (`invalidRequest`).
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from '@hono/zod-openapi';

export const ERROR_CODES = {
  invalid_request: 400,
  invalid_identity_id: 400,
  too_many_images: 400,
  unauthorized: 401,
  forbidden: 403,
  identity_not_found: 404,
  not_found: 404,
  model_version_mismatch: 409,
  payload_too_large: 413,
  image_too_large: 413,
  image_too_many_pixels: 413,
  unsupported_media_type: 415,
  unsupported_image_type: 415,
  image_corrupt: 422,
  invalid_box: 422,
  no_face: 422,
  multiple_faces: 422,
  box_no_face: 422,
  face_too_small: 422,
  low_quality: 422,
  operating_point_unavailable: 422,
  threshold_below_floor: 422,
  rate_limited: 429,
  internal_error: 500,
  model_unavailable: 503,
  auth_not_configured: 503,
  encryption_not_configured: 503,
  storage_unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ApiError extends HTTPException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(ERROR_CODES[code], { message });
  }
}

/**
 * A request schema's failure as 400 invalid_request: the first problem in the message, its field
 * (dotted path) in details.field, and every problem in details.issues.
 */
export function invalidRequest(error: z.ZodError): ApiError {
  const issues = error.issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message }));
  const first = issues[0] ?? { field: '', message: 'invalid request' };
  return new ApiError('invalid_request', first.field ? `"${first.field}": ${first.message}` : first.message, { field: first.field || null, issues });
}

export function errorBody(code: ErrorCode, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

export function onError(err: Error, c: Context) {
  if (err instanceof ApiError) {
    // rate_limited (a key's quota, KV's write limit) says when to come back in the standard header too.
    const retry = err.details?.retryAfterSeconds;
    if (typeof retry === 'number') c.header('Retry-After', String(retry));
    return c.json(errorBody(err.code, err.message, err.details), err.status);
  }
  if (err instanceof HTTPException) {
    const code = err.status === 413 ? 'payload_too_large' : err.status === 415 ? 'unsupported_media_type' : err.status === 401 ? 'unauthorized' : 'invalid_request';
    return c.json(errorBody(code, err.message || 'request rejected'), err.status);
  }
  console.error('unhandled error', err);
  return c.json(errorBody('internal_error', 'internal error'), 500);
}

export const routeNotFound = (c: Context) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404);
