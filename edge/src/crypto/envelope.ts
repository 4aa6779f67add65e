// How a stored value is sealed: AES-256-GCM (WebCrypto) under a key of the keyring, with its key id.
//   bytes: "FEN1" | u8 kid length | kid (UTF-8) | 12-byte random IV | ciphertext + 16-byte tag
//   text (inside JSON values): "enc1." + base64 of those bytes
// The additional authenticated data is that header plus the value's context (what and where it is: an
// identity's id, a shard's key), so a sealed value copied to another place does not open. A value
// without the magic (or prefix) is plaintext written before encryption existed: it is read as it is.
import { decodeBase64, encodeBase64 } from '../http/base64';
import { ApiError } from '../http/errors';
import type { Keyring } from './keyring';

const MAGIC = [0x46, 0x45, 0x4e, 0x31]; // "FEN1"
const IV_BYTES = 12;
export const TEXT_PREFIX = 'enc1.';

const utf8 = new TextEncoder();
/** WebCrypto's view of bytes (never a SharedArrayBuffer here). */
const source = (b: Uint8Array) => b as Uint8Array<ArrayBuffer>;

export const isSealed = (b: Uint8Array) => b.length > 5 && MAGIC.every((m, i) => b[i] === m);

/** The key id a sealed value names; null for plaintext. */
export function sealedKid(b: Uint8Array): string | null {
  return isSealed(b) ? new TextDecoder().decode(b.subarray(5, 5 + b[4])) : null;
}

const aad = (header: Uint8Array, context: string) => {
  const c = utf8.encode(context), out = new Uint8Array(header.length + c.length);
  out.set(header);
  out.set(c, header.length);
  return out;
};

export async function seal(ring: Keyring, plain: Uint8Array, context: string): Promise<Uint8Array> {
  if (!ring.current) throw new ApiError('encryption_not_configured', 'no embedding encryption key is configured (secret EMBEDDING_KEYS): nothing holding an embedding can be stored', { secret: 'EMBEDDING_KEYS' });
  const kid = utf8.encode(ring.current.kid);
  const header = new Uint8Array([...MAGIC, kid.length, ...kid]);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(header, context) }, ring.current.key, source(plain)));
  const out = new Uint8Array(header.length + IV_BYTES + ct.length);
  out.set(header);
  out.set(iv, header.length);
  out.set(ct, header.length + IV_BYTES);
  return out;
}

/** The plaintext of a sealed value (a plaintext value as it is). */
export async function open(ring: Keyring, sealed: Uint8Array, context: string): Promise<Uint8Array> {
  const kid = sealedKid(sealed);
  if (kid === null) return sealed;
  const key = ring.key(kid);
  if (!key) throw new ApiError('encryption_not_configured', `stored data is sealed under key id "${kid}", which EMBEDDING_KEYS does not list`, { secret: 'EMBEDDING_KEYS', kid });
  const at = 5 + sealed[4];
  try {
    const iv = source(sealed.subarray(at, at + IV_BYTES));
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad(sealed.subarray(0, at), context) }, key, source(sealed.subarray(at + IV_BYTES))));
  } catch {
    console.error(`stored data under key id "${kid}" failed authentication (${context})`);
    throw new ApiError('storage_unavailable', 'stored data failed to decrypt: altered, moved, or its key id reused for another key', { op: 'decrypt', kid });
  }
}

export const sealText = async (ring: Keyring, plain: Uint8Array, context: string) => TEXT_PREFIX + encodeBase64(await seal(ring, plain, context));
export const openText = (ring: Keyring, text: string, context: string) =>
  text.startsWith(TEXT_PREFIX) ? open(ring, decodeBase64(text.slice(TEXT_PREFIX.length), 'sealed value'), context) : Promise.resolve(decodeBase64(text, 'stored value'));

/** The key id of a sealed text; null for plaintext. */
export function textKid(text: string): string | null {
  if (!text.startsWith(TEXT_PREFIX)) return null;
  // The header is at most 5 + 255 bytes: decode just enough base64 for it.
  const head = decodeBase64(text.slice(TEXT_PREFIX.length, TEXT_PREFIX.length + 4 * Math.ceil(260 / 3)), 'sealed value');
  return sealedKid(head);
}

/** A structured value (an outbox entry, a recent write) sealed as text, for Durable Object storage. */
export const sealValue = (ring: Keyring, value: unknown, context: string) => sealText(ring, utf8.encode(JSON.stringify(value)), context);

/** A value stored by sealValue, or one stored as it was before encryption. */
export async function openValue<T>(ring: Keyring, stored: T | string, context: string): Promise<T> {
  if (typeof stored !== 'string' || !stored.startsWith(TEXT_PREFIX)) return stored as T;
  return JSON.parse(new TextDecoder().decode(await openText(ring, stored, context))) as T;
}

/** The key id a stored value is sealed under; null for plaintext. */
export const valueKid = (stored: unknown) => (typeof stored === 'string' ? textKid(stored) : null);
