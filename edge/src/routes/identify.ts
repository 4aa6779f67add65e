// POST /v1/identify — who, among the enrolled identities, is this?
// multipart field image [, box, topK] or JSON { image: base64 [, box, topK] } (topK also as ?topK=)
// → { match: { id, similarity, distance } | null, candidates: [...topK], threshold, modelVersion, gallery, face }
// The photo's largest face is used; face reports it (box, landmarks, score, facesFound).
// Only embeddings of the serving model's version are compared (see gallery/cache.ts).
import { Hono } from 'hono';
import { requireApiKey } from '../http/auth';
import { parseBox } from '../image/box';
import { judgeSimilarity, similarityThreshold } from '../model/decision';
import { embedImages } from '../model/embed-images';
import { searchGallery } from '../gallery/cache';
import { DEFAULT_TOP_K, limitBody, MAX_TOP_K } from '../http/limits';
import { getModel } from '../model/loader';
import { imageBytes, intField, readFields } from '../http/request-input';

export const identify = new Hono<{ Bindings: Env }>().post('/v1/identify', requireApiKey, limitBody(1), async (c) => {
  const f = await readFields(c);
  const topK = intField(c.req.query('topK') ?? f.get('topK'), 'topK', 1, MAX_TOP_K, DEFAULT_TOP_K);
  const input = { field: 'image', bytes: await imageBytes(f.get('image'), 'image'), box: parseBox(f.get('box'), 'box') };
  const { model, faces: [face], embeddings: [q] } = await embedImages(() => getModel(c.env), [input]);
  const m = model.manifest;
  const { candidates, snapshot, searched } = await searchGallery(c.env.GALLERY, m.modelVersion, q, topK);
  const scored = candidates.map((x) => ({ id: x.id, ...judgeSimilarity(x.similarity, m) }));
  const best = scored[0]?.match ? scored[0] : null;
  return c.json({
    match: best && { id: best.id, similarity: best.similarity, distance: best.distance },
    candidates: scored,
    threshold: similarityThreshold(m),
    modelVersion: m.modelVersion,
    gallery: { identities: searched, generation: snapshot.head?.generation ?? null, builtAt: snapshot.head?.builtAt ?? null },
    face,
  });
});
