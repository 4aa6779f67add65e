// /admin — identities and the gallery, behind the admin token (http/auth.ts). Only embeddings and
// caller metadata are stored, never images; DELETE removes the record at once, and the next gallery
// rebuild (cron, every minute, or POST /admin/gallery/rebuild) removes its rows from the snapshot.
import { Hono } from 'hono';
import { currentVersion, enrol, identityNotFound, view, writeIdentity } from './admin-enrol';
import { requireAdmin } from '../http/auth';
import { ApiError } from '../http/errors';
import { noteWrite } from '../gallery/cache';
import { rebuildGallery } from '../gallery/rebuild';
import { validateIdentityId } from '../identity/id';
import { IdentityStore, type IdentityMeta } from '../identity/store';
import { limitBody, MAX_IMAGES_PER_REQUEST, MAX_LIST_LIMIT } from '../http/limits';
import { getManifest } from '../model/loader';
import { intField } from '../http/request-input';

const enrolLimit = limitBody(MAX_IMAGES_PER_REQUEST);
const emptyId = () => {
  throw new ApiError('invalid_identity_id', 'identity id is empty');
};

export const admin = new Hono<{ Bindings: Env }>()
  .use('/admin/*', requireAdmin)
  .put('/admin/identities/:id', enrolLimit, (c) => enrol(c, 'replace'))
  .post('/admin/identities/:id/images', enrolLimit, (c) => enrol(c, 'add'))
  .on(['GET', 'PUT', 'DELETE'], '/admin/identities/', emptyId)
  .get('/admin/identities', async (c) => {
    const limit = intField(c.req.query('limit'), 'limit', 1, MAX_LIST_LIMIT, 100);
    const page = await new IdentityStore(c.env.GALLERY).list(limit, c.req.query('cursor') || undefined);
    const current = await currentVersion(c);
    const item = ({ id, meta }: { id: string; meta: IdentityMeta }) => ({
      id, modelVersion: meta.v, imageCount: meta.n, createdAt: meta.c, updatedAt: meta.u, needsReenrolment: current === null ? null : meta.v !== current,
    });
    return c.json({ identities: page.items.map(item), cursor: page.cursor, modelVersion: current });
  })
  .get('/admin/identities/:id', async (c) => {
    const id = validateIdentityId(c.req.param('id'));
    const rec = await new IdentityStore(c.env.GALLERY).get(id);
    if (!rec) throw identityNotFound(id);
    return c.json(view(rec, await currentVersion(c)));
  })
  .delete('/admin/identities/:id', async (c) => {
    const id = validateIdentityId(c.req.param('id'));
    const { previous } = await writeIdentity(c.env, { kind: 'delete', id });
    noteWrite(previous!.modelVersion, id, Date.now(), null);
    return c.json({ id, deleted: true });
  })
  .post('/admin/gallery/rebuild', async (c) => {
    const m = await getManifest(c.env);
    return c.json(await rebuildGallery(c.env.GALLERY, m, c.env.GALLERY_DTYPE === 'i8' ? 'i8' : 'f32'));
  });
