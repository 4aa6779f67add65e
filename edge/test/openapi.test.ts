// GET /openapi.json is generated from the routes' zod schemas (the ones that validate requests):
// it must describe the bodies, responses and error codes, not just name the routes.
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/http/errors';
import { MAX_TOP_K } from '../src/http/limits';
import { app } from '../src/index';
import { call, fixtureB64, startWithTinyModel } from './helpers';

let doc: any;
beforeAll(async () => {
  await startWithTinyModel();
  const r = await call('GET', '/openapi.json', { auth: 'none' });
  expect(r.status).toBe(200);
  doc = r.data;
});

/** Follows a $ref into components; an allOf becomes one object with all its properties. */
const deref = (s: any): any => {
  if (s?.$ref) return deref(doc.components.schemas[s.$ref.split('/').pop()]);
  if (s?.allOf) {
    const parts = s.allOf.map(deref);
    return { type: 'object', properties: Object.assign({}, ...parts.map((p: any) => p.properties)), required: parts.flatMap((p: any) => p.required ?? []) };
  }
  return s;
};
const errorCodes = (path: string, method: string, status: number): string[] =>
  deref(doc.paths[path][method].responses[status].content['application/json'].schema).properties.error.properties.code.enum;
const body = (path: string, method: string, type: string) => deref(doc.paths[path][method].requestBody.content[type].schema);

describe('GET /openapi.json', () => {
  it('is OpenAPI 3.1 and documents every route the app serves', () => {
    expect(doc.openapi).toBe('3.1.0');
    const served = app.routes
      // '/admin/identities/' only turns an empty id into invalid_identity_id (documented on {id}).
      .filter((r) => r.method !== 'ALL' && !r.path.endsWith('/*') && (r.path === '/' || !r.path.endsWith('/')))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    for (const route of new Set(served)) {
      const [method, path] = route.split(' ');
      expect(doc.paths[path]?.[method], route).toBeDefined();
    }
  });

  it('has the shared schemas, and every error code in Error', () => {
    for (const name of ['Error', 'Box', 'Face', 'Identity', 'VerifyResult', 'IdentifyResult', 'ModelInfo'])
      expect(doc.components.schemas[name], name).toBeDefined();
    expect(doc.components.schemas.Error.properties.error.properties.code.enum.sort()).toEqual(Object.keys(ERROR_CODES).sort());
    const face = doc.components.schemas.Face;
    const variants = face.anyOf ?? face.oneOf;
    expect(variants.flatMap((v: any) => v.properties.source.const ?? v.properties.source.enum)).toEqual(['detector', 'box', 'box', 'crop']);
    // A box selects a detected face: that variant reports the detection and the box that chose it.
    expect(variants[1].required).toEqual(expect.arrayContaining(['box', 'landmarks', 'score', 'facesFound', 'requested', 'overlap']));
    expect(Object.keys(variants[0].properties.landmarks.properties)).toEqual(['rightEye', 'leftEye', 'noseTip', 'mouth', 'rightEar', 'leftEar']);
    expect(doc.components.schemas.Box.required).toEqual(['x', 'y', 'w', 'h']);
  });

  it('documents each error code at its status, per route', () => {
    for (const path of ['/v1/verify', '/v1/identify']) {
      expect(errorCodes(path, 'post', 422).sort()).toEqual(['box_no_face', 'face_too_small', 'image_corrupt', 'invalid_box', 'multiple_faces', 'no_face', 'operating_point_unavailable', 'threshold_below_floor']);
      expect(errorCodes(path, 'post', 413).sort()).toEqual(['image_too_large', 'image_too_many_pixels', 'payload_too_large']);
      expect(errorCodes(path, 'post', 415).sort()).toEqual(['unsupported_image_type', 'unsupported_media_type']);
      expect(errorCodes(path, 'post', 401)).toEqual(['unauthorized']);
      expect(errorCodes(path, 'post', 503)).toEqual(expect.arrayContaining(['model_unavailable', 'auth_not_configured']));
      expect(doc.paths[path].post.responses[422].description).toMatch(/no_face/);
      expect(errorCodes(path, 'post', 422)).toContain('operating_point_unavailable');
    }
    expect(errorCodes('/admin/identities/{id}/images', 'post', 409)).toEqual(['model_version_mismatch']);
    expect(errorCodes('/admin/identities/{id}', 'put', 400).sort()).toEqual(['invalid_identity_id', 'invalid_request', 'too_many_images']);
    expect(errorCodes('/admin/identities/{id}', 'delete', 404)).toEqual(['identity_not_found']);
    // Every code but the two any route can give (internal_error, not_found) is documented on some route.
    const documented = new Set<string>();
    for (const item of Object.values<any>(doc.paths))
      for (const op of Object.values<any>(item))
        for (const [status, r] of Object.entries<any>(op.responses ?? {}))
          if (Number(status) >= 400) for (const c of deref(r.content['application/json'].schema).properties.error.properties.code.enum) documented.add(c);
    for (const code of Object.keys(ERROR_CODES).filter((c) => !['internal_error', 'not_found'].includes(c))) expect(documented.has(code), code).toBe(true);
  });

  it('describes request bodies in both encodings, with their fields', () => {
    const vj = body('/v1/verify', 'post', 'application/json'), vf = body('/v1/verify', 'post', 'multipart/form-data');
    expect(doc.paths['/v1/verify'].post.requestBody.required).toBe(true);
    expect(vj.required).toEqual(['a', 'b']);
    expect(vj.properties.a.type).toBe('string');
    expect(JSON.stringify(vj.properties.boxA)).toContain('#/components/schemas/Box');
    expect(vf.required).toEqual(['a', 'b']);
    expect(vf.properties.a.format).toBe('binary');
    const ij = body('/v1/identify', 'post', 'application/json');
    expect(ij.properties.topK).toMatchObject({ type: 'integer', minimum: 1, maximum: MAX_TOP_K });
    const topK = doc.paths['/v1/identify'].post.parameters.find((p: any) => p.name === 'topK');
    expect(topK).toMatchObject({ in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_TOP_K } });
    for (const path of ['/v1/verify', '/v1/identify'])
      for (const type of ['application/json', 'multipart/form-data']) {
        const p = body(path, 'post', type).properties;
        expect(p.threshold, `${path} ${type}`).toMatchObject({ type: 'number', exclusiveMinimum: -1, maximum: 1 });
        expect(p.far, `${path} ${type}`).toMatchObject({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 });
        expect(p.operatingPoint, `${path} ${type}`).toMatchObject({ type: 'string', enum: ['cv'] });
        if (path === '/v1/identify') expect(p.fpir, `${path} ${type}`).toMatchObject({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 });
        else expect(p.fpir).toBeUndefined();
      }
    const ej = body('/admin/identities/{id}', 'put', 'application/json'), ef = body('/admin/identities/{id}', 'put', 'multipart/form-data');
    expect(ej.required).toEqual(['images']);
    expect(ej.properties.images.maxItems).toBe(10);
    expect(ej.properties.face).toMatchObject({ enum: ['single', 'largest'], default: 'single' });
    expect(ef.properties.image).toMatchObject({ type: 'array', items: { format: 'binary' } });
    expect(ef.properties.face.enum).toEqual(['single', 'largest']);
    expect(doc.paths['/admin/identities/{id}'].put.parameters.map((p: any) => `${p.in} ${p.name}`).sort()).toEqual(['header idempotency-key', 'path id', 'query face']);
  });

  it("says what far means: per comparison on identify, optimistic through the View 2 ROC (issue 24)", () => {
    for (const [path, type] of [['/v1/verify', 'application/json'], ['/v1/identify', 'application/json'], ['/v1/identify', 'multipart/form-data']]) {
      const far = body(path, 'post', type).properties.far.description;
      expect(far, path).toMatch(/LFW View 2.*head fixed.*can exceed far/);
      if (path === '/v1/identify') expect(far).toContain('1 − (1 − far)^N');
    }
  });

  it('describes responses: verify, identify, the model facts', () => {
    const ok = (path: string, method: string) => deref(doc.paths[path][method].responses[200].content['application/json'].schema);
    const v = ok('/v1/verify', 'post');
    expect(Object.keys(v.properties)).toEqual(expect.arrayContaining(['match', 'similarity', 'distance', 'threshold', 'modelVersion', 'faces']));
    expect(v.properties.faces.properties.a.$ref).toBe('#/components/schemas/Face');
    expect(v.properties.operatingPoint.$ref).toBe('#/components/schemas/OperatingPoint');
    const op = doc.components.schemas.OperatingPoint;
    expect(op.properties.source.enum).toEqual(['far', 'fpir', 'threshold', 'cv']);
    expect(op.properties.origin.enum).toEqual(['default', 'request']);
    expect(Object.keys(op.properties)).toEqual(expect.arrayContaining(['fpir', 'far', 'identities', 'clamped', 'expectedFpir', 'measured']));
    const m = ok('/v1/model', 'get');
    expect(m.properties.preprocess.required).toEqual(expect.arrayContaining(['crop', 'size', 'scale', 'offset']));
    expect(Object.keys(m.properties.operatingPoints.properties)).toEqual(['settings', 'impostors', 'verify', 'identify', 'identifyBySize', 'cv', 'floor']);
    expect(doc.paths['/admin/identities/{id}'].put.responses).toHaveProperty('201');
    const enrolled = ok('/admin/identities/{id}', 'put');
    expect(Object.keys(enrolled.properties)).toEqual(expect.arrayContaining(['id', 'modelVersion', 'imageCount', 'needsReenrolment', 'faces']));
    const i = ok('/v1/identify', 'post');
    expect(i.properties.match.anyOf ?? i.properties.match.type).toBeDefined();
    expect(Object.keys(i.properties.candidates.items.properties)).toEqual(['id', 'match', 'similarity', 'distance']);
    expect(doc.components.securitySchemes).toMatchObject({ apiKey: { in: 'header', name: 'X-API-Key' }, adminToken: { scheme: 'bearer' } });
    expect(doc.paths['/v1/verify'].post.security).toEqual([{ apiKey: [] }, { bearerKey: [] }]);
  });
});

describe('the same schemas validate', () => {
  it('a schema failure is the API error shape, naming the field', async () => {
    const r = await call('POST', '/v1/identify', { json: { image: fixtureB64('person1.jpg'), topK: 'many' } });
    expect(r.status).toBe(400);
    expect(r.data.error).toMatchObject({ code: 'invalid_request', details: { field: 'topK' } });
    expect(r.data.error.message).toMatch(/topK/);
    const q = await call('POST', `/v1/identify?topK=${MAX_TOP_K + 1}`, { json: { image: fixtureB64('person1.jpg') } });
    expect([q.status, q.data.error.code, q.data.error.details.field]).toEqual([400, 'invalid_request', 'topK']);
    const e = await call('PUT', '/admin/identities/x', { json: { images: [fixtureB64('person1.jpg')], face: 'both' } });
    expect([e.status, e.data.error.code, e.data.error.details.field]).toEqual([400, 'invalid_request', 'face']);
  });

  it('query face= applies to enrolment, the body field wins', async () => {
    const r = await call('PUT', '/admin/identities/q?face=largest', { json: { images: [fixtureB64('person1.jpg')] } });
    expect(r.status).toBe(201);
    const bad = await call('PUT', '/admin/identities/q?face=every', { json: { images: [fixtureB64('person1.jpg')] } });
    expect([bad.status, bad.data.error.details.field]).toEqual([400, 'face']);
  });
});
