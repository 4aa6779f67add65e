// Enrolment: PUT /admin/identities/:id replaces an identity's embeddings, POST …/images adds to
// them. Each photo must show exactly one face (422 multiple_faces otherwise) unless the caller
// passes face=largest or a box (which selects the detected face it overlaps most). All images are embedded before anything is written; the identity's single writer (a Durable
// Object, identity/writer.ts) then applies the change after any other write to the same identity,
// and replicates the record to KV in one put, so a failed or interrupted request leaves the old state.
import type { Context } from 'hono';
import { embedImages } from '../model/embed-images';
import { enrolImages, enrolMeta, facePolicy, type EnrolForm, type EnrolJson } from './enrol-input';
import type { z } from '@hono/zod-openapi';
import type { FacePolicy } from '../../../models/contract/face/pipeline';
import { ApiError } from '../http/errors';
import { noteWrite } from '../gallery/cache';
import { validateIdentityId } from '../identity/id';
import { decodeRows, type IdentityRecord } from '../identity/store';
import type { WriteOp } from '../identity/merge';
import { identityWriter, type WriteResult } from '../identity/writer';
import { getManifest, getModel } from '../model/loader';
import { ENROL_QUALITY_FLOOR } from '../model/quality-floor';

export type C = Context<{ Bindings: Env }>;
export type EnrolBody = z.output<typeof EnrolJson> | z.output<typeof EnrolForm>;
export const view = (r: IdentityRecord, current: string | null) => ({
  id: r.id, modelVersion: r.modelVersion, imageCount: r.imageCount, createdAt: r.createdAt, updatedAt: r.updatedAt,
  needsReenrolment: current === null ? null : r.modelVersion !== current, ...(r.meta ? { meta: r.meta } : {}),
});
export const currentVersion = (c: C) => getManifest(c.env).then((m) => m.modelVersion, () => null);
export const identityNotFound = (id: string) => new ApiError('identity_not_found', `no identity "${id}"`, { id });

export async function enrol(c: C, mode: 'replace' | 'add', body: EnrolBody, queryFace?: FacePolicy) {
  const id = validateIdentityId(c.req.param('id'));
  const inputs = await enrolImages(body);
  const meta = enrolMeta(body.meta);
  const { model, faces, embeddings } = await embedImages(() => getModel(c.env), inputs, facePolicy(body.face, queryFace), body.quality === 'skip' ? undefined : ENROL_QUALITY_FLOOR);
  const version = model.manifest.modelVersion;
  const r = await writeIdentity(c.env, { kind: mode, id, modelVersion: version, dim: model.manifest.output.embeddingSize, rows: embeddings, ...(meta ? { meta } : {}) });
  noteWrite(version, id, r.record!.updatedAt, decodeRows(r.record!));
  return { body: { ...view(r.record!, version), faces }, status: r.previous ? (200 as const) : (201 as const) };
}

/** Sends one write to the identity's single writer (identity/writer.ts); its refusals become ApiErrors. */
export async function writeIdentity(env: Env, op: WriteOp) {
  const r: WriteResult = await identityWriter(env, op.id).write(op);
  if (!r.ok) throw new ApiError(r.code, r.message, r.details);
  return r;
}
