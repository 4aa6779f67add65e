// /admin — identities and the gallery, behind the admin token (http/auth.ts). Only embeddings and
// caller metadata are stored, never images; DELETE removes the record at once, and the next gallery
// rebuild (cron, every minute, or POST /admin/gallery/rebuild) removes its rows from the snapshot
// and from every older generation still in KV (gallery/store.ts scrub).
// Writes take an optional Idempotency-Key header (identity/idempotency.ts): a retry with it applies once.
import { createRoute, z } from '@hono/zod-openapi';
import { currentVersion, enrol, identityNotFound, view, writeIdentity } from './admin-enrol';
import { EnrolForm, EnrolJson, FacePolicyField } from './enrol-input';
import { requireAdmin } from '../http/auth';
import { ApiError } from '../http/errors';
import { noteWrite } from '../gallery/cache';
import { galleryDtype } from '../gallery/pack';
import { rebuildGallery } from '../gallery/rebuild';
import { keyring } from '../crypto/keyring';
import { resealStale } from '../identity/reseal';
import { validateIdentityId } from '../identity/id';
import { fingerprint, IDEMPOTENCY_KEY, KEPT_KEYS } from '../identity/idempotency';
import { IdentityStore, type IdentityMeta } from '../identity/store';
import { limitBody, MAX_IMAGES_PER_REQUEST, MAX_LIST_LIMIT } from '../http/limits';
import { getManifest } from '../model/loader';
import { intField, isJsonBody, jsonOrMultipart } from '../http/request-input';
import { adminAuth, api, errors, FaceSchema, IdentitySchema, IMAGE_ERRORS, json, ok } from './openapi';

const emptyId = () => {
  throw new ApiError('invalid_identity_id', 'identity id is empty');
};

// Checked by identity/id.ts (400 invalid_identity_id), so the schema only documents it.
const IdParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, maxLength: 128, description: '1–128 characters, no "/", "..", control characters or surrounding spaces' }),
});
const Enrolled = IdentitySchema.extend({ faces: z.array(FaceSchema).openapi({ description: 'the face used in each image, in order' }) }).openapi('Enrolled');
const enrolBody = { required: false, content: { 'multipart/form-data': { schema: EnrolForm }, ...json(EnrolJson) } };
const enrolMiddleware = [limitBody(MAX_IMAGES_PER_REQUEST), jsonOrMultipart];
// Header names are lower case here: that is how the request validator sees them.
const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(IDEMPOTENCY_KEY, 'must be 1–255 visible ASCII characters')
    .optional()
    .openapi({
      description:
        `Idempotency-Key (header names are case-insensitive): makes a retry safe. A failed or unanswered write may still have been applied (the writer stores it before replicating it, and finishes it later); ` +
        `a retry with the same key to the same identity then answers as the write did (with the header Idempotent-Replayed: true) and applies nothing. ` +
        `The writer keeps an identity's last ${KEPT_KEYS} keys; refused writes (4xx) keep none. The same key with a different request is 400 invalid_request.`,
    }),
});
const enrolRequest = { params: IdParams, query: z.object({ face: FacePolicyField }), headers: IdempotencyHeaders, body: enrolBody };

const put = createRoute({
  method: 'put',
  path: '/admin/identities/{id}',
  summary: `Enrol (replacing any previous embeddings) from 1–${MAX_IMAGES_PER_REQUEST} images`,
  security: adminAuth,
  middleware: enrolMiddleware,
  request: enrolRequest,
  responses: {
    200: ok(Enrolled, 'Replaced'),
    201: ok(Enrolled, 'Created'),
    ...errors(...IMAGE_ERRORS, 'low_quality', 'invalid_identity_id', 'too_many_images', 'unauthorized', 'auth_not_configured', 'rate_limited', 'encryption_not_configured'),
  },
});

const add = createRoute({
  method: 'post',
  path: '/admin/identities/{id}/images',
  summary: 'Add embeddings from more images (same model version only)',
  security: adminAuth,
  middleware: enrolMiddleware,
  request: enrolRequest,
  responses: {
    200: ok(Enrolled),
    ...errors(...IMAGE_ERRORS, 'low_quality', 'invalid_identity_id', 'identity_not_found', 'model_version_mismatch', 'too_many_images', 'unauthorized', 'auth_not_configured', 'rate_limited', 'encryption_not_configured'),
  },
});

const list = createRoute({
  method: 'get',
  path: '/admin/identities',
  summary: 'List identities (cursor pagination); needsReenrolment flags other model versions',
  security: adminAuth,
  request: { query: z.object({ cursor: z.string().optional(), limit: intField(1, MAX_LIST_LIMIT, 'page size (default 100)') }) },
  responses: {
    200: ok(z.object({ identities: z.array(IdentitySchema), cursor: z.string().nullable(), modelVersion: z.string().nullable() })),
    ...errors('invalid_request', 'unauthorized', 'auth_not_configured', 'storage_unavailable'),
  },
});

const get = createRoute({
  method: 'get',
  path: '/admin/identities/{id}',
  summary: 'One identity (no embeddings)',
  security: adminAuth,
  request: { params: IdParams },
  responses: { 200: ok(IdentitySchema), ...errors('invalid_identity_id', 'identity_not_found', 'unauthorized', 'auth_not_configured', 'storage_unavailable') },
});

const remove = createRoute({
  method: 'delete',
  path: '/admin/identities/{id}',
  summary: 'Delete an identity and its embeddings',
  security: adminAuth,
  request: { params: IdParams, headers: IdempotencyHeaders },
  responses: {
    200: ok(z.object({ id: z.string(), deleted: z.boolean() })),
    ...errors('invalid_identity_id', 'identity_not_found', 'unauthorized', 'auth_not_configured', 'storage_unavailable'),
  },
});

const RebuildResult = z
  .object({
    changed: z.boolean(),
    complete: z.boolean().openapi({ description: 'false when the read budget ran out: the next run continues' }),
    modelVersion: z.string(),
    generation: z.string().nullable(),
    identities: z.number().int(),
    rows: z.number().int(),
    recordsRead: z.number().int(),
    scrubbed: z.number().int().openapi({ description: 'shards of older generations rewritten without identities that were deleted (or expired) since' }),
    keysRemoved: z.number().int(),
    encryption: z
      .object({
        kid: z.string().nullable().openapi({ description: 'the current key id of EMBEDDING_KEYS (null: none configured)' }),
        resealed: z.number().int().openapi({ description: 'identity records sealed again under it by this run (at most 100 a run)' }),
        remaining: z.number().int().openapi({ description: 'identity records not yet under it (another key, or plaintext from before encryption); 0: an older key may be removed 5 minutes later' }),
      })
      .openapi({ description: 'the background re-encryption after a key rotation (SECURITY.md)' }),
  })
  .openapi('RebuildResult');

const rebuild = createRoute({
  method: 'post',
  path: '/admin/gallery/rebuild',
  summary: 'Rebuild the packed gallery now and re-encrypt up to 100 records under an older key (also runs every minute)',
  security: adminAuth,
  responses: { 200: ok(RebuildResult), ...errors('unauthorized', 'auth_not_configured', 'model_unavailable', 'storage_unavailable', 'encryption_not_configured') },
});

export const admin = api();
admin.use('/admin/*', requireAdmin);
admin.on(['GET', 'PUT', 'DELETE'], '/admin/identities/', emptyId);
admin
  .openapi(put, async (c) => {
    const r = await enrol(c, 'replace', isJsonBody(c) ? c.req.valid('json') : c.req.valid('form'), c.req.valid('query').face, c.req.valid('header')['idempotency-key']);
    return r.status === 201 ? c.json(r.body, 201) : c.json(r.body, 200);
  })
  .openapi(add, async (c) => {
    const r = await enrol(c, 'add', isJsonBody(c) ? c.req.valid('json') : c.req.valid('form'), c.req.valid('query').face, c.req.valid('header')['idempotency-key']);
    return c.json(r.body, 200);
  })
  .openapi(list, async (c) => {
    const { limit = 100, cursor } = c.req.valid('query');
    const page = await new IdentityStore(c.env.GALLERY).list(limit, cursor || undefined);
    const current = await currentVersion(c);
    const item = ({ id, meta }: { id: string; meta: IdentityMeta }) => ({
      id, modelVersion: meta.v, imageCount: meta.n, createdAt: meta.c, updatedAt: meta.u, needsReenrolment: current === null ? null : meta.v !== current,
      ...(meta.e !== undefined ? { expiresAt: meta.e } : {}),
    });
    return c.json({ identities: page.items.map(item), cursor: page.cursor, modelVersion: current }, 200);
  })
  .openapi(get, async (c) => {
    const id = validateIdentityId(c.req.valid('param').id);
    const rec = await new IdentityStore(c.env.GALLERY).get(id);
    if (!rec) throw identityNotFound(id);
    return c.json(view(rec, await currentVersion(c)), 200);
  })
  .openapi(remove, async (c) => {
    const id = validateIdentityId(c.req.valid('param').id);
    const key = c.req.valid('header')['idempotency-key'];
    const r = await writeIdentity(c, { kind: 'delete', id }, key ? { key, fingerprint: await fingerprint('delete', [], null) } : undefined);
    if (!r.replayed) noteWrite(r.applied.previousVersion!, id, Date.now(), null);
    return c.json({ id, deleted: true }, 200);
  })
  .openapi(rebuild, async (c) => {
    const m = await getManifest(c.env), ring = await keyring(c.env);
    return c.json(await rebuildGallery(c.env.GALLERY, m, galleryDtype(c.env), { ring, reseal: (listing) => resealStale(c.env, listing, ring) }), 200);
  });
