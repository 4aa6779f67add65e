// GET /v1/model — public. What the console's model panel and crop preview need from the manifest:
// version, decision threshold, preprocessing spec, evaluation figures; plus the inference backend,
// and the operating points this deployment serves (its settings, the impostor tables, verify's
// default, identify's at the gallery's current size and at sizes 1 to 100,000, the floor).
// Reads the manifest and the gallery head (its identity and row counts: identify's N counts rows;
// no inference session is created, no embedding is read). The manifest's own schemas
// (models/contract, plain zod: created before @hono/zod-openapi may have loaded, so no .openapi()
// on them, only zod's .describe()) document the answer.
import { createRoute, z } from '@hono/zod-openapi';
import { OperatingPointsSchema, PreprocessSchema, RocSchema, ThresholdSchema } from '../../../models/contract/manifest';
import { GalleryStore } from '../gallery/store';
import { OperatingPointSchema } from '../model/decision';
import { backend } from '../model/embedder';
import { getManifest } from '../model/loader';
import { cvOperatingPoint, floorOf, identifyOperatingPoint, verifyOperatingPoint } from '../model/operating-point';
import { operatingSettings } from '../model/operating-settings';
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
    gallery: z
      .object({
        identities: z.number().int().openapi({ description: 'identities of this model version in the packed gallery, as of its last rebuild' }),
        rows: z.number().int().openapi({ description: 'their gallery rows (enrolled images): the comparisons identify makes, the N of its default' }),
      })
      .nullable()
      .openapi({ description: 'null when the gallery could not be read' }),
    operatingPoints: z
      .object({
        settings: z
          .object({ verifyFar: z.number(), identifyFpir: z.number(), floorFar: z.number() })
          .openapi({ description: 'the deployment\'s VERIFY_FAR, IDENTIFY_FPIR and THRESHOLD_FLOOR_FAR (1: no floor)' }),
        impostors: OperatingPointsSchema.nullable().describe('the manifest\'s impostor tables (score → false accept rate, with false accepts and true accept rate) and the one served'),
        verify: OperatingPointSchema,
        identify: OperatingPointSchema.nullable(),
        identifyBySize: z.array(OperatingPointSchema),
        cv: OperatingPointSchema,
        floor: z
          .object({ far: z.number(), similarity: z.number(), score: z.number(), from: z.enum(['impostors', 'roc', 'cv']) })
          .nullable()
          .openapi({ description: 'no request may ask for a looser threshold (422 threshold_below_floor): THRESHOLD_FLOOR_FAR through the impostor table, else the ROC, else T; null when the setting is 1' }),
      })
      .openapi({
        description:
          'the thresholds this deployment applies (edge/README.md, "Operating points"): verify, verify\'s default; identify, identify\'s default at the gallery\'s current size, N = its rows (null when the gallery could not be read); identifyBySize, identify\'s default for 1, 10, 100, 1,000, 10,000 and 100,000 identities of one image each; cv, the model\'s threshold T chosen by cross-validation (operatingPoint=cv) with the false accept rate the table measures at it',
      }),
  })
  .openapi('ModelInfo');

export const GALLERY_SIZES = [1, 10, 100, 1_000, 10_000, 100_000];

const route = createRoute({
  method: 'get',
  path: '/v1/model',
  summary: 'Model facts from the manifest: version, backend, threshold, preprocessing spec (crop, size), evaluation figures, operating points',
  responses: { 200: ok(ModelInfo), ...errors('model_unavailable', 'storage_unavailable') },
});

export const modelInfo = api().openapi(route, async (c) => {
  const m = await getManifest(c.env);
  const settings = operatingSettings(c.env);
  const gallery = await new GalleryStore(c.env.GALLERY)
    .readHead(m.modelVersion, 30)
    .then((h) => ({ identities: h?.identities ?? 0, rows: h?.rows ?? 0 }))
    .catch(() => null);
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
      gallery,
      operatingPoints: {
        settings,
        impostors: m.impostors ?? null,
        verify: verifyOperatingPoint(m, settings, {}),
        identify: gallery === null ? null : identifyOperatingPoint(m, settings, {}, gallery.identities, gallery.rows),
        identifyBySize: GALLERY_SIZES.map((n) => identifyOperatingPoint(m, settings, {}, n)),
        cv: cvOperatingPoint(m),
        floor: floorOf(m, settings),
      },
    },
    200,
  );
});
