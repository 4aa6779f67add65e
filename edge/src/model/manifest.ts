// The model manifest (models/contract/manifest.ts) as the Worker finds it in R2, and the R2 layout:
//   <MODEL_MANIFEST_KEY>                       e.g. face-embed/<modelVersion>/manifest.json
//   <dir of MODEL_MANIFEST_KEY>/<file name>    the edge ONNX file (see edgeFile), e.g. face-embed.int8.onnx
import type { ModelManifest } from '../../../models/contract/manifest';
import { ApiError } from '../http/errors';
import type { ModelIO } from './embedder';

export type ManifestFile = ModelManifest['files'][string];

/**
 * The edge model among manifest.files: key "edge", else "int8" (scripts/build-model.ts writes
 * fp32 + int8 and the int8 QDQ graph is the one meant for the edge), else the only .onnx file.
 */
export function edgeFile(m: ModelManifest): ManifestFile {
  const files = m.files ?? {};
  const onnx = Object.values(files).filter((f) => f?.path?.endsWith('.onnx'));
  const pick = files.edge ?? files.int8 ?? (onnx.length === 1 ? onnx[0] : undefined);
  if (!pick?.sha256 || !pick.path) throw unavailable('manifest names no edge ONNX file (files.edge or files.int8) with a sha256');
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
  if (m.face && !m.files.detector?.sha256) throw unavailable('manifest has a face pipeline but names no files.detector with a sha256');
  return m;
}

export const unavailable = (reason: string) => new ApiError('model_unavailable', `model unavailable: ${reason}`, { reason });
