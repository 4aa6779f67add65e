// The registered backbones by id and where each one's built manifest lives: a light module (no
// model code) for the scripts that only pick a manifest (npm start, npm run deploy, the local server).
export const BACKBONE_IDS = ['inception_v3', 'dlib_resnet', 'dlib_faceres'] as const;
export type BackboneId = (typeof BACKBONE_IDS)[number];
export const DEFAULT_BACKBONE: BackboneId = 'inception_v3';

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
