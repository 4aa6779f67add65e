// The Worker: face verification and identification against a gallery in KV, with the embedding
// model (ONNX, from R2) run in-process. Routes live one concept per file; this wires them up.
import { Hono } from 'hono';
import { admin } from './admin';
import { consoleRoute } from './console';
import { notFound, onError } from './errors';
import { rebuildGallery } from './gallery-rebuild';
import { health } from './health';
import { identify } from './identify';
import { modelInfo } from './model-info';
import { getManifest } from './model';
import { openapi } from './openapi';
import { guardStorage } from './storage';
import { verify } from './verify';

export { IdentityWriter } from './identity-writer';

export const app = new Hono<{ Bindings: Env }>()
  .route('/', consoleRoute)
  .route('/', health)
  .route('/', modelInfo)
  .route('/', openapi)
  .route('/', verify)
  .route('/', identify)
  .route('/', admin);
app.onError(onError);
app.notFound(notFound);

export default {
  /** KV/R2 failures become 503 storage_unavailable (storage.ts). */
  fetch: (req, env, ctx) => app.fetch(req, guardStorage(env), ctx),
  /** Cron: keep the packed gallery in step with the identity records (see gallery-rebuild.ts). */
  async scheduled(_event, rawEnv, ctx) {
    const env = guardStorage(rawEnv);
    ctx.waitUntil(
      getManifest(env)
        .then((m) => rebuildGallery(env.GALLERY, m, env.GALLERY_DTYPE === 'i8' ? 'i8' : 'f32'))
        .then((r) => r.changed && console.log('gallery rebuilt', JSON.stringify(r)))
        .catch((e) => console.error('gallery rebuild failed', e)),
    );
  },
} satisfies ExportedHandler<Env>;
