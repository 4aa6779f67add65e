// A new EMBEDDING_KEYS entry (edge/src/crypto/keyring.ts): "<prefix>-<yyyymmdd>:<32 random bytes, base64>".
// Dated ids say which key is which when several are listed during a rotation.
import { randomBytes } from 'node:crypto';

export function embeddingKeyEntry(prefix: string, now = new Date()): string {
  return `${prefix}-${now.toISOString().slice(0, 10).replace(/-/g, '')}:${randomBytes(32).toString('base64')}`;
}

/** The key ids of an EMBEDDING_KEYS value, current first (the key material is not returned). */
export const embeddingKeyIds = (value: string) => value.split(',').map((e) => e.trim()).filter(Boolean).map((e) => e.slice(0, Math.max(0, e.indexOf(':'))));
