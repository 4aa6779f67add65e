// Enrolment: PUT /admin/identities/:id replaces an identity's embeddings, POST …/images adds to
// them. All images are embedded before anything is written; the write is a single put of the
// identity record (identity-store.ts), so a failed or interrupted request leaves the old state.
import type { Context } from 'hono';
import { embedImages } from './embed-images';
import { enrolImages, enrolMeta } from './enrol-input';
import { ApiError } from './errors';
import { noteWrite } from './gallery';
import { validateIdentityId } from './identity-id';
import { decodeRows, encodeRows, IdentityStore, type IdentityRecord } from './identity-store';
import { MAX_EMBEDDINGS_PER_IDENTITY } from './limits';
import { getManifest, getModel } from './model';
import { readFields } from './request-input';

export type C = Context<{ Bindings: Env }>;
export const view = (r: IdentityRecord, current: string | null) => ({
  id: r.id, modelVersion: r.modelVersion, imageCount: r.imageCount, createdAt: r.createdAt, updatedAt: r.updatedAt,
  needsReenrolment: current === null ? null : r.modelVersion !== current, ...(r.meta ? { meta: r.meta } : {}),
});
export const currentVersion = (c: C) => getManifest(c.env).then((m) => m.modelVersion, () => null);
export const notFound = (id: string) => new ApiError('identity_not_found', `no identity "${id}"`, { id });

export async function enrol(c: C, mode: 'replace' | 'add') {
  const id = validateIdentityId(c.req.param('id'));
  const f = await readFields(c);
  const inputs = await enrolImages(f);
  const meta = enrolMeta(f.get('meta'));
  const store = new IdentityStore(c.env.GALLERY);
  const existing = await store.get(id);
  if (mode === 'add' && !existing) throw notFound(id);
  const { model, embeddings } = await embedImages(() => getModel(c.env), inputs);
  const version = model.manifest.modelVersion;
  if (mode === 'add' && existing!.modelVersion !== version)
    throw new ApiError('model_version_mismatch', `"${id}" was enrolled with model ${existing!.modelVersion}; re-enrol it with PUT`, { enrolled: existing!.modelVersion, current: version });
  const kept = mode === 'add' ? existing!.imageCount : 0;
  if (kept + embeddings.length > MAX_EMBEDDINGS_PER_IDENTITY)
    throw new ApiError('too_many_images', `an identity keeps at most ${MAX_EMBEDDINGS_PER_IDENTITY} embeddings`, { limit: MAX_EMBEDDINGS_PER_IDENTITY, existing: kept });
  const rows = [...(mode === 'add' ? decodeRows(existing!) : []), ...embeddings];
  const keptMeta = meta ?? (mode === 'add' ? existing!.meta : undefined);
  const now = Math.max(Date.now(), (existing?.updatedAt ?? 0) + 1);
  const rec: IdentityRecord = {
    id, modelVersion: version, dim: model.manifest.output.embeddingSize, embeddings: encodeRows(rows), imageCount: rows.length,
    createdAt: existing?.createdAt ?? now, updatedAt: now, ...(keptMeta ? { meta: keptMeta } : {}),
  };
  await store.put(rec);
  noteWrite(version, id, rec.updatedAt, rows);
  return c.json(view(rec, version), existing ? 200 : 201);
}
