// POST /v1/verify — are two face images the same person?
// multipart fields a, b (files) [, boxA, boxB] [, threshold | far | operatingPoint=cv] or JSON { a, b: base64 [, boxA, boxB] [, …] }
// → { match, similarity, distance, threshold, operatingPoint, modelVersion, faces: { a, b } }
// Each photo's largest face is used, or the detected face its box (boxA, boxB) overlaps most, and
// aligned; faces reports which, with its box, landmarks, detection score and how many faces were found. The default
// threshold is the deployment's VERIFY_FAR through the manifest's impostor table (model/operating-point.ts).
import { createRoute, z } from '@hono/zod-openapi';
import { squaredDistance } from '../../../models/contract/distance';
import { API_KEY_ERRORS, requireApiKey } from '../http/auth';
import { BoxField, BoxFormField } from '../image/box';
import { judge, oneOperatingPoint, OperatingPointFields, OperatingPointSchema } from '../model/decision';
import { verifyOperatingPoint } from '../model/operating-point';
import { operatingSettings } from '../model/operating-settings';
import { embedImages } from '../model/embed-images';
import { limitBody } from '../http/limits';
import { getModel } from '../model/loader';
import { Base64Image, FormImage, imageBytes, isJsonBody, jsonOrMultipart } from '../http/request-input';
import { api, apiKeyAuth, errors, FaceSchema, IMAGE_ERRORS, json, ok, ScoreSchema } from './openapi';

const VerifyJson = z
  .object({ a: Base64Image, b: Base64Image, boxA: BoxField, boxB: BoxField, ...OperatingPointFields })
  .superRefine(oneOperatingPoint)
  .openapi('VerifyJson');
const VerifyForm = z
  .object({ a: FormImage, b: FormImage, boxA: BoxFormField, boxB: BoxFormField, ...OperatingPointFields })
  .superRefine(oneOperatingPoint)
  .openapi('VerifyForm');

export const VerifyResult = z.object({
  ...ScoreSchema.shape,
  threshold: z.number().openapi({ description: 'the threshold applied, in similarity units (operatingPoint.similarity)' }),
  operatingPoint: OperatingPointSchema,
  modelVersion: z.string(),
  faces: z.object({ a: FaceSchema, b: FaceSchema }),
}).openapi('VerifyResult');

const route = createRoute({
  method: 'post',
  path: '/v1/verify',
  summary: 'Are two faces the same person?',
  security: apiKeyAuth,
  middleware: [requireApiKey('verify'), limitBody(2), jsonOrMultipart],
  request: { body: { required: false, content: { 'multipart/form-data': { schema: VerifyForm }, ...json(VerifyJson) } } },
  responses: { 200: ok(VerifyResult), ...errors(...IMAGE_ERRORS, 'operating_point_unavailable', 'threshold_below_floor', ...API_KEY_ERRORS) },
});

export const verify = api().openapi(route, async (c) => {
  const f = isJsonBody(c) ? c.req.valid('json') : c.req.valid('form');
  const settings = operatingSettings(c.env);
  const inputs = [
    { field: 'a', bytes: await imageBytes(f.a, 'a'), box: f.boxA },
    { field: 'b', bytes: await imageBytes(f.b, 'b'), box: f.boxB },
  ];
  const { model, faces, embeddings: [ea, eb] } = await embedImages(() => getModel(c.env), inputs);
  const m = model.manifest;
  const op = verifyOperatingPoint(m, settings, f);
  return c.json({ ...judge(squaredDistance(ea, eb), op), threshold: op.similarity, operatingPoint: op, modelVersion: m.modelVersion, faces: { a: faces[0], b: faces[1] } }, 200);
});
