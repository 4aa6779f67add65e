// Which Vectorize indexes hold a model version's gallery, from the Worker's configuration:
//   GALLERY_VECTORIZE_INDEXES  JSON { "<modelVersion>": ["<binding of shard 0>", …] }, written by
//                              `npm run deploy -- --gallery vectorize` beside the [[vectorize]] bindings
//   GALLERY_VECTORIZE_STANDIN  "true": bindings that are absent are served by this isolate's exact
//                              in-memory stand-in (standin.ts; the workerd tests, `npm start`), one per
//                              binding, or one per version when the version is not listed; a number:
//                              the same, each write becoming visible after that many milliseconds.
import { ApiError } from '../../http/errors';
import { standInIndex } from './standin';

export interface VectorizeConfig {
  GALLERY_VECTORIZE_INDEXES?: string;
  GALLERY_VECTORIZE_STANDIN?: string;
}

/** The index of each shard of `version`'s gallery, in shard order. */
export function versionIndexes(env: object, version: string, dim: number): Vectorize[] {
  const e = env as VectorizeConfig & Record<string, unknown>;
  let listed: Record<string, string[]> = {};
  try {
    listed = JSON.parse(e.GALLERY_VECTORIZE_INDEXES || '{}');
  } catch {
    throw unavailable(version, 'GALLERY_VECTORIZE_INDEXES is not JSON');
  }
  const standin = e.GALLERY_VECTORIZE_STANDIN;
  const lagMs = standin && /^\d+$/.test(standin) ? Number(standin) : undefined;
  const local = (name: string) => standInIndex(name, { dimensions: dim, metric: 'cosine', lagMs });
  const bindings = listed[version];
  if (!bindings?.length) {
    if (standin) return [local(`standin-${version}-0`)];
    throw unavailable(version, `no Vectorize index is listed for model version ${version}: deploy with \`npm run deploy -- --gallery vectorize\``);
  }
  return bindings.map((b) => {
    const ix = e[b] as Vectorize | undefined;
    if (ix) return ix;
    if (standin) return local(`${b}-${version}`);
    throw unavailable(version, `binding ${b} (model version ${version}) is missing`);
  });
}

function unavailable(version: string, message: string) {
  console.error(`gallery: ${message}`);
  return new ApiError('storage_unavailable', 'the gallery (Vectorize) is not configured for this model version', { binding: 'GALLERY_VECTORIZE_INDEXES', modelVersion: version });
}
