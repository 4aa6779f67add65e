// The API schema. Every route is an OpenAPIHono route (createRoute): its zod schemas validate the
// request and are the description in GET /openapi.json (generated, never written by hand). Here:
// the app factory whose hook turns schema failures into 400 invalid_request, the response and
// error schemas the routes share, and the document itself.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Hook } from '@hono/zod-openapi';
import { ERROR_CODES, invalidRequest, type ErrorCode } from '../http/errors';
import { BoxSchema } from '../image/box';
import { ADMIN_TOKEN_DESCRIPTION, API_KEY_DESCRIPTION } from '../http/auth';

export type AppEnv = { Bindings: Env };

/** Request schemas that fail are thrown as ApiError invalid_request, rendered by http/errors.ts onError. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (!result.success) throw invalidRequest(result.error);
};

/** An OpenAPIHono sub-app with the shared hook. */
export const api = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

export const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });
export const ok = <T extends z.ZodType>(schema: T, description = 'OK') => ({ description, content: json(schema) });

const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];
const errorOf = (codes: readonly [ErrorCode, ...ErrorCode[]]) =>
  z.object({
    error: z.object({
      code: z.enum(codes),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional().openapi({ description: 'what was wrong: field, limits, faces found…' }),
    }),
  });

/** Every error body: { error: { code, message, details? } }, code one of http/errors.ts ERROR_CODES. */
export const ErrorSchema = errorOf(ERROR_CODE_LIST).openapi('Error');

/** Responses for these codes, one per HTTP status, each listing (and allowing only) its codes. */
export function errors(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const c of new Set(codes)) byStatus.set(ERROR_CODES[c], [...(byStatus.get(ERROR_CODES[c]) ?? []), c]);
  return Object.fromEntries(
    [...byStatus].map(([status, cs]) => [status, { description: cs.join(', '), content: json(errorOf(cs as [ErrorCode, ...ErrorCode[]])) }]),
  );
}

/** What any route with an image can answer besides its own codes. */
export const IMAGE_ERRORS: ErrorCode[] = [
  'invalid_request', 'payload_too_large', 'image_too_large', 'image_too_many_pixels', 'unsupported_media_type', 'unsupported_image_type',
  'image_corrupt', 'invalid_box', 'no_face', 'multiple_faces', 'box_no_face', 'face_too_small', 'model_unavailable', 'storage_unavailable',
];

type Security = Record<string, string[]>[];
export const apiKeyAuth: Security = [{ apiKey: [] }, { bearerKey: [] }];
export const adminAuth: Security = [{ adminToken: [] }];

const point = z.tuple([z.number(), z.number()]).openapi({ description: '[x, y] in pixels of the upright photo' });
const detected = {
  box: BoxSchema,
  landmarks: z.object({ rightEye: point, leftEye: point, noseTip: point, mouth: point, rightEar: point, leftEar: point }),
  score: z.number().openapi({ description: 'detection score' }),
  facesFound: z.number().int().openapi({ description: 'faces the detector found in the photo' }),
  quality: z
    .object({
      score: z.number(), size: z.number(), roll: z.number(), yaw: z.number(), sharpness: z.number(), brightness: z.number(), clipped: z.number(),
    })
    .optional()
    .openapi('FaceQuality', {
      description:
        'the face\'s quality: detection score; size (box side, px); roll and yaw (degrees, from the landmarks); sharpness (variance of the Laplacian of the aligned face); brightness (mean grey, 0–255) and clipped (share of pixels near black or white). Enrolment refuses faces below the quality floor (422 low_quality) unless quality=skip',
    }),
};
export const FaceSchema = z
  .union([
    z.object({ source: z.literal('detector'), ...detected }),
    z.object({
      source: z.literal('box'),
      ...detected,
      requested: BoxSchema.openapi({ description: "the caller's box, which selected the detected face in `box`" }),
      overlap: z.number().openapi({ description: "intersection over union of the caller's box and the face's box" }),
    }),
    z.object({ source: z.enum(['box', 'crop']), box: BoxSchema }),
  ])
  .openapi('Face', {
    description:
      "The face used, aligned onto the model's template: the detector's choice, or the detected face the caller's box selected (source 'box' with landmarks: the face overlapping the box most; 422 box_no_face when none overlaps it enough), each with its detected box, landmarks, detection score and the faces found. A model without a face detector crops instead: the caller's box as given (source 'box', box only) or its fixed crop (source 'crop')",
  });

/** The fields every comparison reports (verify's answer, each identify candidate). */
export const ScoreSchema = z
  .object({
    match: z.boolean(),
    similarity: z.number().openapi({ description: '1 − d²/2 for unit embeddings' }),
    distance: z.number().openapi({ description: 'squared L2 distance d²' }),
  });

export const IdentitySchema = z
  .object({
    id: z.string(),
    modelVersion: z.string(),
    imageCount: z.number().int(),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
    needsReenrolment: z.boolean().nullable().openapi({ description: 'enrolled with another model version than the one serving (null: no model)' }),
    meta: z.record(z.string(), z.unknown()).optional(),
    expiresAt: z.number().int().optional().openapi({ description: 'when the identity is deleted automatically (ms since the epoch); absent: kept until deleted' }),
  })
  .openapi('Identity');

/** The document's frame; paths and components come from the routes' schemas. */
const documentConfig = {
  openapi: '3.1.0',
  info: {
    title: 'edge-face',
    version: '1',
    description: 'Open-set face verification and identification. Scores: similarity = 1 − d²/2 for unit embeddings; match iff −d² > the operating point\'s score (by default threshold.score of the model manifest).',
  },
};

/**
 * The OpenAPI document of `app`. Bodies are declared with required: false so that OpenAPIHono
 * validates only the body type that was sent (JSON or multipart; with true it runs both); every
 * body here is in fact required (a missing one is 400 or 415), which the document then says.
 */
export function apiDocument(app: OpenAPIHono<AppEnv>) {
  const doc = app.getOpenAPI31Document(documentConfig);
  for (const item of Object.values(doc.paths ?? {}))
    for (const op of Object.values(item ?? {})) {
      if (op && typeof op === 'object' && 'requestBody' in op && op.requestBody && 'content' in op.requestBody) op.requestBody.required = true;
      // A 429 (a key's quota, KV's write limit) says when to retry (http/errors.ts onError).
      const limited = op && typeof op === 'object' && 'responses' in op ? op.responses?.['429'] : undefined;
      if (limited && !('$ref' in limited)) limited.headers = { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } };
    }
  return doc;
}

/**
 * GET /openapi.json, generated once per isolate from the app's routes; also documents the routes
 * that are plain Hono (the console page) and the security schemes the routes name.
 */
export function serveDocument(app: OpenAPIHono<AppEnv>) {
  const registry = app.openAPIRegistry;
  registry.register('Error', ErrorSchema);
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'X-API-Key', description: API_KEY_DESCRIPTION });
  registry.registerComponent('securitySchemes', 'bearerKey', { type: 'http', scheme: 'bearer', description: API_KEY_DESCRIPTION });
  registry.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer', description: ADMIN_TOKEN_DESCRIPTION });
  registry.registerPath({
    method: 'get',
    path: '/',
    summary: 'Web console (HTML): try verify and identify, admin (token kept in the tab), model facts',
    responses: { 200: { description: 'HTML page', content: { 'text/html': { schema: z.string() } } } },
  });
  let doc: ReturnType<typeof apiDocument> | undefined;
  const route = createRoute({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    responses: { 200: ok(z.record(z.string(), z.unknown()), 'The OpenAPI 3.1 description of every route, body, response and error code') },
  });
  return app.openapi(route, (c) => {
    doc ??= apiDocument(app);
    return c.json(doc as unknown as Record<string, unknown>, 200);
  });
}
