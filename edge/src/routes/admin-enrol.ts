// Enrolment: PUT /admin/identities/:id replaces an identity's embeddings, POST …/images adds to
// them. Each photo must show exactly one face (422 multiple_faces otherwise) unless the caller
// passes face=largest or a box (which selects the detected face it overlaps most). All images are embedded before anything is written; the identity's single writer (a Durable
// Object, identity/writer.ts) then applies the change after any other write to the same identity,
// and replicates the record to KV in one put, so a failed or interrupted request leaves the old state
// or, if the writer stored it before failing, the new one: a retry with the same Idempotency-Key
// (identity/idempotency.ts) then answers as the write did, without applying it twice.
import type { Context } from 'hono';
import { embedImages } from '../model/embed-images';
import { enrolImages, enrolMeta, facePolicy, type EnrolForm, type EnrolJson } from './enrol-input';
import type { z } from '@hono/zod-openapi';
import type { FacePolicy } from '../../../models/contract/face/pipeline';
import { ApiError } from '../http/errors';
import { noteWrite } from '../gallery/cache';
import { validateIdentityId } from '../identity/id';
import { requestedExpiry } from '../identity/retention';
import { decodeRows } from '../identity/store';
import type { WriteOp } from '../identity/merge';
import { identityWriter, type WriteResult } from '../identity/writer';
import { fingerprint, type OpKey, type RecordSummary, REPLAYED_HEADER } from '../identity/idempotency';
import { getManifest, getModel } from '../model/loader';
import { ENROL_QUALITY_FLOOR } from '../model/quality-floor';

export type C = Context<{ Bindings: Env }>;
export type EnrolBody = z.output<typeof EnrolJson> | z.output<typeof EnrolForm>;
export const view = (r: RecordSummary, current: string | null) => ({
  id: r.id, modelVersion: r.modelVersion, imageCount: r.imageCount, createdAt: r.createdAt, updatedAt: r.updatedAt,
  needsReenrolment: current === null ? null : r.modelVersion !== current, ...(r.meta ? { meta: r.meta } : {}),
  ...(r.expiresAt !== undefined ? { expiresAt: r.expiresAt } : {}),
});
export const currentVersion = (c: C) => getManifest(c.env).then((m) => m.modelVersion, () => null);
export const identityNotFound = (id: string) => new ApiError('identity_not_found', `no identity "${id}"`, { id });

export async function enrol(c: C, mode: 'replace' | 'add', body: EnrolBody, queryFace?: FacePolicy, key?: string) {
  const id = validateIdentityId(c.req.param('id'));
  const inputs = await enrolImages(body);
  const meta = enrolMeta(body.meta);
  const expiresAt = requestedExpiry(body, Date.now());
  const { model, faces, embeddings } = await embedImages(() => getModel(c.env), inputs, facePolicy(body.face, queryFace), body.quality === 'skip' ? undefined : ENROL_QUALITY_FLOOR);
  const version = model.manifest.modelVersion;
  // The request's other options (whatever the body schema adds) belong to its fingerprint too.
  const options = Object.fromEntries(Object.entries(body).filter(([k]) => !['images', 'image', 'box', 'meta', 'face'].includes(k)));
  const what = { face: facePolicy(body.face, queryFace), meta: meta ?? null, options };
  const opKey = key ? { key, fingerprint: await fingerprint(mode, inputs, what) } : undefined;
  const r = await writeIdentity(c, { kind: mode, id, modelVersion: version, dim: model.manifest.output.embeddingSize, rows: embeddings, ...(meta ? { meta } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}) }, opKey);
  if (!r.replayed) noteWrite(version, id, r.record!.updatedAt, decodeRows(r.record!));
  return { body: { ...view(r.applied.record!, version), faces }, status: r.applied.created ? (201 as const) : (200 as const) };
}

/** Sends one write to the identity's single writer (identity/writer.ts); its refusals become ApiErrors,
 *  a replayed answer is marked with the Idempotent-Replayed header. */
export async function writeIdentity(c: C, op: WriteOp, key?: OpKey) {
  const r: WriteResult = await identityWriter(c.env, op.id).write(op, key);
  if (!r.ok) throw new ApiError(r.code, r.message, r.details);
  if (r.replayed) c.header(REPLAYED_HEADER, 'true');
  return r;
}
