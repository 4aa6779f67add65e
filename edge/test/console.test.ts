// The console page (its CSP, inline bundle and data block), every error message against the error it
// explains, and the /v1/model route the page reads (the OpenAPI document: openapi.test.ts).
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { consoleScript } from '../src/console/bundle.generated';
import { ERROR_MESSAGES } from '../src/console/messages';
import { consoleStyle } from '../src/console/style';
import { ERROR_CODES, type ErrorCode } from '../src/http/errors';
import { MAX_IMAGE_BYTES, MAX_IMAGES_PER_REQUEST, MAX_PIXELS, MAX_SIDE } from '../src/http/limits';
import { call, installModel, startWithTinyModel } from './helpers';
import { tinyManifest, tinyModel } from './tiny-model';

beforeEach(async () => {
  await startWithTinyModel();
});

const sha256 = async (text: string) =>
  `'sha256-${btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))))}'`;

/** The text of every <tag ...>…</tag> element of the page, with its opening tag. */
const elements = (page: string, tag: string) => [...page.matchAll(new RegExp(`<${tag}([^>]*)>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => ({ attrs: m[1], text: m[2] }));

function directives(csp: string) {
  return Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
}

describe('console page', () => {
  it('serves one HTML page with no external resources', async () => {
    const r = await call('GET', '/', { auth: 'none' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const page = r.data as string;
    for (const id of ['verify-form', 'identify-form', 'token-form', 'enrol-form', 'enrol-offer', 'enrol-largest', 'confirm-delete', 'model-facts', 'operating-points', 'console-data'])
      expect(page).toContain(`id="${id}"`);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it("allows exactly its own script and stylesheet by hash: no 'unsafe-inline', no inline handlers", async () => {
    const r = await call('GET', '/', { auth: 'none' });
    const page = r.data as string;
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const d = directives(csp);
    expect(d['default-src']).toEqual(["'self'"]);
    expect(d['frame-ancestors']).toEqual(["'none'"]);
    // Executable scripts: the bundle only, verbatim, and it is what script-src allows.
    const scripts = elements(page, 'script').filter((s) => !/type="application\/json"/.test(s.attrs));
    expect(scripts).toHaveLength(1);
    expect(scripts[0].attrs).toBe(' type="module"');
    expect(scripts[0].text).toBe(consoleScript);
    expect(d['script-src']).toEqual([await sha256(scripts[0].text)]);
    const styles = elements(page, 'style');
    expect(styles).toHaveLength(1);
    expect(styles[0].text).toBe(consoleStyle);
    expect(d['style-src']).toEqual([await sha256(styles[0].text)]);
    // Nothing in the markup that a hash-only CSP would block: inline handlers, javascript: URLs, style attributes.
    const markup = page.replace(/(<(script|style)[^>]*>)[\s\S]*?(<\/\2>)/g, '$1$3');
    const tags = markup.match(/<[a-z][^>]*>/gi)!;
    expect(tags.length).toBeGreaterThan(100);
    expect(tags.filter((t) => /\son[a-z]+\s*=|javascript:|\sstyle\s*=/i.test(t))).toEqual([]);
  });

  it('bundles the contract code it uses (crop, alignment), not copies of it', () => {
    for (const name of ['cropBox', 'resample', 'alignmentTransform', 'warpToCanvas', 'fitSimilarity'])
      expect(consoleScript, name).toMatch(new RegExp(`function ${name}\\(`));
    expect(consoleScript).toContain('// models/contract/face/align.ts');
    expect(consoleScript).toContain('// models/contract/preprocess.ts');
    // Data reaches the script as JSON, never spliced into it.
    expect(consoleScript).not.toContain('image_too_large');
  });

  it('hands the script the messages and, without a face pipeline in the manifest, no alignment spec', async () => {
    const page = (await call('GET', '/', { auth: 'none' })).data as string;
    const block = elements(page, 'script').find((s) => s.attrs.includes('id="console-data"'))!;
    expect(block.attrs).toContain('type="application/json"');
    expect(block.text).not.toContain('<');
    expect(JSON.parse(block.text)).toEqual({ messages: ERROR_MESSAGES, face: null });
  });

  it("hands the script the manifest's alignment spec when the manifest has one", async () => {
    const bytes = tinyModel(1);
    const face = inject('faceSpec');
    const manifest = { ...(await tinyManifest(bytes, 'tiny-face-1')), face };
    // The page reads the manifest only; the detector file is named, never loaded here.
    manifest.files = { ...manifest.files, detector: { path: 'models/build/face-detect.onnx', sha256: '0'.repeat(64), bytes: 1, description: 'face detector' } };
    await installModel(bytes, manifest);
    const page = (await call('GET', '/', { auth: 'none' })).data as string;
    const data = JSON.parse(elements(page, 'script').find((s) => s.attrs.includes('id="console-data"'))!.text);
    expect(data.face).toEqual({ align: face.align, minFaceSize: face.minFaceSize, detector: face.detector.id });
  });

  it('still serves the page when the manifest cannot be read', async () => {
    await env.MODELS.delete(env.MODEL_MANIFEST_KEY);
    const r = await call('GET', '/', { auth: 'none' });
    expect(r.status).toBe(200);
    expect(r.data).toContain('"face":null');
  });
});

describe('console messages', () => {
  const MiB = String(MAX_IMAGE_BYTES / 1024 / 1024);
  // What each code means, in the words a person would look for; every pattern must match that code's message.
  const meaning: Record<ErrorCode, (RegExp | string)[]> = {
    invalid_request: [/incomplete|malformed/, /field/],
    invalid_identity_id: [/identity id/, /128 characters/],
    too_many_images: [/too many photos/i, String(MAX_IMAGES_PER_REQUEST)],
    unauthorized: [/API key/, /admin token/],
    forbidden: [/API key/, /scope/],
    identity_not_found: [/no identity with that id/],
    not_found: [/no such route/],
    model_version_mismatch: [/another model version/, /enrol it again/],
    payload_too_large: [/upload is too big/, /size limit/, `${MiB} MiB`],
    image_too_large: [/file is too large/, /bytes/, `${MiB} MiB`],
    image_too_many_pixels: [/too many pixels/, String(MAX_SIDE), `${Math.round(MAX_PIXELS / 1e6)} megapixels`],
    unsupported_media_type: [/form upload or JSON/],
    unsupported_image_type: [/Only JPEG and PNG/],
    image_corrupt: [/could not be decoded/, /damaged|truncated/],
    invalid_box: [/face box/, /empty or outside/],
    no_face: [/No face was found/],
    multiple_faces: [/more than one face/, /Use the largest face/],
    box_no_face: [/No face/, /face box/],
    face_too_small: [/face is too small/, /pixels/],
    low_quality: [/quality floor/, /reasons/, /frontal/],
    operating_point_unavailable: [/false accept rate/, /threshold/],
    threshold_below_floor: [/looser than this server allows/, /floor/, /stricter/],
    rate_limited: [/Too many requests/, /quota/, /changed too often/, /wait/],
    internal_error: [/failed unexpectedly/],
    model_unavailable: [/face model is not available/],
    auth_not_configured: [/no keys configured/],
    encryption_not_configured: [/encryption key/, /stored face data/],
    storage_unavailable: [/cannot reach its storage/],
  };

  it('has a message for exactly the API error codes', () => {
    expect(Object.keys(ERROR_MESSAGES).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    expect(Object.keys(meaning).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    it(`${code}: says what the error means`, () => {
      const m = ERROR_MESSAGES[code];
      for (const p of meaning[code]) typeof p === 'string' ? expect(m, code).toContain(p) : expect(m, code).toMatch(p);
    });
  }

  it('keeps byte limits and pixel limits apart', () => {
    expect(ERROR_MESSAGES.image_too_large).not.toMatch(/pixel/);
    expect(ERROR_MESSAGES.image_too_many_pixels).not.toMatch(/MiB|bytes/);
  });
});

describe('GET /v1/model', () => {
  it('gives the manifest facts the page needs, without auth', async () => {
    const r = await call('GET', '/v1/model', { auth: 'none' });
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ modelVersion: 'tiny-1', backend: 'wasm', preprocess: { size: expect.any(Number), crop: expect.any(Object) }, threshold: { score: expect.any(Number) } });
  });
});

