// POST /v1/identify — who, among the enrolled identities, is this?
// multipart field image [, box, topK, threshold | far | fpir | operatingPoint=cv] or JSON { image: base64 [, …] } (topK also as ?topK=)
// → { match: { id, similarity, distance } | null, candidates: [...topK], threshold, operatingPoint, modelVersion, gallery, face }
// The photo's largest face is used, or the detected face the box overlaps most; face reports it
// (box, landmarks, score, facesFound).
// Only embeddings of the serving model's version are compared (see gallery/backend.ts). The default
// threshold is the deployment's IDENTIFY_FPIR over the N comparisons made (gallery rows searched), through the manifest's
// impostor table (model/operating-point.ts); the answer's operatingPoint reports N and the rates.
import { createRoute, z } from '@hono/zod-openapi';
import { API_KEY_ERRORS, requireApiKey } from '../http/auth';
import { discloseIdentify } from '../http/disclosure';
import { BoxField, BoxFormField } from '../image/box';
import { FAR_DESCRIPTION, IdentifyOperatingPointFields, judgeSimilarity, oneOperatingPoint, OperatingPointSchema } from '../model/decision';
import { identifyOperatingPoint } from '../model/operating-point';
import { operatingSettings } from '../model/operating-settings';
import { embedImages } from '../model/embed-images';
import { searchIdentities } from '../gallery/backend';
import { DEFAULT_TOP_K, limitBody, MAX_TOP_K } from '../http/limits';
import { getModel } from '../model/loader';
import { Base64Image, FormImage, imageBytes, intField, isJsonBody, jsonOrMultipart } from '../http/request-input';
import { api, apiKeyAuth, errors, FaceSchema, IMAGE_ERRORS, json, ok, ScoreSchema } from './openapi';

// far on identify is per comparison, and a stranger meets N of them.
const Far = IdentifyOperatingPointFields.far.openapi({
  description:
    `${FAR_DESCRIPTION}. Here far applies to each comparison: a stranger searched against N comparisons (the gallery rows) ` +
    'is named with probability about 1 − (1 − far)^N (0.001 over 1,000 rows: 63%); fpir sets that probability instead',
});
const TopK = intField(1, MAX_TOP_K, `candidates to return (default ${DEFAULT_TOP_K}); the query parameter wins over the body field`);
const IdentifyJson = z
  .object({ image: Base64Image, box: BoxField, topK: TopK, ...IdentifyOperatingPointFields, far: Far })
  .superRefine(oneOperatingPoint)
  .openapi('IdentifyJson');
const IdentifyForm = z
  .object({ image: FormImage, box: BoxFormField, topK: TopK, ...IdentifyOperatingPointFields, far: Far })
  .superRefine(oneOperatingPoint)
  .openapi('IdentifyForm');

export const IdentifyResult = z
  .object({
    match: z.object({ id: z.string(), similarity: z.number(), distance: z.number() }).nullable().openapi({ description: 'the best candidate if it clears the threshold; scores rounded to 3 decimals for keys without the identify:candidates scope' }),
    candidates: z.array(z.object({ id: z.string(), ...ScoreSchema.shape })).optional().openapi({ description: 'the top-K enrolled identities, best first; only for keys with the identify:candidates scope' }),
    threshold: z.number().openapi({ description: 'the threshold applied, in similarity units (operatingPoint.similarity)' }),
    operatingPoint: OperatingPointSchema,
    modelVersion: z.string(),
    gallery: z.object({
      identities: z.number().int().openapi({ description: 'identities of this model version searched' }),
      generation: z.string().nullable(),
      builtAt: z.number().nullable(),
    }),
    face: FaceSchema,
  })
  .openapi('IdentifyResult');

const route = createRoute({
  method: 'post',
  path: '/v1/identify',
  summary: 'Best enrolled identity, if it clears the threshold, and the top-K candidates',
  security: apiKeyAuth,
  middleware: [requireApiKey('identify'), limitBody(1), jsonOrMultipart],
  request: {
    query: z.object({ topK: TopK }),
    body: { required: false, content: { 'multipart/form-data': { schema: IdentifyForm }, ...json(IdentifyJson) } },
  },
  responses: { 200: ok(IdentifyResult), ...errors(...IMAGE_ERRORS, 'operating_point_unavailable', 'threshold_below_floor', 'encryption_not_configured', ...API_KEY_ERRORS) },
});

export const identify = api().openapi(route, async (c) => {
  const f = isJsonBody(c) ? c.req.valid('json') : c.req.valid('form');
  const topK = c.req.valid('query').topK ?? f.topK ?? DEFAULT_TOP_K;
  const settings = operatingSettings(c.env);
  const input = { field: 'image', bytes: await imageBytes(f.image, 'image'), box: f.box };
  const { model, faces: [face], embeddings: [q] } = await embedImages(() => getModel(c.env), [input]);
  const m = model.manifest;
  const { candidates, identities: searched, comparisons, generation, builtAt } = await searchIdentities(c.env, m.modelVersion, q, topK);
  const op = identifyOperatingPoint(m, settings, f, searched, comparisons);
  const scored = candidates.map((x) => ({ id: x.id, ...judgeSimilarity(x.similarity, op) }));
  const best = scored[0]?.match ? scored[0] : null;
  return c.json(
    discloseIdentify(c, {
      match: best && { id: best.id, similarity: best.similarity, distance: best.distance },
      candidates: scored,
      threshold: op.similarity,
      operatingPoint: op,
      modelVersion: m.modelVersion,
      gallery: { identities: searched, generation, builtAt },
      face,
    }),
    200,
  );
});
