// Requests generated from the Worker's own /openapi.json, plus mutations, for edge/test/fuzz.test.ts.
// Each request is drawn by fast-check from the documented operations: path and query parameters,
// a body in a documented encoding built from the body's schema (images from a pool of valid, broken
// and hostile files), and credentials; then, often, a mutation: a required field dropped, a field of
// the wrong type, an unknown field, a wrong content type, a malformed body, a hostile path segment,
// an undocumented method. fc.sample with a seed makes the whole list replayable.
// checkAnswer validates an answer against what the document says of that operation and status.
import type { Validator } from '@cfworker/json-schema';
import fc from 'fast-check';

let ValidatorClass: typeof Validator | undefined;
/**
 * Loads @cfworker/json-schema. At import it derives a default base URI from self.location, which the
 * test runner sets to something URL cannot parse; the location is hidden for the import only.
 */
export async function loadValidator() {
  const own = Object.getOwnPropertyDescriptor(globalThis, 'location');
  const hide = !own || own.configurable;
  if (hide) Object.defineProperty(globalThis, 'location', { value: undefined, configurable: true, writable: true });
  try {
    ValidatorClass = (await import('@cfworker/json-schema')).Validator;
  } finally {
    if (hide) own ? Object.defineProperty(globalThis, 'location', own) : delete (globalThis as { location?: unknown }).location;
  }
}

type Schema = Record<string, any>;
export interface OpenApiDoc {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, Schema> };
}

export interface FuzzRequest {
  method: string;
  /** The documented path template and method this request was drawn from (null: an undocumented method). */
  operation: { path: string; method: string } | null;
  url: string;
  headers: Record<string, string>;
  body?: { kind: 'json'; value: unknown } | { kind: 'form'; fields: [string, string | { file: string }][] } | { kind: 'raw'; text: string };
  mutation: string;
}

export interface Credentials {
  api: string[];
  admin: string[];
  other: string[];
}

/** Image bytes by name (base64) the generator may put in an image field. */
export type ImagePool = Record<string, string>;

const deref = (doc: OpenApiDoc, s: Schema): Schema => (s?.$ref ? deref(doc, doc.components.schemas[s.$ref.split('/').pop()!]) : s);

const isImage = (s: Schema) => s.format === 'binary' || /^base64 /.test(s.description ?? '') || /JPEG or PNG/.test(s.description ?? '');

const simpleString = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
const idString = fc.stringMatching(/^[a-z0-9_-]{1,16}$/);
const hostileStrings = fc.constantFrom('', ' ', '..', 'a/b', '%2e%2e', 'x'.repeat(300), '\u0000', 'é👍', '<script>', 'null', '-1', '1e309', '{"a":1}');

/** A value for `schema`, mostly valid; depth-limited. */
function valueFor(doc: OpenApiDoc, schema: Schema, images: string[], depth = 0): fc.Arbitrary<unknown> {
  const s = deref(doc, schema);
  if (!s || depth > 4) return fc.constant(null);
  if (isImage(s)) return fc.constantFrom(...images).map((name) => ({ image: name }));
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return fc.oneof(...alts.map((a: Schema) => valueFor(doc, a, images, depth + 1)));
  if (s.allOf) return valueFor(doc, Object.assign({}, ...s.allOf.map((p: Schema) => deref(doc, p))), images, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'integer': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -5);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : min + 100);
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    }
    case 'number': {
      const min = s.minimum ?? s.exclusiveMinimum ?? -10;
      const max = s.maximum ?? s.exclusiveMaximum ?? 10;
      return fc.double({ min, max, noNaN: true, minExcluded: s.exclusiveMinimum !== undefined, maxExcluded: s.exclusiveMaximum !== undefined });
    }
    case 'boolean':
      return fc.boolean();
    case 'string':
      return fc.oneof(simpleString, fc.string({ maxLength: 40 }));
    case 'array': {
      const items = s.prefixItems ? fc.tuple(...s.prefixItems.map((p: Schema) => valueFor(doc, p, images, depth + 1))) : null;
      return items ?? fc.array(valueFor(doc, s.items ?? {}, images, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
    }
    case 'object': {
      const props: Record<string, Schema> = s.properties ?? {};
      const required = new Set<string>(s.required ?? []);
      const rec: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) rec[k] = valueFor(doc, v, images, depth + 1);
      return fc.record(rec, { requiredKeys: [...required].filter((k) => k in props) });
    }
    default:
      return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null));
  }
}

/** A value of the wrong kind for any field. */
const wrongValue = fc.oneof(fc.constant(null), fc.integer(), fc.double(), fc.boolean(), hostileStrings, fc.constant([]), fc.constant({}), fc.constant({ x: 'y' }));

const imageField = (v: unknown): v is { image: string } => typeof v === 'object' && v !== null && 'image' in v && Object.keys(v).length === 1;

/** JSON: image markers become base64 text (sometimes a data: URL). */
function toJson(v: unknown, pool: ImagePool): unknown {
  if (imageField(v)) return pool[v.image];
  if (Array.isArray(v)) return v.map((x) => toJson(x, pool));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x, pool)]));
  return v;
}

/** Multipart: image markers become file parts, arrays repeat the field, objects are JSON text. */
function toFields(v: Record<string, unknown>): [string, string | { file: string }][] {
  const out: [string, string | { file: string }][] = [];
  const one = (k: string, x: unknown) => out.push([k, imageField(x) ? { file: x.image } : typeof x === 'string' ? x : JSON.stringify(x)]);
  for (const [k, x] of Object.entries(v)) Array.isArray(x) ? x.forEach((y) => one(k, y)) : one(k, x);
  return out;
}

/** The arbitrary of one request against `doc`. */
export function requestArbitrary(doc: OpenApiDoc, images: string[], creds: Credentials): fc.Arbitrary<FuzzRequest> {
  const ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
  // Built once per operation, so drawing a request only draws values.
  return fc.oneof(...ops.map(({ path, method, op }) => {
    const params: Schema[] = op.parameters ?? [];
    const pathParams = fc.record(
      Object.fromEntries(params.filter((p) => p.in === 'path').map((p) => [p.name, fc.oneof({ weight: 4, arbitrary: idString }, { weight: 1, arbitrary: hostileStrings.filter((x) => x !== '') })])),
    );
    const query = fc.record(
      Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, fc.oneof(valueFor(doc, p.schema ?? {}, images), wrongValue)])),
      { requiredKeys: [] },
    );
    const content: Record<string, { schema: Schema }> = op.requestBody?.content ?? {};
    const bodies = Object.entries(content).map(([type, c]) => valueFor(doc, c.schema, images).map((value) => ({ type, value: value as Record<string, unknown> })));
    const body = bodies.length ? fc.oneof(...bodies) : fc.constant(null);
    const secured = !!op.security?.length;
    const admin = path.startsWith('/admin');
    const auth = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...(admin ? creds.admin : creds.api)) },
      { weight: 1, arbitrary: fc.constantFrom('', 'Bearer ', 'Basic eDp5', ...creds.other, ...(admin ? creds.api : creds.admin)) },
    );
    const mutation = fc.oneof(
      { weight: 8, arbitrary: fc.constant('none') },
      { weight: 1, arbitrary: fc.constantFrom('drop-required', 'wrong-type', 'unknown-field', 'content-type', 'garbage-body', 'truncated-json', 'undocumented-method', 'extra-query') },
    );
    return fc.tuple(pathParams, query, body, auth, mutation, fc.nat(), wrongValue).map(([pp, q, b, a, m, pick, wrong]) => {
      const url = path.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(String((pp as Record<string, unknown>)[k])));
      const qs = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
      if (m === 'extra-query') qs.set('unexpected', 'x'.repeat(pick % 50));
      const headers: Record<string, string> = {};
      if (secured && a) headers.authorization = a;
      let req: FuzzRequest = { method: method.toUpperCase(), operation: { path, method }, url: `${url}${qs.size ? `?${qs}` : ''}`, headers, mutation: m };
      if (b) {
        const fields = { ...b.value };
        const keys = Object.keys(fields);
        const required: string[] = deref(doc, content[b.type].schema).required ?? [];
        if (m === 'drop-required' && required.length) delete fields[required[pick % required.length]];
        if (m === 'wrong-type' && keys.length) fields[keys[pick % keys.length]] = wrong;
        if (m === 'unknown-field') fields[`extra${pick % 10}`] = wrong;
        req.body = b.type === 'application/json' ? { kind: 'json', value: fields } : { kind: 'form', fields: toFields(fields) };
        if (m === 'content-type') headers['content-type'] = ['text/plain', 'application/xml', 'multipart/form-data; boundary=nope', 'application/json; charset=utf-16'][pick % 4];
        if (m === 'garbage-body') req.body = { kind: 'raw', text: ['', '{', '[]', 'null', '"x"', '\u0000\u0001', '{"a":'.repeat(50)][pick % 7] };
        if (m === 'truncated-json') req.body = { kind: 'raw', text: JSON.stringify(fields).slice(0, pick % 200) };
        if (req.body.kind === 'raw' && !headers['content-type']) headers['content-type'] = 'application/json';
      }
      if (m === 'undocumented-method') {
        const documented = Object.keys(doc.paths[path]);
        const other = ['get', 'put', 'post', 'delete', 'patch'].filter((x) => !documented.includes(x));
        req = { ...req, method: (other[pick % other.length] ?? 'patch').toUpperCase(), operation: null };
      }
      return req;
    });
  }));
}

/** The Request for `r` (images resolved from the pool). */
export async function toRequest(r: FuzzRequest, pool: ImagePool, base = 'https://edge.test'): Promise<Request> {
  const headers = new Headers(r.headers);
  let body: BodyInit | undefined;
  if (r.body?.kind === 'json') {
    body = JSON.stringify(toJson(r.body.value, pool));
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  } else if (r.body?.kind === 'form') {
    const f = new FormData();
    for (const [k, v] of r.body.fields) typeof v === 'string' ? f.append(k, v) : f.append(k, new File([Uint8Array.from(atob(pool[v.file]), (c) => c.charCodeAt(0))], `${k}.bin`));
    // A forced content type: the multipart bytes under it.
    body = headers.has('content-type') ? await new Response(f).arrayBuffer() : f;
  } else if (r.body?.kind === 'raw') body = r.body.text;
  return new Request(`${base}${r.url}`, { method: r.method, headers, body: r.method === 'GET' || r.method === 'HEAD' ? undefined : body });
}

const validators = new Map<string, Validator>();

/** What is wrong with this answer by the document (null: nothing). */
export function checkAnswer(doc: OpenApiDoc, r: FuzzRequest, status: number, contentType: string, body: unknown, headers: Headers): string | null {
  if (status >= 500) return `${status}`;
  if (status === 429 && !headers.get('retry-after')) return '429 without Retry-After';
  // A hostile path segment ('..', '%2e%2e') can move the request off its route once the URL is normalised.
  const onRoute = r.operation && new RegExp(`^${r.operation.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(new URL(r.url, 'https://x').pathname);
  const op = onRoute && doc.paths[r.operation!.path][r.operation!.method];
  const response = op?.responses?.[String(status)];
  // An undocumented method or a path that leaves its route: 404 not_found (401 first under /admin).
  if (!response) {
    if (status === 404 || status === 405 || (status === 401 && r.url.startsWith('/admin'))) return validate(doc, 'Error', doc.components.schemas.Error, body);
    return `status ${status} is not documented for ${r.operation?.method} ${r.operation?.path}`;
  }
  const [type, media] = Object.entries<{ schema: Schema }>(response.content ?? {})[0] ?? [];
  if (!type) return null;
  if (!contentType.startsWith(type)) return `content-type ${contentType}, documented ${type}`;
  if (type !== 'application/json') return null;
  return validate(doc, `${r.operation!.method} ${r.operation!.path} ${status}`, media.schema, body);
}

function validate(doc: OpenApiDoc, key: string, schema: Schema, body: unknown): string | null {
  let v = validators.get(key);
  if (!v) {
    if (!ValidatorClass) throw new Error('call loadValidator() first');
    v = new ValidatorClass({ ...schema, components: doc.components } as never, '2020-12', false);
    validators.set(key, v);
  }
  const result = v.validate(body);
  return result.valid ? null : `schema: ${result.errors.slice(0, 3).map((e) => `${e.instanceLocation} ${e.error}`).join('; ')}`;
}
