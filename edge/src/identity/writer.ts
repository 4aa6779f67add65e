// The single writer of identity records: one Durable Object per identity id runs every enrolment and
// deletion of that id one after another, against its own strongly consistent copy of the record, and
// only then replicates it to KV (`id:<id>`), where readers and the gallery rebuild find it. So two
// concurrent enrolments never lose one another, and KV sees at most one write per second per key.
// A write is acknowledged once KV holds it; if KV fails the object restores the previous record and
// an alarm re-syncs KV to it, so an unacknowledged write never lingers half-applied.
// A write sent with an idempotency key (idempotency.ts) is kept with its answer in the same
// transaction as the pending record; a retry with that key gets the answer and applies nothing.
// With a Vectorize gallery (gallery/backend.ts) the record and an outbox entry are stored in one
// transaction; after KV, the outbox is carried to the version's recent writes (identify sees the
// write from then on) and to Vectorize, and the alarm retries it until Vectorize has accepted it.
// Once a deletion has reached KV and the gallery, the object forgets the identity: of its storage
// only the empty state (so a stale KV copy is never adopted again) and the kept keys of deletions
// (whose answers name no identity) are left, and no alarm. A record with an expiry keeps an alarm at
// it; the alarm then deletes the identity the same way, audited as a system action (retention.ts).
// Embeddings are sealed at rest (identity/sealing.ts, crypto/): the record it stores and replicates,
// and an outbox entry that holds rows. reseal() seals them again under the current key (the
// background re-encryption, identity/reseal.ts).
import { DurableObject } from 'cloudflare:workers';
import { auditLog } from '../audit/log';
import { ApiError, ERROR_CODES, type ErrorCode } from '../http/errors';
import { openValue, sealValue, valueKid } from '../crypto/envelope';
import { keyring } from '../crypto/keyring';
import { galleryBackend, syncGallery } from '../gallery/backend';
import { type GalleryWrite, galleryWrite } from '../gallery/vectorize/sync';
import type { ResealOutcome } from './reseal';
import { openRecord, recordKid, sealRecord } from './sealing';
import { decodeRows, IdentityStore, type IdentityRecord } from './store';
import { mergeRecord, type WriteOp } from './merge';
import { type Applied, applied, type KeptOp, keyReused, type OpKey, remember } from './idempotency';
import { expired, SYSTEM_KEY_ID } from './retention';

/** record: the record after the write (null after a deletion), embeddings in the clear; a replay has only the first answer. */
export type WriteResult =
  | { ok: true; replayed: false; applied: Applied; record: IdentityRecord | null }
  | { ok: true; replayed: true; applied: Applied }
  | { ok: false; code: ErrorCode; message: string; details?: Record<string, unknown> };

interface State { record: IdentityRecord | null; pending: boolean }

const KV_KEY_INTERVAL_MS = 1000;
const RESYNC_MS = 5000;
const outboxContext = (id: string) => `outbox:${id}`;

export class IdentityWriter extends DurableObject<Env> {
  private queue: Promise<unknown> = Promise.resolve();
  private lastKvWrite = 0;

  /** Applies one write after every earlier write to this identity has finished (once per key). */
  write(op: WriteOp, key?: OpKey): Promise<WriteResult> {
    return this.serial(() => this.apply(op, key));
  }

  /**
   * Re-syncs KV, then the gallery's outbox, after a write that was interrupted or failed (retried by
   * the runtime if it throws); then deletes the identity if its expiry has passed.
   */
  alarm(): Promise<void> {
    return this.serial(async () => {
      const s = await this.ctx.storage.get<State>('state');
      if (s?.pending) await this.replicate(s.record, (await this.ctx.storage.get<string>('id'))!);
      await this.deliver();
      const record = (await this.ctx.storage.get<State>('state'))?.record;
      if (record && expired(record.expiresAt, Date.now())) await this.expire(record.id);
      else await this.settle();
    });
  }

  /** Deletes an expired identity as DELETE would, between an audit row and its outcome; on failure, tries again later. */
  private async expire(id: string) {
    try {
      const log = auditLog(this.env);
      const seq = await log.append({ time: Date.now(), keyId: SYSTEM_KEY_ID, action: 'expire', identityId: id, status: null, requestId: `expire-${crypto.randomUUID()}` });
      const r = await this.apply({ kind: 'delete', id });
      await log.finish(seq, SYSTEM_KEY_ID, r.ok ? 200 : ERROR_CODES[r.code]).catch((e) => console.error(`audit log: outcome of row ${seq} not written`, e));
      if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    } catch (e) {
      console.error(`identity ${id}: its expiry's deletion failed; retried in ${RESYNC_MS} ms`, e);
      await this.ctx.storage.setAlarm(Date.now() + RESYNC_MS);
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private async apply(op: WriteOp, key?: OpKey): Promise<WriteResult> {
    const held = await this.ctx.storage.get<State>('state');
    const kept = (await this.ctx.storage.get<KeptOp[]>('ops')) ?? [];
    const seen = key && kept.find((o) => o.key === key.key);
    if (seen) return seen.fingerprint === key.fingerprint ? this.replay(op.id, held, seen.applied) : { ok: false, ...keyReused(key.key) };
    let prev: IdentityRecord | null;
    try {
      // First write through this object: adopt whatever KV holds (records written before the writer).
      prev = held ? held.record : await new IdentityStore(this.env.GALLERY).get(op.id);
    } catch (e) {
      return unavailable(op.id, 'get', e);
    }
    const owedRaw = await this.ctx.storage.get<GalleryWrite | string>('outbox');
    let merged: ReturnType<typeof mergeRecord>, record: IdentityRecord | null, outbox: GalleryWrite | string | undefined;
    try {
      // Only an addition needs the rows it keeps in the clear.
      merged = mergeRecord(prev && op.kind === 'add' ? await openRecord(prev, await keyring(this.env)) : prev, op, Date.now());
      if ('code' in merged) return { ok: false, ...merged };
      const owed = owedRaw && (await this.openOutbox(owedRaw, op.id));
      const w = galleryBackend(this.env) === 'vectorize' ? outboxOf(op.id, prev, merged.record, owed || undefined) : undefined;
      // A deletion holds no embedding (and must work without a key): sealed only when it holds rows.
      outbox = w?.now ? await sealValue(await keyring(this.env), w, outboxContext(op.id)) : w;
      record = merged.record && (await sealRecord(merged.record, await keyring(this.env)));
    } catch (e) {
      return refusal(op.id, e);
    }
    const answer = applied(merged.record, prev);
    const ops: { ops?: KeptOp[] } = key ? { ops: remember(kept, { ...key, applied: answer }) } : {};
    // Issued together, with no await between them, so they commit atomically (the alarm too).
    await Promise.all([
      this.ctx.storage.put({ id: op.id, state: { record, pending: true } satisfies State, ...(outbox ? { outbox } : {}), ...ops }),
      this.ctx.storage.setAlarm(Date.now() + RESYNC_MS),
    ]);
    try {
      await this.replicate(record, op.id);
    } catch (e) {
      await this.ctx.storage.put({ state: { record: prev, pending: true } satisfies State, ...(owedRaw ? { outbox: owedRaw } : {}), ...(key ? { ops: kept } : {}) });
      if (outbox && !owedRaw) await this.ctx.storage.delete('outbox');
      return unavailable(op.id, op.kind === 'delete' ? 'delete' : 'put', e);
    }
    const refused = await this.deliverOrRefuse(op.id);
    if (refused) return refused;
    await this.settle();
    return { ok: true, replayed: false, applied: answer, record: merged.record };
  }

  /** A retry of a kept write: once KV (and the gallery) hold the current state, the first answer. */
  private async replay(id: string, held: State | undefined, answer: Applied): Promise<WriteResult> {
    if (held?.pending) {
      try {
        await this.replicate(held.record, id);
      } catch (e) {
        return unavailable(id, 'put', e);
      }
    }
    const refused = await this.deliverOrRefuse(id);
    if (refused) return refused;
    await this.settle();
    return { ok: true, replayed: true, applied: answer };
  }

  /** After a write has reached KV and the gallery: the alarm set at the record's expiry (or none); a deleted identity forgotten. */
  private async settle() {
    const s = await this.ctx.storage.get<State>('state');
    if (!s || s.pending || (await this.ctx.storage.get('outbox'))) return;
    if (s.record) {
      const at = s.record.expiresAt;
      await (at === undefined ? this.ctx.storage.deleteAlarm() : this.ctx.storage.setAlarm(at));
      return;
    }
    const ops = ((await this.ctx.storage.get<KeptOp[]>('ops')) ?? []).filter((o) => o.applied.record === null);
    const rest = [...(await this.ctx.storage.list()).keys()].filter((k) => k !== 'state' && k !== 'ops');
    // Issued together, so they commit atomically.
    await Promise.all([
      this.ctx.storage.delete(rest),
      ops.length ? this.ctx.storage.put('ops', ops) : this.ctx.storage.delete('ops'),
      this.ctx.storage.deleteAlarm(),
    ]);
  }

  /** Delivers the outbox after KV holds the write: a refusal if identify cannot see the write yet. */
  private async deliverOrRefuse(id: string): Promise<WriteResult | null> {
    let noted = false;
    try {
      await this.deliver(() => (noted = true));
    } catch (e) {
      await this.ctx.storage.setAlarm(Date.now() + RESYNC_MS);
      // Vectorize refused or failed after identify could see the write: acknowledged, the alarm retries.
      if (noted) console.warn(`identity ${id}: Vectorize write failed; the alarm retries it`, e);
      else return galleryUnavailable(id, e);
    }
    return null;
  }

  /** Carries the outbox entry, if any, into the gallery, then drops it. */
  private async deliver(noted?: () => void) {
    const raw = await this.ctx.storage.get<GalleryWrite | string>('outbox');
    if (!raw) return noted?.();
    const id = (await this.ctx.storage.get<string>('id'))!;
    await syncGallery(this.env, await this.openOutbox(raw, id), noted);
    await this.ctx.storage.delete('outbox');
  }

  private async openOutbox(raw: GalleryWrite | string, id: string): Promise<GalleryWrite> {
    return valueKid(raw) === null ? (raw as GalleryWrite) : openValue<GalleryWrite>(await keyring(this.env), raw, outboxContext(id));
  }

  /** Seals the record (in storage and KV) and any outbox entry again under the current key, when either is under another key or none. */
  reseal(id: string): Promise<ResealOutcome> {
    return this.serial(async () => {
      try {
        const ring = await keyring(this.env);
        const kid = ring.current?.kid;
        const held = await this.ctx.storage.get<State>('state');
        // A write still pending is finished by the alarm first; the next pass comes back.
        if (!kid) return 'failed';
        if (held?.pending) return 'pending';
        const rec = held ? held.record : await new IdentityStore(this.env.GALLERY).get(id);
        const owedRaw = await this.ctx.storage.get<GalleryWrite | string>('outbox');
        const stale = !!rec && recordKid(rec) !== kid, owedStale = !!owedRaw && typeof owedRaw === 'string' && valueKid(owedRaw) !== kid;
        if (!stale && !owedStale) return 'current';
        const record = stale ? await sealRecord(await openRecord(rec!, ring), ring) : rec;
        const outbox = owedStale ? { outbox: await sealValue(ring, await this.openOutbox(owedRaw!, id), outboxContext(id)) } : {};
        // The same record, only sealed anew: pending until KV has it (the alarm finishes it otherwise).
        await Promise.all([
          this.ctx.storage.put<unknown>({ id, state: { record, pending: true } satisfies State, ...outbox }),
          this.ctx.storage.setAlarm(Date.now() + RESYNC_MS),
        ]);
        await this.replicate(record, id);
        await this.settle();
        return 'resealed';
      } catch (e) {
        console.error(`identity ${id}: re-encryption failed; the next pass retries it`, e);
        return 'failed';
      }
    });
  }

  /** Writes the record (or its absence) to KV, no sooner than a second after the last write. */
  private async replicate(record: IdentityRecord | null, id: string) {
    const wait = this.lastKvWrite + KV_KEY_INTERVAL_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const store = new IdentityStore(this.env.GALLERY);
    this.lastKvWrite = Date.now();
    await (record ? store.put(record) : store.delete(id));
    await this.ctx.storage.put('state', { record, pending: false } satisfies State);
  }
}

/** The gallery write that takes an identity from `prev` to `record`, folding in one still owed. */
function outboxOf(id: string, prev: IdentityRecord | null, record: IdentityRecord | null, owed?: GalleryWrite): GalleryWrite {
  const now = record && { version: record.modelVersion, dim: record.dim, rows: decodeRows(record).map((r) => Array.from(r)) };
  const before = prev && { version: prev.modelVersion, dim: prev.dim, rows: prev.imageCount };
  return galleryWrite(id, record?.updatedAt ?? Math.max(Date.now(), (prev?.updatedAt ?? 0) + 1), now, before, owed);
}

/** A key that is missing (or data sealed under one no longer listed, or that fails to open) refuses the write. */
function refusal(id: string, e: unknown): WriteResult {
  if (!(e instanceof ApiError)) throw e;
  console.error(`identity ${id}: ${e.message}`);
  return { ok: false, code: e.code, message: e.message, details: e.details };
}

function galleryUnavailable(id: string, e: unknown): WriteResult {
  console.error(`identity ${id}: the gallery's recent writes could not be updated; the record is saved and the alarm carries it`, e);
  return { ok: false, code: 'storage_unavailable', message: 'the record is saved but the gallery could not be updated yet; it follows within seconds, or retry', details: { binding: 'GALLERY_RECENT', op: 'note' } };
}

function unavailable(id: string, op: string, e: unknown): WriteResult {
  console.error(`identity ${id}: KV ${op} failed; the previous record stands`, e);
  // KV's per-key write limit arrives as rate_limited (http/storage.ts): a 429 to retry, not an outage.
  if (e instanceof ApiError) return { ok: false, code: e.code, message: e.message, details: e.details };
  return { ok: false, code: 'storage_unavailable', message: 'storage (GALLERY) is unavailable, try again', details: { binding: 'GALLERY', op } };
}

/**
 * The writer for one identity. Typed by hand: RPC's inferred types turn the record's free-form
 * `meta` (unknown values, JSON in practice) into never.
 */
export const identityWriter = (env: Env, id: string) =>
  env.IDENTITY_WRITER.get(env.IDENTITY_WRITER.idFromName(id)) as unknown as { write(op: WriteOp, key?: OpKey): Promise<WriteResult>; reseal(id: string): Promise<ResealOutcome> };
