// GET /v1/model — public. What the console's model panel and crop preview need from the manifest:
// version, decision threshold, preprocessing spec, evaluation figures; plus the inference backend.
// Reads only the manifest (no inference session is created).
import { Hono } from 'hono';
import { backend } from '../model/embedder';
import { getManifest } from '../model/loader';

export const modelInfo = new Hono<{ Bindings: Env }>().get('/v1/model', async (c) => {
  const m = await getManifest(c.env);
  return c.json({
    modelVersion: m.modelVersion,
    backend,
    backbone: { name: m.backbone?.name ?? null, cut: m.backbone?.cut ?? null },
    embeddingSize: m.output.embeddingSize,
    threshold: m.threshold,
    preprocess: m.preprocess,
    metrics: m.metrics ?? {},
    roc: m.roc ?? null,
  });
});
