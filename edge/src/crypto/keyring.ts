// The keys that encrypt embeddings at rest, from the EMBEDDING_KEYS secret: comma-separated
// `kid:key` entries, each key 32 random bytes in base64 (or base64url), kid 1–32 of A–Z a–z 0–9 _ . -.
// The first entry is current: everything sealed from now on uses it; anything sealed under any listed
// kid opens. Rotation (SECURITY.md): put a new entry first, keep the old one after it until the
// background re-encryption reports nothing left under it, then drop it.
// No key configured: nothing that holds an embedding can be written (503 encryption_not_configured);
// plaintext written before encryption existed stays readable. Keys are imported once per isolate.
import { ApiError } from '../http/errors';

export interface Keyring {
  /** Seals new data; null when no key is configured. */
  current: { kid: string; key: CryptoKey } | null;
  key(kid: string): CryptoKey | undefined;
}

/** No key: plaintext opens, nothing seals. */
export const NO_KEYS: Keyring = { current: null, key: () => undefined };

const KID = /^[A-Za-z0-9_.-]{1,32}$/;
/** A few secret values at once: a rotation under way has isolates and objects on both. */
const cache = new Map<string, Promise<Keyring>>();

export function keyring(env: { EMBEDDING_KEYS?: string }): Promise<Keyring> {
  const secret = env.EMBEDDING_KEYS ?? '';
  let ring = cache.get(secret);
  if (!ring) {
    if (cache.size >= 4) cache.clear();
    ring = parse(secret);
    cache.set(secret, ring);
  }
  return ring;
}

const misconfigured = (why: string) => {
  // Never the key material: only which entry and what is wrong with it.
  console.error(`EMBEDDING_KEYS: ${why}`);
  return new ApiError('encryption_not_configured', `the embedding encryption keys are misconfigured: ${why}`, { secret: 'EMBEDDING_KEYS' });
};

async function parse(secret: string): Promise<Keyring> {
  const keys = new Map<string, CryptoKey>();
  let current: Keyring['current'] = null;
  const entries = secret.split(',').map((e) => e.trim()).filter(Boolean);
  for (const [i, entry] of entries.entries()) {
    const at = entry.indexOf(':');
    const kid = entry.slice(0, at), b64 = entry.slice(at + 1);
    if (at < 0 || !KID.test(kid)) throw misconfigured(`entry ${i + 1} is not "kid:base64key" with a kid of 1–32 letters, digits, "_", "." or "-"`);
    if (keys.has(kid)) throw misconfigured(`key id "${kid}" is listed twice`);
    let raw: Uint8Array<ArrayBuffer>;
    try {
      raw = Uint8Array.from(atob(b64.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    } catch {
      throw misconfigured(`the key of "${kid}" is not base64`);
    }
    if (raw.length !== 32) throw misconfigured(`the key of "${kid}" is ${raw.length} bytes; AES-256 needs 32`);
    const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    keys.set(kid, key);
    current ??= { kid, key };
  }
  return { current, key: (kid) => keys.get(kid) };
}
