// Where an identity's embeddings live in Vectorize, as pure functions shared by the Worker and
// scripts/deploy.ts: one set of indexes per model version (dimensions and metric are fixed when an
// index is created), split by a hash of the identity id into `shards` indexes once one index cannot
// hold them; one vector per embedding row, its id naming the row and the identity.
import { utf8Bytes, VECTORIZE_LIMITS as L } from './limits';

/** Fill a shard to at most this share of the per-index limit, leaving room to grow before resharding. */
export const SHARD_FILL = 0.8;

/** Indexes needed for `vectors` vectors (identities × rows each). */
export function shardsFor(vectors: number, perIndex: number = L.maxVectorsPerIndex, fill = SHARD_FILL): number {
  return Math.max(1, Math.ceil(vectors / Math.floor(perIndex * fill)));
}

/** FNV-1a (32-bit) over the id's UTF-8 bytes, mod `shards`: stable across isolates, runtimes and releases. */
export function shardOf(identityId: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer, got ${shards}`);
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(identityId)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h % shards;
}

/** `<worker>-<modelVersion>-<shard>`, lower-case letters, digits and dashes, at most 64 bytes. */
export function indexName(worker: string, modelVersion: string, shard: number): string {
  const name = `${worker}-${modelVersion}-${shard}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  if (utf8Bytes(name) > L.maxIndexNameBytes) throw new RangeError(`Vectorize index name "${name}" is over ${L.maxIndexNameBytes} bytes: use a shorter worker name`);
  return name;
}

/** Binding name of a model version's shard in the generated deploy config. */
export const bindingName = (slot: number) => `GALLERY_VECTORS_${slot}`;

const HASH_MARK = '#';

/**
 * Vector id of embedding row `row` of an identity: `<row>:<id>` when that fits Vectorize's 64 bytes,
 * else `<row>#<22 characters of base64url sha256(id)>`, whose identity id is carried in metadata.
 * Identity ids never contain control characters, so neither form can be confused with the other.
 */
export async function vectorId(identityId: string, row: number): Promise<string> {
  const plain = `${row}:${identityId}`;
  if (utf8Bytes(plain) <= L.maxIdBytes) return plain;
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(identityId)));
  return `${row}${HASH_MARK}${btoa(String.fromCharCode(...d)).replaceAll('+', '-').replaceAll('/', '_').slice(0, 22)}`;
}

/** The identity of a vector id: its id, or null when hashed (read it from the vector's metadata). */
export function identityOf(vid: string): { row: number; id: string | null } {
  const m = /^(\d+)([:#])/.exec(vid);
  if (!m) throw new Error(`not a gallery vector id: ${vid}`);
  return { row: Number(m[1]), id: m[2] === ':' ? vid.slice(m[0].length) : null };
}
