// The face rules inside workerd, on real photos: the tiny embedding model behind the real face
// detector (BlazeFace, as the built model ships it). No face → 422 no_face on every route and
// nothing stored; several faces → the largest for verify/identify, 422 multiple_faces for
// enrolment unless face=largest or a box; too small → 422 face_too_small; a box selects a detected face;
// EXIF orientation is honoured; every answer reports the face it used.
import { reset } from 'cloudflare:test';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { encodeBase64 } from '../src/http/base64';
import { call, fixture, form, installTinyModelWithDetector, kvState, resetIsolate, served } from './helpers';

const havePhotos = inject('photosAvailable');
if (!havePhotos && process.env.CI) throw new Error('the real-photo tests need ../shared/data/photos (PHOTOS_DIR) under CI');

const photo = (name: string) => served(`photos/${name}`);

describe.skipIf(!havePhotos)('face detection in the Worker', () => {
  beforeEach(async () => {
    await reset();
    resetIsolate();
    await installTinyModelWithDetector();
  });

  it('a uniform grey image is no face: 422 no_face on verify, identify and enrolment, nothing stored', async () => {
    const grey = encodeBase64(fixture('grey.png'));
    const obama = encodeBase64(await photo('obama.jpg'));
    const v = await call('POST', '/v1/verify', { json: { a: grey, b: obama } });
    expect(v.status).toBe(422);
    expect(v.data.error).toMatchObject({ code: 'no_face', details: { field: 'a' } });
    const i = await call('POST', '/v1/identify', { json: { image: grey } });
    expect([i.status, i.data.error.code]).toEqual([422, 'no_face']);
    const before = await kvState();
    const e = await call('PUT', '/admin/identities/grey', { json: { images: [obama, grey] } });
    expect([e.status, e.data.error.code, e.data.error.details.field]).toEqual([422, 'no_face', 'images[1]']);
    expect(await kvState()).toEqual(before);
    expect((await call('GET', '/admin/identities/grey')).status).toBe(404);
  });

  it('a face-less image never matches an enrolled person', async () => {
    expect((await call('PUT', '/admin/identities/obama', { json: { images: [encodeBase64(await photo('obama.jpg'))] } })).status).toBe(201);
    const r = await call('POST', '/v1/identify', { form: form({ image: fixture('grey.png') }) });
    expect(r.status).toBe(422);
    expect(r.data.match).toBeUndefined();
  });

  it('two faces: verify and identify use the largest and say how many; enrolment refuses unless face=largest', async () => {
    const two = await photo('two_people.jpg');
    const v = await call('POST', '/v1/verify', { form: form({ a: two, b: await photo('obama.jpg') }) });
    expect(v.status, JSON.stringify(v.data)).toBe(200);
    expect(v.data.faces.a).toMatchObject({ source: 'detector', facesFound: 2 });
    expect(v.data.faces.b).toMatchObject({ source: 'detector', facesFound: 1 });
    const i = await call('POST', '/v1/identify', { form: form({ image: two }) });
    expect(i.data.face.facesFound).toBe(2);
    const before = await kvState();
    const refused = await call('PUT', '/admin/identities/pair', { form: form({ image: two }) });
    expect(refused.status).toBe(422);
    expect(refused.data.error).toMatchObject({ code: 'multiple_faces', details: { field: 'images[0]', facesFound: 2 } });
    expect(refused.data.error.details.faces).toHaveLength(2);
    expect(await kvState()).toEqual(before);
    const largest = await call('PUT', '/admin/identities/pair', { form: form({ image: two, face: 'largest' }) });
    expect(largest.status, JSON.stringify(largest.data)).toBe(201);
    expect(largest.data.faces[0]).toMatchObject({ source: 'detector', facesFound: 2 });
    // The largest face is the one reported, and it is one of the two the refusal listed.
    const listed = refused.data.error.details.faces.map((f: { box: { x: number } }) => f.box.x);
    expect(listed).toContain(largest.data.faces[0].box.x);
    expect(largest.data.faces[0].box.w).toBeGreaterThanOrEqual(Math.min(...refused.data.error.details.faces.map((f: { box: { w: number } }) => f.box.w)));
    expect((await call('PUT', '/admin/identities/pair2', { json: { images: [encodeBase64(two)], face: 'sideways' } })).data.error.code).toBe('invalid_request');
  });

  it('an explicit box selects the detected face it overlaps, even in a group photo; none there: 422 box_no_face', async () => {
    const r = await call('POST', '/v1/identify', { form: form({ image: fixture('grey.png'), box: '10,10,100,100' }) });
    expect([r.status, r.data.error?.code], JSON.stringify(r.data)).toEqual([422, 'box_no_face']);
    const e = await call('PUT', '/admin/identities/pair', { json: { images: [{ image: encodeBase64(await photo('two_people.jpg')), box: { x: 700, y: 60, w: 260, h: 260 } }] } });
    expect(e.status, JSON.stringify(e.data)).toBe(201);
    const f = e.data.faces[0];
    expect(f).toMatchObject({ source: 'box', requested: { x: 700, y: 60, w: 260, h: 260 }, facesFound: 2 });
    expect(f.overlap).toBeGreaterThanOrEqual(0.3);
    expect(Object.keys(f.landmarks)).toHaveLength(6);
  });

  it('a face below the manifest minimum: 422 face_too_small with its size and the minimum', async () => {
    await installTinyModelWithDetector(100);
    const r = await call('POST', '/v1/identify', { form: form({ image: await photo('obama-240p.jpg') }) });
    expect(r.status).toBe(422);
    expect(r.data.error.code).toBe('face_too_small');
    expect(r.data.error.details.minimum).toBe(100);
    expect(r.data.error.details.size).toBeGreaterThan(40);
    expect(r.data.error.details.size).toBeLessThan(100);
    // The same portrait at 720p has a large enough face.
    expect((await call('POST', '/v1/identify', { form: form({ image: await photo('obama-720p.jpg') }) })).status).toBe(200);
  });

  it('every answer reports the face used: box, six landmarks, detection score', async () => {
    const r = await call('POST', '/v1/identify', { form: form({ image: await photo('obama-480p.jpg') }) });
    expect(r.status).toBe(200);
    const f = r.data.face;
    expect(f.source).toBe('detector');
    expect(f.score).toBeGreaterThan(0.75);
    expect(Object.keys(f.landmarks)).toEqual(['rightEye', 'leftEye', 'noseTip', 'mouth', 'rightEar', 'leftEar']);
    // Eyes inside the box, right eye (image left) left of the left eye, mouth below the eyes.
    const { rightEye, leftEye, mouth } = f.landmarks;
    for (const [x, y] of [rightEye, leftEye, mouth]) {
      expect(x).toBeGreaterThan(f.box.x);
      expect(x).toBeLessThan(f.box.x + f.box.w);
      expect(y).toBeGreaterThan(f.box.y);
      expect(y).toBeLessThan(f.box.y + f.box.h);
    }
    expect(rightEye[0]).toBeLessThan(leftEye[0]);
    expect(mouth[1]).toBeGreaterThan(rightEye[1]);
  });

  it('honours JPEG EXIF orientation: the sideways and upside-down copies give the upright face and embedding', async () => {
    const upright = await call('POST', '/v1/identify', { form: form({ image: fixture('obama-480p.jpg') }) });
    expect(upright.status).toBe(200);
    expect((await call('PUT', '/admin/identities/obama', { form: form({ image: fixture('obama-480p.jpg') }) })).status).toBe(201);
    for (const o of [3, 6, 8]) {
      const r = await call('POST', '/v1/identify', { form: form({ image: fixture(`obama-480p-exif${o}.jpg`) }) });
      expect(r.status, `orientation ${o}: ${JSON.stringify(r.data)}`).toBe(200);
      for (const k of ['x', 'y', 'w', 'h'] as const) expect(Math.abs(r.data.face.box[k] - upright.data.face.box[k]), `orientation ${o} box.${k}`).toBeLessThan(3);
      expect(r.data.match?.id, `orientation ${o}`).toBe('obama');
      expect(r.data.match.similarity).toBeGreaterThan(0.98);
    }
  });
});
