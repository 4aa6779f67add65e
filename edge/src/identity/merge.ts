// What one write does to an identity record, as a pure function: replace (PUT), add images (POST
// …/images) or delete. The identity writer (writer.ts) applies it to the record it holds.
import type { ErrorCode } from '../http/errors';
import { decodeRows, encodeRows, type IdentityRecord } from './store';
import { MAX_EMBEDDINGS_PER_IDENTITY } from '../http/limits';

export type WriteOp =
  | { kind: 'replace' | 'add'; id: string; modelVersion: string; dim: number; rows: Float32Array[]; meta?: Record<string, unknown>; expiresAt?: number }
  | { kind: 'delete'; id: string };

export type Refusal = { code: ErrorCode; message: string; details?: Record<string, unknown> };

export function mergeRecord(prev: IdentityRecord | null, op: WriteOp, now: number): { record: IdentityRecord | null } | Refusal {
  if (op.kind === 'delete' || op.kind === 'add') {
    if (!prev) return { code: 'identity_not_found', message: `no identity "${op.id}"`, details: { id: op.id } };
    if (op.kind === 'delete') return { record: null };
    if (prev.modelVersion !== op.modelVersion)
      return { code: 'model_version_mismatch', message: `"${op.id}" was enrolled with model ${prev.modelVersion}; re-enrol it with PUT`, details: { enrolled: prev.modelVersion, current: op.modelVersion } };
  }
  const kept = op.kind === 'add' ? decodeRows(prev!) : [];
  if (kept.length + op.rows.length > MAX_EMBEDDINGS_PER_IDENTITY)
    return { code: 'too_many_images', message: `an identity keeps at most ${MAX_EMBEDDINGS_PER_IDENTITY} embeddings`, details: { limit: MAX_EMBEDDINGS_PER_IDENTITY, existing: kept.length } };
  const rows = [...kept, ...op.rows];
  const meta = op.meta ?? (op.kind === 'add' ? prev!.meta : undefined);
  const expiresAt = op.expiresAt ?? (op.kind === 'add' ? prev!.expiresAt : undefined);
  // Strictly increasing, so the gallery rebuild notices every change.
  const updatedAt = Math.max(now, (prev?.updatedAt ?? 0) + 1);
  return {
    record: {
      id: op.id, modelVersion: op.modelVersion, dim: op.dim, embeddings: encodeRows(rows), imageCount: rows.length,
      createdAt: prev?.createdAt ?? updatedAt, updatedAt, ...(meta ? { meta } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}),
    },
  };
}
