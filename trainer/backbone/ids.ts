// The registered backbones by id and where each one's built manifest lives: a light module (no
// model code) for the scripts that only pick a manifest (npm start, npm run deploy, the local server).
export const BACKBONE_IDS = ['inception_v3', 'dlib_resnet', 'dlib_faceres'] as const;
export type BackboneId = (typeof BACKBONE_IDS)[number];
export const DEFAULT_BACKBONE: BackboneId = 'inception_v3';
/**
 * Built only when asked for (`npm run model:build -- --backbone <id>`), never by the test set-up or
 * a fresh clone: their weights are fetched on demand and their terms are the user's call (README).
 */
export const OPT_IN_BACKBONES: readonly BackboneId[] = ['dlib_faceres'];
/** What scripts/ensure-model.ts builds and the tests run on. */
export const STANDARD_BACKBONES: readonly BackboneId[] = BACKBONE_IDS.filter((id) => !OPT_IN_BACKBONES.includes(id));

/** Repo-relative manifest path per backbone; InceptionV3 keeps models/manifest.json. */
export const MANIFESTS: Record<BackboneId, string> = {
  inception_v3: 'models/manifest.json',
  dlib_resnet: 'models/dlib_resnet/manifest.json',
  dlib_faceres: 'models/dlib_faceres/manifest.json',
};

export function checkBackboneId(id: string): BackboneId {
  if (!(BACKBONE_IDS as readonly string[]).includes(id)) throw new Error(`unknown backbone '${id}' (known: ${BACKBONE_IDS.join(', ')})`);
  return id as BackboneId;
}

export const manifestOf = (id: string = DEFAULT_BACKBONE) => MANIFESTS[checkBackboneId(id)];

/** `npx tsx scripts/build-model.ts` arguments that build this backbone. */
export const buildArgs = (id: string = DEFAULT_BACKBONE) => ['tsx', 'scripts/build-model.ts', ...(checkBackboneId(id) === DEFAULT_BACKBONE ? [] : ['--backbone', id])];
