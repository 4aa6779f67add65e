// Idempotency keys for identity writes. A write's request can fail after the write was stored (the
// writer stores the merged record as pending before replicating it, and its alarm finishes the job
// even if the object resets before replying), so a blind retry could apply it twice. A client may
// send `Idempotency-Key` with PUT /admin/identities/:id, POST …/images and DELETE: the identity's
// writer keeps the last KEPT_KEYS keys it applied, each with a fingerprint of the request and what
// the write answered, in the same storage transaction as the pending record. A retry with the same
// key gets that answer (no embeddings kept, so none in it) and nothing is applied again; the same key
// with a different request is refused. Keys are per identity; a refused write (4xx) or one that
// failed before it was stored keeps no key, so its retry runs afresh. A deletion forgets the keys of
// earlier writes (their answers name the identity and its metadata): a retry of an enrolment made
// before the identity was deleted enrols it again.
import type { IdentityRecord } from './store';

export const KEPT_KEYS = 32;
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** The answer header that marks a replayed write. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** 1–255 visible ASCII characters (a UUID, say). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface OpKey { key: string; fingerprint: string }
export type RecordSummary = Omit<IdentityRecord, 'embeddings'>;
/** What a write answered: the record after it (null after a deletion) and what it replaced. */
export interface Applied { record: RecordSummary | null; created: boolean; previousVersion: string | null }
export interface KeptOp extends OpKey { applied: Applied }

export function applied(record: IdentityRecord | null, previous: IdentityRecord | null): Applied {
  const summary = record && (({ embeddings: _, ...rest }) => rest)(record);
  return { record: summary, created: !previous, previousVersion: previous?.modelVersion ?? null };
}

/** The kept keys with `op` added (a key kept already is replaced), oldest dropped past KEPT_KEYS. */
export const remember = (ops: KeptOp[], op: KeptOp): KeptOp[] => [...ops.filter((o) => o.key !== op.key), op].slice(-KEPT_KEYS);

/** A retry that reuses a key for another request. */
export const keyReused = (key: string) =>
  ({ code: 'invalid_request', message: `"${IDEMPOTENCY_HEADER}" ${JSON.stringify(key)} was used for a different request to this identity`, details: { field: IDEMPOTENCY_HEADER } }) as const;

/** sha256 (hex) of what defines a write: its kind, each image's bytes and box, the face policy, meta. */
export async function fingerprint(kind: string, images: { bytes: Uint8Array; box?: unknown }[], rest: unknown): Promise<string> {
  const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
  const digests = await Promise.all(images.map(async (i) => [hex(await crypto.subtle.digest('SHA-256', i.bytes)), i.box ?? null]));
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify([kind, digests, rest ?? null]))));
}
