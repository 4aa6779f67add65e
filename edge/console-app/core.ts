// Shared helpers of the console: DOM building, API calls with the tab's key or token, error
// explanations in plain words, the page's data block and the model facts from GET /v1/model.
import type { ConsoleData, ConsoleFaceSpec } from '../src/console/data';
import type { DetectedFace, ModelInfo } from './types';

export function $<T extends Element = HTMLElement>(selector: string): T {
  const e = document.querySelector<T>(selector);
  if (!e) throw new Error(`console: no element ${selector}`);
  return e;
}

export const fmt = (v: unknown, digits = 3) => (typeof v === 'number' ? v.toFixed(digits) : String(v));

type Kid = Node | string | null | undefined | false;
type Props = Record<string, string | number | boolean | ((e: Event) => void) | null | undefined>;

/** An element with attributes (`class`, `on<event>` listeners, anything else as an attribute) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...kids: Kid[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids) if (kid != null && kid !== false) e.append(kid);
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';
/** An SVG element with presentation attributes (never a style attribute: the page's CSP has no 'unsafe-inline'). */
export function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...kids: Kid[]): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const kid of kids) if (kid != null && kid !== false) e.append(kid);
  return e;
}

/** The page's data block (edge/src/console/page.ts): messages per error code, the face alignment spec. */
export const data: ConsoleData = JSON.parse($('#console-data').textContent || '{"messages":{},"face":null}');

export class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface ApiOptions { method?: string; body?: BodyInit; admin?: boolean }

export const API_KEY = 'edgeFace.apiKey';
export const ADMIN_TOKEN = 'edgeFace.adminToken';

export async function api<T>(path: string, opts: ApiOptions = {}): Promise<T> {
  const secret = sessionStorage.getItem(opts.admin ? ADMIN_TOKEN : API_KEY);
  const headers: Record<string, string> = secret ? { authorization: `Bearer ${secret}` } : {};
  let res: Response;
  try {
    res = await fetch(path, { method: opts.method ?? 'GET', body: opts.body, headers });
  } catch (e) {
    throw new ApiFailure('network', (e as Error).message);
  }
  const body = await res.json().catch(() => null);
  if (res.ok && body) return body as T;
  const err = (body && typeof body === 'object' && body.error) || {};
  throw new ApiFailure(err.code || 'internal_error', err.message || `HTTP ${res.status} without a JSON body`, res.status, err.details || {});
}

/** How a request field reads to a person: a → "photo A", images[2] → "photo 3". */
export function photoName(field: unknown): string {
  if (field === 'a' || field === 'b') return `photo ${field.toUpperCase()}`;
  const m = /^images\[(\d+)\]$/.exec(String(field));
  if (m) return `photo ${Number(m[1]) + 1}`;
  return 'the photo';
}

/** The face-specific facts of a 422 in plain words (which photo, how many faces, how small). */
export function faceProblem(e: ApiFailure): string {
  const d = e.details;
  const which = photoName(d.field);
  if (e.code === 'no_face') return `No face was found in ${which}.`;
  if (e.code === 'multiple_faces') {
    const n = Number(d.facesFound ?? (d.faces as DetectedFace[] | undefined)?.length ?? 0);
    return `${which[0].toUpperCase()}${which.slice(1)} shows ${n > 1 ? n : 'several'} faces; the numbered boxes on it show where.`;
  }
  if (e.code === 'face_too_small' && typeof d.size === 'number' && typeof d.minimum === 'number')
    return `The face in ${which} is ${d.size} pixels across; the model needs at least ${d.minimum}.`;
  return '';
}

export function explain(e: unknown): string {
  if (!(e instanceof ApiFailure)) return `The page hit an unexpected problem: ${e instanceof Error ? e.message : String(e)}`;
  if (e.code === 'network') return `Could not reach the server (${e.message}).`;
  const human = data.messages[e.code] || 'The server refused the request.';
  const specific = faceProblem(e);
  return `${human}${specific ? ` ${specific}` : ''} Server said: "${e.message}" [${e.code}, HTTP ${e.status}]`;
}

export function say(box: HTMLElement, e: unknown) {
  box.textContent = e ? explain(e) : '';
  box.hidden = !e;
}

/** Runs a form's request once at a time, showing its failure in errBox. */
export async function run(form: HTMLElement, errBox: HTMLElement, fn: () => Promise<void>) {
  if (form.getAttribute('aria-busy') === 'true') return;
  form.setAttribute('aria-busy', 'true');
  say(errBox, null);
  try {
    await fn();
  } catch (e) {
    say(errBox, e);
  } finally {
    form.removeAttribute('aria-busy');
  }
}

export function scoreBar(similarity: number, threshold: number, label: string) {
  const pos = (v: number) => `${Math.max(0, Math.min(100, (v + 1) * 50))}%`;
  const bar = el('div', { class: 'bar', role: 'img', 'aria-label': `${label}: similarity ${fmt(similarity)}, threshold ${fmt(threshold)}` });
  const fill = el('span', { class: `fill ${similarity > threshold ? 'yes' : 'no'}` });
  const mark = el('span', { class: 'mark', title: `threshold ${fmt(threshold)}` });
  // CSSOM writes, not style attributes: allowed under the page's CSP.
  fill.style.width = pos(similarity);
  mark.style.left = pos(threshold);
  bar.append(fill, mark);
  return bar;
}

/** GET /v1/model, once; null (and the model panel's error shown) when it fails. */
export const modelReady: Promise<ModelInfo | null> = api<ModelInfo>('/v1/model').catch((e) => {
  say($('#model-error'), e);
  return null;
});

/** The alignment spec: /v1/model's when it reports one, else the page's (both come from the manifest). */
export async function faceSpec(): Promise<ConsoleFaceSpec | null> {
  const m = await modelReady;
  const f = m?.face;
  if (f?.align?.template && f.align.size) {
    const detector = typeof f.detector === 'string' ? f.detector : f.detector?.id;
    return { align: f.align, minFaceSize: f.minFaceSize ?? data.face?.minFaceSize ?? 0, detector: detector ?? data.face?.detector };
  }
  return data.face;
}
