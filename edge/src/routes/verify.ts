// POST /v1/verify — are two face images the same person?
// multipart fields a, b (files) [, boxA, boxB] or JSON { a, b: base64 [, boxA, boxB] }
// → { match, similarity, distance, threshold, modelVersion, faces: { a, b } }
// Each photo's largest face is used (detected and aligned unless a box is given); faces reports
// which, with its box, landmarks, detection score and how many faces were found.
import { Hono } from 'hono';
import { squaredDistance } from '../../../models/contract/distance';
import { requireApiKey } from '../http/auth';
import { parseBox } from '../image/box';
import { judge, similarityThreshold } from '../model/decision';
import { embedImages } from '../model/embed-images';
import { limitBody } from '../http/limits';
import { getModel } from '../model/loader';
import { imageBytes, readFields } from '../http/request-input';

export const verify = new Hono<{ Bindings: Env }>().post('/v1/verify', requireApiKey, limitBody(2), async (c) => {
  const f = await readFields(c);
  const inputs = [
    { field: 'a', bytes: await imageBytes(f.get('a'), 'a'), box: parseBox(f.get('boxA'), 'boxA') },
    { field: 'b', bytes: await imageBytes(f.get('b'), 'b'), box: parseBox(f.get('boxB'), 'boxB') },
  ];
  const { model, faces, embeddings: [ea, eb] } = await embedImages(() => getModel(c.env), inputs);
  const m = model.manifest;
  return c.json({ ...judge(squaredDistance(ea, eb), m), threshold: similarityThreshold(m), modelVersion: m.modelVersion, faces: { a: faces[0], b: faces[1] } });
});
