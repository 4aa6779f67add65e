// The model manifest (models/contract/manifest.ts) as the Worker finds it in R2, and the R2 layout:
//   <MODEL_MANIFEST_KEY>                       e.g. face-embed/<modelVersion>/manifest.json
//   <dir of MODEL_MANIFEST_KEY>/<file name>    the ONNX file named by files.edge (see edgeFile)
import type { ModelManifest } from '../../models/contract/manifest';
import { ApiError } from './errors';
import type { ModelIO } from './embedder';

export type ManifestFile = ModelManifest['files'][string];

/** The edge model among manifest.files: key "edge", else a *.edge.onnx path, else the only .onnx. */
export function edgeFile(m: ModelManifest): ManifestFile {
  const files = Object.entries(m.files ?? {});
  const pick = m.files?.edge ?? files.find(([, f]) => f.path.endsWith('.edge.onnx'))?.[1] ??
    (files.filter(([, f]) => f.path.endsWith('.onnx')).length === 1 ? files.find(([, f]) => f.path.endsWith('.onnx'))?.[1] : undefined);
  if (!pick?.sha256) throw unavailable('manifest names no edge ONNX file with a sha256');
  return pick;
}

export function modelObjectKey(manifestKey: string, file: ManifestFile): string {
  const dir = manifestKey.includes('/') ? manifestKey.slice(0, manifestKey.lastIndexOf('/') + 1) : '';
  return dir + file.path.slice(file.path.lastIndexOf('/') + 1);
}

export function modelIO(m: ModelManifest): ModelIO {
  const batch = m.input.shape[0];
  return {
    inputName: m.input.name,
    outputName: m.output.name,
    size: m.preprocess.size,
    embeddingSize: m.output.embeddingSize,
    fixedBatch: typeof batch === 'number' && batch > 0 ? batch : null,
  };
}

/** Parses and sanity-checks a manifest; anything unusable is a 503 model_unavailable. */
export function parseManifest(text: string): ModelManifest {
  let m: ModelManifest;
  try {
    m = JSON.parse(text);
  } catch {
    throw unavailable('manifest is not JSON');
  }
  const ok = m && typeof m.modelVersion === 'string' && m.modelVersion && m.preprocess?.size > 0 &&
    typeof m.input?.name === 'string' && typeof m.output?.name === 'string' && m.output.embeddingSize > 0 &&
    Number.isFinite(m.threshold?.score);
  if (!ok) throw unavailable('manifest lacks modelVersion, preprocess, input, output or threshold');
  edgeFile(m);
  return m;
}

export const unavailable = (reason: string) => new ApiError('model_unavailable', `model unavailable: ${reason}`, { reason });
