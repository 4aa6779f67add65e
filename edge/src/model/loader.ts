// The model for this isolate: manifest and ONNX bytes read from R2 on first use, the bytes checked
// against the manifest's sha256, the inference session cached until the isolate dies. A failed load
// is remembered for RETRY_MS so a broken deployment does not hammer R2 on every request.
import type { ModelManifest } from '../../../models/contract/manifest';
import { createWorkerDetector, createWorkerEmbedder, type WorkerEmbedder } from './embedder';
import type { RunDetector } from '../../../models/contract/face/pipeline';
import { edgeFile, modelIO, modelObjectKey, parseManifest, unavailable, type ManifestFile } from './manifest';
import { ApiError } from '../http/errors';

export interface Model {
  manifest: ModelManifest;
  embedder: WorkerEmbedder;
  /** The face detector's session (manifest.face and files.detector); absent only for a manifest without face.*/
  detector?: RunDetector;
  size: number;
  key: string;
  loadedAt: number;
}

const RETRY_MS = 30_000;
interface Entry { manifestKey: string; promise: Promise<Model>; model?: Model; error?: unknown; failedAt?: number }
let current: Entry | null = null;

export function getModel(env: Env): Promise<Model> {
  const key = env.MODEL_MANIFEST_KEY;
  const stale = current && (current.manifestKey !== key || (current.failedAt && Date.now() - current.failedAt > RETRY_MS));
  if (!current || stale) {
    const entry: Entry = { manifestKey: key, promise: load(env.MODELS, key) };
    entry.promise.then(
      (m) => { entry.model = m; },
      (e) => { entry.error = e; entry.failedAt = Date.now(); },
    );
    current = entry;
  }
  return current.promise;
}

/** What /v1/health reports, without triggering a load. */
export function modelStatus(): { loaded: boolean; modelVersion?: string; error?: string } {
  if (current?.model) return { loaded: true, modelVersion: current.model.manifest.modelVersion };
  const e = current?.error;
  if (e) return { loaded: false, error: e instanceof ApiError ? String(e.details?.reason ?? e.message) : 'load failed' };
  return { loaded: false };
}

/** Test hook: forget the cached model (e.g. after replacing it in R2). */
export function resetModel() {
  current = null;
}

/** The manifest alone (no inference session): for the admin list and the gallery rebuild. */
export async function getManifest(env: Env): Promise<ModelManifest> {
  if (current?.model && current.manifestKey === env.MODEL_MANIFEST_KEY) return current.model.manifest;
  return readManifest(env.MODELS, env.MODEL_MANIFEST_KEY);
}

async function readManifest(bucket: R2Bucket, manifestKey: string): Promise<ModelManifest> {
  const obj = await bucket.get(manifestKey);
  if (!obj) throw unavailable(`no manifest at R2 key ${manifestKey}`);
  return parseManifest(await obj.text());
}

/** An object the manifest names, read from R2 beside the manifest and checked against its sha256. */
async function readChecked(bucket: R2Bucket, manifestKey: string, file: ManifestFile) {
  const key = modelObjectKey(manifestKey, file);
  const obj = await bucket.get(key);
  if (!obj) throw unavailable(`no model file at R2 key ${key}`);
  const bytes = new Uint8Array(await obj.arrayBuffer());
  const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
  if (digest !== file.sha256.toLowerCase()) throw unavailable(`sha256 of ${key} does not match the manifest`);
  return { key, bytes };
}

async function load(bucket: R2Bucket, manifestKey: string): Promise<Model> {
  const manifest = await readManifest(bucket, manifestKey);
  const { key, bytes } = await readChecked(bucket, manifestKey, edgeFile(manifest));
  const det = manifest.face && manifest.files.detector ? await readChecked(bucket, manifestKey, manifest.files.detector) : null;
  try {
    const embedder = await createWorkerEmbedder(bytes, modelIO(manifest));
    const detector = det && manifest.face ? await createWorkerDetector(det.bytes, manifest.face.detector) : undefined;
    return { manifest, embedder, detector, size: bytes.length + (det?.bytes.length ?? 0), key, loadedAt: Date.now() };
  } catch (e) {
    console.error('model session failed', e);
    throw unavailable(`onnxruntime could not load ${key}: ${(e as Error)?.message ?? e}`);
  }
}
