// The model manifest (models/contract/manifest.ts) as the Worker finds it in R2, and the R2 layout:
//   <MODEL_MANIFEST_KEY>                       e.g. face-embed/<modelVersion>/manifest.json
//   <dir of MODEL_MANIFEST_KEY>/<file name>    the edge ONNX file (see edgeFile), e.g. face-embed.int8.onnx
import { describeIssues, ManifestSchema, type ModelManifest } from '../../../models/contract/manifest';
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

/** Parses and checks a manifest (models/contract/manifest.ts); anything unusable is a 503 model_unavailable. */
export function parseManifest(text: string): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw unavailable('manifest is not JSON');
  }
  const r = ManifestSchema.safeParse(json);
  if (!r.success) {
    const issues = describeIssues(r.error);
    throw unavailable(`manifest is invalid: ${issues.join('; ')}`, { issues });
  }
  edgeFile(r.data);
  return r.data;
}

export const unavailable = (reason: string, more?: Record<string, unknown>) =>
  new ApiError('model_unavailable', `model unavailable: ${reason}`, { reason, ...more });
