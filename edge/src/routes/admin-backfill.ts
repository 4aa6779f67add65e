// POST /admin/gallery/backfill — carries existing identities into a Vectorize gallery, a page at a
// time, after GALLERY_BACKEND is switched to "vectorize" (records enrolled before then are in KV
// only). Each identity of the serving model version is re-sent by its own writer, as an addition of
// no rows (its rows are upserted again; updatedAt moves), so the backfill never races a concurrent
// enrolment of the same identity. Repeat with the returned cursor until it is null; running it
// again is harmless.
import { createRoute, z } from '@hono/zod-openapi';
import { ApiError } from '../http/errors';
import { ADMIN_ERRORS, requireAdmin } from '../http/auth';
import { galleryBackend } from '../gallery/backend';
import { IdentityStore } from '../identity/store';
import { identityWriter } from '../identity/writer';
import { getManifest } from '../model/loader';
import { adminAuth, api, errors, ok } from './openapi';

const PAGE = 100, PARALLEL = 25;

const route = createRoute({
  method: 'post',
  path: '/admin/gallery/backfill',
  summary: 'Send a page of existing identities to the Vectorize gallery (repeat with the cursor until null)',
  security: adminAuth,
  middleware: [requireAdmin] as const,
  request: { query: z.object({ cursor: z.string().optional() }) },
  responses: {
    200: ok(z.object({ modelVersion: z.string(), sent: z.number().int(), skipped: z.number().int().openapi({ description: 'other model versions (flagged for re-enrolment)' }), cursor: z.string().nullable() }).openapi('BackfillResult')),
    ...errors('invalid_request', 'model_unavailable', 'storage_unavailable', 'encryption_not_configured', ...ADMIN_ERRORS),
  },
});

export const backfill = api().openapi(route, async (c) => {
  if (galleryBackend(c.env) !== 'vectorize') throw new ApiError('invalid_request', 'GALLERY_BACKEND is "kv": there is no Vectorize gallery to fill');
  const m = await getManifest(c.env), version = m.modelVersion;
  const page = await new IdentityStore(c.env.GALLERY).list(PAGE, c.req.valid('query').cursor || undefined);
  const mine = page.items.filter((x) => x.meta.v === version);
  for (let i = 0; i < mine.length; i += PARALLEL)
    await Promise.all(mine.slice(i, i + PARALLEL).map(async ({ id }) => {
      const r = await identityWriter(c.env, id).write({ kind: 'add', id, modelVersion: version, dim: m.output.embeddingSize, rows: [] });
      if (!r.ok && r.code !== 'identity_not_found') throw new ApiError('storage_unavailable', `identity "${id}" could not be sent to the gallery; retry from the same cursor`, { id });
    }));
  return c.json({ modelVersion: version, sent: mine.length, skipped: page.items.length - mine.length, cursor: page.cursor }, 200);
});
