// GET /v1/model — public. What the console's model panel and crop preview need from the manifest:
// version, decision threshold, preprocessing spec, evaluation figures; plus the inference backend.
// Reads only the manifest (no inference session is created). The manifest's own schemas
// (models/contract, plain zod: created before @hono/zod-openapi may have loaded, so no .openapi()
// on them, only zod's .describe()) document the answer.
import { createRoute, z } from '@hono/zod-openapi';
import { PreprocessSchema, RocSchema, ThresholdSchema } from '../../../models/contract/manifest';
import { backend } from '../model/embedder';
import { getManifest } from '../model/loader';
import { BackendSchema } from './health';
import { api, errors, ok } from './openapi';

export const ModelInfo = z
  .object({
    modelVersion: z.string(),
    backend: BackendSchema,
    backbone: z.object({ name: z.string().nullable(), cut: z.string().nullable() }),
    embeddingSize: z.number().int(),
    threshold: ThresholdSchema.describe('the default operating point: match iff −d² > score, i.e. similarity > similarity'),
    preprocess: PreprocessSchema.describe('crop (fractions of the photo, or of the aligned face canvas), size, resize filter, value = pixel · scale + offset'),
    metrics: z.record(z.string(), z.union([z.number(), z.string()])).openapi({ description: 'the trainer\'s evaluation figures' }),
    roc: RocSchema.nullable().describe('the trainer\'s ROC: [false accept rate, true accept rate] points, with their score threshold when recorded'),
  })
  .openapi('ModelInfo');

const route = createRoute({
  method: 'get',
  path: '/v1/model',
  summary: 'Model facts from the manifest: version, backend, threshold, preprocessing spec (crop, size), evaluation figures',
  responses: { 200: ok(ModelInfo), ...errors('model_unavailable', 'storage_unavailable') },
});

export const modelInfo = api().openapi(route, async (c) => {
  const m = await getManifest(c.env);
  return c.json(
    {
      modelVersion: m.modelVersion,
      backend,
      backbone: { name: m.backbone?.name ?? null, cut: m.backbone?.cut ?? null },
      embeddingSize: m.output.embeddingSize,
      threshold: m.threshold,
      preprocess: m.preprocess,
      metrics: m.metrics ?? {},
      roc: m.roc ?? null,
    },
    200,
  );
});
