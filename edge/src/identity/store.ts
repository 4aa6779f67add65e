// Per-identity records in KV — the gallery's source of truth. One key per identity, written in a
// single put (value + list metadata together), so an identity is either wholly there or not at all:
//   id:<id>  →  value: IdentityRecord (JSON, embeddings sealed: identity/sealing.ts)   metadata: IdentityMeta
import { textKid } from '../crypto/envelope';
import { decodeBase64, encodeBase64 } from '../http/base64';
import { kvRateLimited } from '../http/storage';

export interface IdentityRecord {
  id: string;
  modelVersion: string;
  dim: number;
  /** rows × dim float32, little-endian, base64; at rest sealed as "enc1.…" (identity/sealing.ts). */
  embeddings: string;
  imageCount: number;
  createdAt: number;
  updatedAt: number;
  meta?: Record<string, unknown>;
  /** When its writer deletes it (identity/retention.ts), ms since the epoch. */
  expiresAt?: number;
}

/** KV list metadata (≤ 1 KiB): enough to list identities and to rebuild without reading values.
 *  e: expiresAt; k: the key id its embeddings are sealed under (absent: plaintext). */
export interface IdentityMeta { v: string; n: number; c: number; u: number; e?: number; k?: string }

export const PREFIX = 'id:';

export const encodeRows = (rows: Float32Array[]) => {
  const all = new Float32Array(rows.reduce((s, r) => s + r.length, 0));
  rows.reduce((o, r) => (all.set(r, o), o + r.length), 0);
  return encodeBase64(new Uint8Array(all.buffer));
};
export const decodeRows = (rec: IdentityRecord): Float32Array[] => {
  const f = new Float32Array(decodeBase64(rec.embeddings, 'embeddings').buffer);
  return Array.from({ length: f.length / rec.dim }, (_, i) => f.slice(i * rec.dim, (i + 1) * rec.dim));
};

export class IdentityStore {
  constructor(private kv: KVNamespace) {}

  get(id: string): Promise<IdentityRecord | null> {
    return this.kv.get<IdentityRecord>(PREFIX + id, 'json');
  }

  async put(rec: IdentityRecord): Promise<void> {
    const kid = textKid(rec.embeddings);
    const metadata: IdentityMeta = {
      v: rec.modelVersion, n: rec.imageCount, c: rec.createdAt, u: rec.updatedAt, ...(rec.expiresAt !== undefined ? { e: rec.expiresAt } : {}), ...(kid ? { k: kid } : {}),
    };
    await kvWrite(() => this.kv.put(PREFIX + rec.id, JSON.stringify(rec), { metadata }));
  }

  async delete(id: string): Promise<void> {
    await kvWrite(() => this.kv.delete(PREFIX + id));
  }

  async list(limit: number, cursor?: string): Promise<{ items: { id: string; meta: IdentityMeta }[]; cursor: string | null }> {
    const page = await this.kv.list<IdentityMeta>({ prefix: PREFIX, limit, cursor });
    const items = page.keys.filter((k) => k.metadata).map((k) => ({ id: k.name.slice(PREFIX.length), meta: k.metadata! }));
    return { items, cursor: page.list_complete ? null : page.cursor };
  }

  async listAll(): Promise<{ id: string; meta: IdentityMeta }[]> {
    const out: { id: string; meta: IdentityMeta }[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list(1000, cursor);
      out.push(...page.items);
      cursor = page.cursor ?? undefined;
    } while (cursor);
    return out;
  }
}

/** KV allows about one write per second per key; surface its 429 as ours. */
async function kvWrite(op: () => Promise<void>) {
  try {
    await op();
  } catch (e) {
    throw kvRateLimited(e, 'this identity') ?? e;
  }
}
