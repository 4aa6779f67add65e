// Per-request operating points on verify and identify (a similarity `threshold`, a false accept rate
// `far`): offered only when GET /openapi.json documents the field for that route, so the console
// never sends a field the server does not know.
import { el } from './core';

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document read generically
type Schema = Record<string, any>;

const NAMES: Record<string, string> = { threshold: 'Threshold (similarity)', far: 'False accept rate' };

let doc: Promise<Schema | null> | null = null;
const openapi = () => {
  doc ??= fetch('/openapi.json').then((r) => (r.ok ? r.json() : null)).catch(() => null);
  return doc;
};

function resolve(d: Schema, s: Schema | undefined, depth = 0): Schema | undefined {
  if (!s || depth > 8) return s;
  if (typeof s.$ref !== 'string' || !s.$ref.startsWith('#/')) return s;
  const target = s.$ref.slice(2).split('/').reduce<Schema | undefined>((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], d);
  return resolve(d, target, depth + 1);
}

/** The properties a schema documents, through $ref and allOf. */
function properties(d: Schema, s: Schema | undefined, depth = 0): Record<string, Schema> {
  const r = resolve(d, s);
  if (!r || depth > 8) return {};
  const out: Record<string, Schema> = {};
  for (const part of r.allOf ?? []) Object.assign(out, properties(d, part, depth + 1));
  for (const [k, v] of Object.entries(r.properties ?? {})) out[k] = resolve(d, v as Schema) ?? {};
  return out;
}

export interface OptionalField { name: string; where: 'body' | 'query'; input: HTMLInputElement | HTMLSelectElement }

/** Adds a labelled control to `slot` for each operating point `path` (POST) documents; returns them. */
export async function offerOperatingPoints(path: string, slot: HTMLElement, prefix: string): Promise<OptionalField[]> {
  const d = await openapi();
  const op = d?.paths?.[path]?.post;
  if (!d || !op) return [];
  const body = resolve(d, op.requestBody);
  const form = properties(d, body?.content?.['multipart/form-data']?.schema);
  const params: Schema[] = (op.parameters ?? []).map((p: Schema) => resolve(d, p)).filter(Boolean);
  const fields: OptionalField[] = [];
  for (const name of Object.keys(NAMES)) {
    const param = params.find((p) => p.name === name && p.in === 'query');
    const schema = form[name] ?? resolve(d, param?.schema);
    if (!schema) continue;
    const id = `${prefix}-${name}`;
    const hint = typeof (schema.description ?? param?.description) === 'string' ? (schema.description ?? param?.description) : '';
    let input: HTMLInputElement | HTMLSelectElement;
    if (Array.isArray(schema.enum)) {
      input = el('select', { id }, el('option', { value: '' }, 'server default'), ...schema.enum.map((v: unknown) => el('option', { value: String(v) }, String(v))));
    } else {
      input = el('input', { id, type: 'number', step: 'any', size: 8, placeholder: 'server default', min: schema.minimum ?? schema.exclusiveMinimum, max: schema.maximum ?? schema.exclusiveMaximum });
    }
    slot.append(el('span', { class: 'option' }, el('label', { for: id }, NAMES[name]), ' ', input, hint ? el('span', { class: 'hint' }, ` ${hint}`) : null, ' '));
    fields.push({ name, where: form[name] ? 'body' : 'query', input });
  }
  slot.hidden = fields.length === 0;
  return fields;
}

/** Puts the chosen operating points into the request: body fields, or the query string. */
export function withOperatingPoints(path: string, body: FormData, fields: OptionalField[]): string {
  const query = new URLSearchParams();
  for (const f of fields) {
    const v = f.input.value.trim();
    if (!v) continue;
    if (f.where === 'body') body.append(f.name, v);
    else query.set(f.name, v);
  }
  const q = query.toString();
  return q ? `${path}?${q}` : path;
}
