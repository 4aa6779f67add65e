// The Worker: face verification and identification against a gallery in KV, with the embedding
// model (ONNX, from R2) run in-process. Routes live one concept per file; this wires them up and
// serves the OpenAPI document generated from their schemas (routes/openapi.ts).
import { OpenAPIHono } from '@hono/zod-openapi';
import { admin } from './routes/admin';
import { backfill } from './routes/admin-backfill';
import { audit } from './routes/audit';
import { auditAdmin } from './audit/middleware';
import { consoleRoute } from './routes/console';
import { onError, routeNotFound } from './http/errors';
import { galleryDtype } from './gallery/pack';
import { rebuildGallery } from './gallery/rebuild';
import { galleryBackend } from './gallery/backend';
import { keyring } from './crypto/keyring';
import { resealStale } from './identity/reseal';
import { IdentityStore } from './identity/store';
import { health } from './routes/health';
import { identify } from './routes/identify';
import { modelInfo } from './routes/model-info';
import { getManifest } from './model/loader';
import { serveDocument, type AppEnv } from './routes/openapi';
import { guardStorage } from './http/storage';
import { requestId } from './http/request-id';
import { verify } from './routes/verify';

export { IdentityWriter } from './identity/writer';
export { KeyQuota } from './quota/key-quota';
export { AuditLog } from './audit/log';
export { RecentWrites } from './gallery/vectorize/recent';

export const app = new OpenAPIHono<AppEnv>();
app.use(requestId);
app.use('/admin/*', auditAdmin);
app
  .route('/', consoleRoute)
  .route('/', health)
  .route('/', modelInfo)
  .route('/', verify)
  .route('/', identify)
  .route('/', admin)
  .route('/', backfill)
  .route('/', audit);
serveDocument(app);
app.onError(onError);
app.notFound(routeNotFound);

export default {
  /** KV/R2 failures become 503 storage_unavailable (http/storage.ts). */
  fetch: (req, env, ctx) => app.fetch(req, guardStorage(env), ctx),
  /** Cron: keep the packed gallery in step with the identity records (see gallery/rebuild.ts), and
   *  re-encrypt records under an older key (identity/reseal.ts). */
  async scheduled(_event, rawEnv, ctx) {
    const env = guardStorage(rawEnv);
    const run = async () => {
      const ring = await keyring(env);
      const reseal = (listing: Parameters<typeof resealStale>[1]) => resealStale(env, listing, ring);
      // A Vectorize gallery is written by the identity writers; there is no packed snapshot to rebuild.
      if (galleryBackend(env) !== 'kv') {
        const r = await reseal(await new IdentityStore(env.GALLERY).listAll());
        if (r.resealed || r.remaining) console.log('records re-encrypted', JSON.stringify(r));
        return;
      }
      const r = await rebuildGallery(env.GALLERY, await getManifest(env), galleryDtype(env), { ring, reseal });
      if (r.changed || r.encryption.resealed || r.encryption.remaining) console.log('gallery rebuilt', JSON.stringify(r));
    };
    ctx.waitUntil(run().catch((e) => console.error('gallery rebuild failed', e)));
  },
} satisfies ExportedHandler<Env>;
