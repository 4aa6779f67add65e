// GET /openapi.json — the API description: routes, request bodies, responses and error codes.
import { Hono } from 'hono';
import { ERROR_CODES } from '../http/errors';
import { DEFAULT_TOP_K, MAX_IMAGE_BYTES, MAX_IMAGES_PER_REQUEST, MAX_PIXELS, MAX_SIDE, MAX_TOP_K } from '../http/limits';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const body = (multipart: object, jsonSchema: object) => ({ required: true, content: { 'multipart/form-data': { schema: multipart }, ...json(jsonSchema) } });
const obj = (properties: Record<string, object>, required: string[] = []) => ({ type: 'object', properties, required });
const file = { type: 'string', format: 'binary', description: `JPEG or PNG, ≤ ${MAX_IMAGE_BYTES} bytes, ≤ ${MAX_SIDE} px a side and ≤ ${MAX_PIXELS} px` };
const b64 = { type: 'string', description: 'base64 JPEG or PNG (a data: URL prefix is accepted)' };
const facePolicy = { enum: ['single', 'largest'], default: 'single', description: 'single: a photo with several faces is refused (422 multiple_faces); largest: use the largest face' };
const boxText = { type: 'string', description: 'face box in pixels of the upright photo: JSON {"x","y","w","h"} or "x,y,w,h"; skips detection and is cropped as given' };
const errors = (...codes: (keyof typeof ERROR_CODES)[]) =>
  Object.fromEntries([...new Set(codes.map((c) => ERROR_CODES[c]))].map((s) => [s, { description: codes.filter((c) => ERROR_CODES[c] === s).join(', '), content: json(ref('Error')) }]));
const imageErrors = ['invalid_request', 'payload_too_large', 'image_too_large', 'image_too_many_pixels', 'unsupported_media_type', 'unsupported_image_type', 'image_corrupt', 'invalid_box', 'no_face', 'multiple_faces', 'face_too_small', 'model_unavailable', 'storage_unavailable'] as const;
const point = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 };
const ok = (schema: object, status = 200) => ({ [status]: { description: 'OK', content: json(schema) } });
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 128 }, description: 'no "/", "..", or control characters' }];
const enrolled = { allOf: [ref('Identity'), obj({ faces: { type: 'array', items: ref('Face'), description: 'the face used in each image, in order' } })] };
const apiKey = [{ apiKey: [] }, { bearerKey: [] }];
const adminAuth = [{ adminToken: [] }];

const doc = {
  openapi: '3.1.0',
  info: { title: 'edge-face', version: '1', description: 'Open-set face verification and identification. Scores: similarity = 1 − d²/2 for unit embeddings; match iff −d² > threshold.score of the model manifest.' },
  components: {
    requestBodies: {
      Enrol: body(
        obj({ image: { type: 'array', items: file }, box: { type: 'array', items: boxText, description: 'one per image, in order' }, meta: { type: 'string', description: 'JSON object ≤ 1 KiB' }, face: facePolicy }, ['image']),
        obj({ images: { type: 'array', maxItems: MAX_IMAGES_PER_REQUEST, items: { oneOf: [b64, obj({ image: b64, box: ref('Box') }, ['image'])] } }, meta: { type: 'object' }, face: facePolicy }, ['images']),
      ),
    },
    securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' }, bearerKey: { type: 'http', scheme: 'bearer' }, adminToken: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: obj({ error: obj({ code: { type: 'string', enum: Object.keys(ERROR_CODES) }, message: { type: 'string' }, details: { type: 'object' } }, ['code', 'message']) }, ['error']),
      Box: obj({ x: { type: 'number' }, y: { type: 'number' }, w: { type: 'number' }, h: { type: 'number' } }, ['x', 'y', 'w', 'h']),
      Score: obj({ match: { type: 'boolean' }, similarity: { type: 'number' }, distance: { type: 'number', description: 'squared L2 distance' } }),
      Face: { description: 'The face used: found by the detector (box, landmarks in image pixels of the upright photo, detection score, faces found), or the caller\'s box, or the fixed crop of a manifest without a detector', oneOf: [
        obj({ source: { const: 'detector' }, box: ref('Box'), landmarks: obj({ rightEye: point, leftEye: point, noseTip: point, mouth: point, rightEar: point, leftEar: point }), score: { type: 'number' }, facesFound: { type: 'integer' } }, ['source', 'box', 'landmarks', 'score', 'facesFound']),
        obj({ source: { enum: ['box', 'crop'] }, box: ref('Box') }, ['source', 'box']),
      ] },
      Identity: obj({ id: { type: 'string' }, modelVersion: { type: 'string' }, imageCount: { type: 'integer' }, createdAt: { type: 'integer' }, updatedAt: { type: 'integer' }, needsReenrolment: { type: ['boolean', 'null'] }, meta: { type: 'object' } }),
    },
  },
  paths: {
    '/v1/health': { get: { summary: 'Backend and model status (?load=1 loads the model)', responses: ok(obj({ status: { type: 'string' }, backend: { enum: ['webgpu', 'wasm'] }, webgpu: { type: 'string', description: 'why WebGPU is not the backend, e.g. "unavailable: navigator.gpu undefined"' }, model: obj({ loaded: { type: 'boolean' }, modelVersion: { type: ['string', 'null'] } }), memory: obj({ onnxruntimeWasmBytes: { type: 'integer', description: "onnxruntime-web's Wasm linear memory in this isolate (0 before the model loads)" } }) })) } },
    '/v1/model': { get: {
      summary: 'Model facts from the manifest: version, backend, threshold, preprocessing spec (crop, size), evaluation figures',
      responses: { ...ok(obj({ modelVersion: { type: 'string' }, backend: { enum: ['webgpu', 'wasm'] }, backbone: obj({ name: { type: ['string', 'null'] }, cut: { type: ['string', 'null'] } }), embeddingSize: { type: 'integer' }, threshold: obj({ score: { type: 'number' }, similarity: { type: 'number' }, method: { type: 'string' } }), preprocess: obj({ crop: ref('Box'), size: { type: 'integer' }, resize: { type: 'string' }, scale: { type: 'number' }, offset: { type: 'number' }, layout: { type: 'string' } }), metrics: { type: 'object', additionalProperties: { type: ['number', 'string'] } }, roc: { type: ['object', 'null'], properties: { pairs: { type: 'string' }, points: { type: 'array', items: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 } } } } })), ...errors('model_unavailable') },
    } },
    '/': { get: { summary: 'Web console (HTML): try verify and identify, admin (token kept in the tab), model facts', responses: { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } } } } },
    '/openapi.json': { get: { summary: 'This document', responses: ok({ type: 'object' }) } },
    '/v1/verify': { post: {
      summary: 'Are two faces the same person?', security: apiKey,
      requestBody: body(obj({ a: file, b: file, boxA: boxText, boxB: boxText }, ['a', 'b']), obj({ a: b64, b: b64, boxA: ref('Box'), boxB: ref('Box') }, ['a', 'b'])),
      responses: { ...ok({ allOf: [ref('Score'), obj({ threshold: { type: 'number', description: 'in similarity units' }, modelVersion: { type: 'string' }, faces: obj({ a: ref('Face'), b: ref('Face') }) })] }), ...errors(...imageErrors, 'unauthorized', 'auth_not_configured') },
    } },
    '/v1/identify': { post: {
      summary: 'Best enrolled identity, if it clears the threshold, and the top-K candidates', security: apiKey,
      parameters: [{ name: 'topK', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_TOP_K, default: DEFAULT_TOP_K } }],
      requestBody: body(obj({ image: file, box: boxText, topK: { type: 'integer' } }, ['image']), obj({ image: b64, box: ref('Box'), topK: { type: 'integer' } }, ['image'])),
      responses: { ...ok(obj({ match: { oneOf: [{ type: 'null' }, obj({ id: { type: 'string' }, similarity: { type: 'number' }, distance: { type: 'number' } })] }, candidates: { type: 'array', items: { allOf: [obj({ id: { type: 'string' } }), ref('Score')] } }, threshold: { type: 'number' }, modelVersion: { type: 'string' }, gallery: { type: 'object' }, face: ref('Face') })), ...errors(...imageErrors, 'unauthorized', 'auth_not_configured') },
    } },
    '/admin/identities': { get: {
      summary: 'List identities (cursor pagination); needsReenrolment flags other model versions', security: adminAuth,
      parameters: [{ name: 'cursor', in: 'query', schema: { type: 'string' } }, { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } }],
      responses: { ...ok(obj({ identities: { type: 'array', items: ref('Identity') }, cursor: { type: ['string', 'null'] }, modelVersion: { type: ['string', 'null'] } })), ...errors('unauthorized', 'invalid_request', 'storage_unavailable') },
    } },
    '/admin/identities/{id}': {
      parameters: idParam,
      put: { summary: `Enrol (replacing any previous embeddings) from 1–${MAX_IMAGES_PER_REQUEST} images`, security: adminAuth,
        requestBody: { $ref: '#/components/requestBodies/Enrol' },
        responses: { ...ok(enrolled), ...ok(enrolled, 201), ...errors(...imageErrors, 'invalid_identity_id', 'too_many_images', 'unauthorized', 'rate_limited') } },
      get: { summary: 'One identity (no embeddings)', security: adminAuth, responses: { ...ok(ref('Identity')), ...errors('invalid_identity_id', 'identity_not_found', 'unauthorized', 'storage_unavailable') } },
      delete: { summary: 'Delete an identity and its embeddings', security: adminAuth, responses: { ...ok(obj({ id: { type: 'string' }, deleted: { type: 'boolean' } })), ...errors('invalid_identity_id', 'identity_not_found', 'unauthorized', 'storage_unavailable') } },
    },
    '/admin/identities/{id}/images': { parameters: idParam, post: {
      summary: 'Add embeddings from more images (same model version only)', security: adminAuth,
      requestBody: { $ref: '#/components/requestBodies/Enrol' },
      responses: { ...ok(enrolled), ...errors(...imageErrors, 'invalid_identity_id', 'identity_not_found', 'model_version_mismatch', 'too_many_images', 'unauthorized', 'rate_limited') },
    } },
    '/admin/gallery/rebuild': { post: { summary: 'Rebuild the packed gallery now (also runs every minute)', security: adminAuth, responses: { ...ok({ type: 'object' }), ...errors('unauthorized', 'model_unavailable', 'storage_unavailable') } } },
  },
};

export const openapi = new Hono<{ Bindings: Env }>().get('/openapi.json', (c) => c.json(doc));
