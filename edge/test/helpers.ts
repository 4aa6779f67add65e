// Shared test plumbing: fixtures, the tiny model in R2, requests through the Worker, KV snapshots.
import { createExecutionContext, reset, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { inject } from 'vitest';
import worker from '../src/index';
import { resetGallery } from '../src/gallery/cache';
import { resetModel } from '../src/model/loader';
import { modelObjectKey, edgeFile } from '../src/model/manifest';
import type { ModelManifest } from '../../models/contract/manifest';
import { sha256Hex, tinyManifest, tinyModel } from './tiny-model';

export const ADMIN = 'test-admin-token';
export const API_KEY = 'test-key-2';

export function fixture(name: string): Uint8Array {
  const b64 = inject('fixtures')[name];
  if (!b64) throw new Error(`no fixture ${name}`);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}
export const fixtureB64 = (name: string) => inject('fixtures')[name];

/** Puts a model (and its face detector) and its manifest where the Worker looks (MODEL_MANIFEST_KEY) and forgets caches. */
export async function installModel(bytes: Uint8Array, manifest: ModelManifest, detector?: Uint8Array) {
  await env.MODELS.put(env.MODEL_MANIFEST_KEY, JSON.stringify(manifest));
  await env.MODELS.put(modelObjectKey(env.MODEL_MANIFEST_KEY, edgeFile(manifest)), bytes);
  if (detector && manifest.files.detector) await env.MODELS.put(modelObjectKey(env.MODEL_MANIFEST_KEY, manifest.files.detector), detector);
  resetModel();
}

/** Bytes the global setup serves over loopback (/model, /detector, /photos/…, /faces/…). */
export async function served(path: string): Promise<Uint8Array> {
  // workerd's outbound fetch to the loopback server can lose a pooled connection under load
  // ("Network connection lost"): that error alone is retried.
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await fetch(`${inject('filesUrl')}/${path}`);
      if (!r.ok) throw new Error(`${path} could not be served (${r.status})`);
      return new Uint8Array(await r.arrayBuffer());
    } catch (e) {
      if (attempt >= 3 || !String((e as Error)?.message).includes('Network connection lost')) throw e;
    }
  }
}

/** A backbone's real build (its manifest, edge file and face detector) as global-setup serves it. */
export async function installRealModel(id: string) {
  const manifest: ModelManifest = JSON.parse(inject('realManifests')[id]);
  const bytes = await served(`model/${id}`);
  await installModel(bytes, manifest, manifest.face ? await served(`detector/${id}`) : undefined);
  return { manifest, bytes };
}

/**
 * The tiny embedding model behind the real face detector (BlazeFace, as scripts/build-model.ts
 * ships it): the Worker's detection, rules and alignment on real photos, at the tiny model's speed.
 */
export async function installTinyModelWithDetector(minFaceSize?: number) {
  const bytes = tinyModel(1);
  const detector = await served('detector');
  const face = inject('faceSpec');
  const manifest: ModelManifest = {
    ...(await tinyManifest(bytes, 'tiny-face-1')),
    face: { ...face, minFaceSize: minFaceSize ?? face.minFaceSize },
  };
  manifest.files.detector = { path: 'models/build/face-detect.onnx', sha256: await sha256Hex(detector), bytes: detector.length, description: 'face detector' };
  await installModel(bytes, manifest, detector);
  return manifest;
}

export async function installTinyModel(seed = 1, version = 'tiny-1') {
  const bytes = tinyModel(seed);
  const manifest = await tinyManifest(bytes, version);
  await installModel(bytes, manifest);
  return manifest;
}

/** Clears caches that outlive a test in this isolate (storage is reset by the caller). */
export function resetIsolate() {
  resetModel();
  resetGallery();
}

type Auth = 'api' | 'admin' | 'none' | string;
interface Call { json?: unknown; form?: FormData; body?: BodyInit; headers?: Record<string, string>; auth?: Auth; env?: Partial<Env> }

/** A request through the Worker's fetch handler, with the test bindings (optionally overridden). */
export async function call(method: string, path: string, o: Call = {}) {
  const headers = new Headers(o.headers);
  const auth = o.auth ?? (path.startsWith('/admin') ? 'admin' : 'api');
  if (auth === 'api') headers.set('authorization', `Bearer ${API_KEY}`);
  else if (auth === 'admin') headers.set('authorization', `Bearer ${ADMIN}`);
  else if (auth !== 'none') headers.set('authorization', auth);
  let body = o.body;
  if (o.json !== undefined) (body = JSON.stringify(o.json)), headers.set('content-type', 'application/json');
  if (o.form) body = o.form;
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`https://edge.test${path}`, { method, headers, body }), { ...env, ...o.env } as Env, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  let data: any = null;
  try {
    data = JSON.parse(text);
  } catch {
    data = text;
  }
  return { status: res.status, data, headers: res.headers };
}

export function form(fields: Record<string, string | Uint8Array | (string | Uint8Array)[]>) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields))
    for (const x of Array.isArray(v) ? v : [v]) typeof x === 'string' ? f.append(k, x) : f.append(k, new File([x], `${k}.bin`));
  return f;
}

/** Every KV key with its metadata and value, to assert that a rejected request changed nothing. */
export async function kvState(kv: KVNamespace = env.GALLERY) {
  const out: Record<string, string> = {};
  let cursor: string | undefined;
  do {
    const page = await kv.list({ cursor });
    for (const k of page.keys) {
      const v = await kv.get(k.name, 'arrayBuffer');
      out[k.name] = JSON.stringify(k.metadata ?? null) + ':' + (await sha256Hex(new Uint8Array(v!)));
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}

/** Empty local KV/R2, a fresh isolate state and the tiny model: the start of most Worker tests. */
export async function startWithTinyModel() {
  await reset();
  resetIsolate();
  await installTinyModel();
}

/**
 * Runs `fn` while the identity writer of `id` (a Durable Object, which uses its own bindings, not
 * the request's) sees `patch` in its env — e.g. a failing GALLERY.
 */
export async function withWriterEnv<T>(id: string, patch: Partial<Env>, fn: () => Promise<T>): Promise<T> {
  // Untyped: the RPC types of the writer's methods are too deep for the compiler here.
  const ns = env.IDENTITY_WRITER as unknown as DurableObjectNamespace;
  const stub = ns.get(ns.idFromName(id));
  const runIn = runInDurableObject as unknown as (s: DurableObjectStub, fn: (o: any) => void) => Promise<void>;
  await runIn(stub, (o) => {
    o.savedEnv ??= o.env;
    o.env = { ...o.savedEnv, ...patch };
  });
  try {
    return await fn();
  } finally {
    await runIn(stub, (o) => {
      o.env = o.savedEnv;
    });
  }
}
