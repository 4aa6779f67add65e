// Credentials: named API keys with scopes (API_KEYS) and named admin tokens (ADMIN_TOKENS, plus the
// single ADMIN_TOKEN), parsed once per configuration string. A lookup hashes the presented secret and
// compares it with every configured digest in constant time, with no early exit, and answers the
// matching entry's id and scopes; secrets never leave this module.
//
// API_KEYS, comma-separated entries:
//   id:secret                       scopes verify + identify (DEFAULT_SCOPES)
//   id:secret:verify+identify:candidates
//   secret                          the older unnamed form: id "key<n>", n its 1-based position
// ADMIN_TOKENS: `id:token` entries (a bare token is "admin<n>"); ADMIN_TOKEN is id "admin".
// Ids are 1–64 of [A-Za-z0-9_.-]; secrets may not contain ",", ":" or spaces.

export const SCOPES = ['verify', 'identify', 'identify:candidates'] as const;
export type Scope = (typeof SCOPES)[number];
export const DEFAULT_SCOPES: readonly Scope[] = ['verify', 'identify'];

export interface Credential {
  id: string;
  scopes: ReadonlySet<Scope>;
}
interface Entry extends Credential {
  digest: Uint8Array;
}

/** A configuration that cannot be used; its message names the variable and entry, never a secret. */
export class CredentialConfigError extends Error {}

const ID = /^[A-Za-z0-9_.-]{1,64}$/;

const digest = async (s: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));

interface Parsed {
  id: string;
  secret: string;
  scopes: Scope[];
}

function parseScopes(text: string, where: string): Scope[] {
  const scopes = text.split('+').map((s) => s.trim());
  for (const s of scopes) if (!(SCOPES as readonly string[]).includes(s)) throw new CredentialConfigError(`${where}: unknown scope (known: ${SCOPES.join(', ')})`);
  const set = new Set(scopes as Scope[]);
  if (set.has('identify:candidates')) set.add('identify');
  return [...set];
}

/** API_KEYS or ADMIN_TOKENS entries; `unnamed` names a bare secret by its position. */
export function parseEntries(raw: string, variable: string, unnamed: (n: number) => string, scoped: boolean): Parsed[] {
  const entries = raw.split(',').map((e) => e.trim()).filter(Boolean);
  return entries.map((entry, i) => {
    const where = `${variable} entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) return { id: unnamed(i + 1), secret: entry, scopes: [...DEFAULT_SCOPES] };
    const id = entry.slice(0, colon);
    const rest = entry.slice(colon + 1);
    const second = rest.indexOf(':');
    const secret = second < 0 ? rest : rest.slice(0, second);
    if (!ID.test(id)) throw new CredentialConfigError(`${where}: the id must be 1–64 of A–Z a–z 0–9 _ . -`);
    if (!secret || /\s/.test(secret)) throw new CredentialConfigError(`${where}: the secret is empty or has spaces`);
    if (second >= 0 && !scoped) throw new CredentialConfigError(`${where}: admin tokens take no scopes`);
    return { id, secret, scopes: second < 0 ? [...DEFAULT_SCOPES] : parseScopes(rest.slice(second + 1), where) };
  });
}

async function build(parsed: Parsed[], variable: string): Promise<Entry[]> {
  const ids = new Set<string>();
  const secrets = new Set<string>();
  for (const p of parsed) {
    if (ids.has(p.id)) throw new CredentialConfigError(`${variable}: the id "${p.id}" appears twice`);
    if (secrets.has(p.secret)) throw new CredentialConfigError(`${variable}: two entries share a secret`);
    ids.add(p.id);
    secrets.add(p.secret);
  }
  return Promise.all(parsed.map(async (p) => ({ id: p.id, scopes: new Set(p.scopes), digest: await digest(p.secret) })));
}

/** Parsed configurations by their raw text: a rotated secret is a new string, so it is never served stale. */
const cache = new Map<string, Promise<Entry[]>>();
function cached(key: string, make: () => Promise<Entry[]>): Promise<Entry[]> {
  let hit = cache.get(key);
  if (!hit) {
    if (cache.size >= 8) cache.clear();
    hit = Promise.resolve().then(make);
    cache.set(key, hit);
    hit.catch(() => cache.delete(key));
  }
  return hit;
}

export type CredentialSet = Promise<Entry[]>;

/** The API keys configured in API_KEYS (empty when unset). */
export const apiKeys = (raw: string | undefined): CredentialSet =>
  cached(`api\n${raw ?? ''}`, () => build(parseEntries(raw ?? '', 'API_KEYS', (n) => `key${n}`, true), 'API_KEYS'));

/** The admin tokens: ADMIN_TOKENS entries and ADMIN_TOKEN (id "admin"), both optional. */
export const adminTokens = (tokens: string | undefined, token: string | undefined): CredentialSet =>
  cached(`admin\n${tokens ?? ''}\n${token ?? ''}`, () => {
    const single = token?.trim() ? [{ id: 'admin', secret: token.trim(), scopes: [] }] : [];
    return build([...parseEntries(tokens ?? '', 'ADMIN_TOKENS', (n) => `admin${n}`, false).map((p) => ({ ...p, scopes: [] })), ...single], 'ADMIN_TOKENS/ADMIN_TOKEN');
  });

/** The entry whose secret equals `presented`, comparing against every entry in constant time. */
export async function lookup(entries: Entry[], presented: string): Promise<Credential | null> {
  const p = await digest(presented);
  let found: Entry | null = null;
  for (const e of entries) if (crypto.subtle.timingSafeEqual(p, e.digest)) found = e;
  return found && { id: found.id, scopes: found.scopes };
}
