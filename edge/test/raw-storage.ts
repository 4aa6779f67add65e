// Raw storage as an operator with account access would read it: every key of every KV namespace
// binding (name, list metadata, value bytes) and everything a Durable Object has stored (every key,
// and its pending alarm), and the Vectorize stand-ins' memory. For the tests that check what the
// Worker leaves behind (deletion) and what it stores in the clear (encryption at rest).
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { standInIndexes } from '../src/gallery/vectorize/standin';

export interface KvEntry { binding: string; name: string; metadata: unknown; value: Uint8Array }

/** Every key of every KV namespace the Worker is bound to. */
export async function allKvEntries(): Promise<KvEntry[]> {
  const out: KvEntry[] = [];
  const seen: string[] = [];
  for (const [binding, ns] of Object.entries(env)) {
    // By class: service and RPC bindings answer to any property name.
    if (!ns || typeof ns !== 'object' || ns.constructor?.name !== 'KvNamespace') continue;
    seen.push(binding);
    const kv = ns as KVNamespace;
    let cursor: string | undefined;
    do {
      const page = await kv.list({ cursor });
      for (const k of page.keys) out.push({ binding, name: k.name, metadata: k.metadata ?? null, value: new Uint8Array((await kv.get(k.name, 'arrayBuffer'))!) });
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
  }
  if (!seen.includes('GALLERY')) throw new Error(`the GALLERY namespace was not recognised among ${Object.keys(env).join(', ')}`);
  return out;
}

export interface ObjectStorage { entries: [string, unknown][]; alarm: number | null }

/** Every stored key of one Durable Object, and its alarm. */
export async function objectStorage(ns: DurableObjectNamespace, name: string): Promise<ObjectStorage> {
  // Untyped: the RPC types of the project's objects are too deep for the compiler here.
  const runIn = runInDurableObject as unknown as <R>(s: DurableObjectStub, fn: (o: unknown, state: DurableObjectState) => Promise<R>) => Promise<R>;
  return runIn(ns.get(ns.idFromName(name)), async (_o, state) => ({
    entries: [...(await state.storage.list()).entries()],
    alarm: await state.storage.getAlarm(),
  }));
}

/**
 * Everything stored that could hold an identity's data, each with where it is: every KV key (name,
 * metadata, value), every key of the writers of `ids` and of the recent writes of `versions`, and
 * the Vectorize stand-ins' vectors and logs; plus the writers' pending alarms.
 */
export async function everythingStored(ids: string[], versions: string[] = ['tiny-1']): Promise<{ items: [string, unknown][]; alarms: [string, number][] }> {
  const items: [string, unknown][] = [], alarms: [string, number][] = [];
  for (const k of await allKvEntries()) items.push([`KV ${k.binding} ${k.name}`, [k.name, k.metadata, k.value]]);
  for (const id of ids) {
    const w = await objectStorage(env.IDENTITY_WRITER as unknown as DurableObjectNamespace, id);
    for (const [key, value] of w.entries) items.push([`${id}'s writer: ${key}`, [key, value]]);
    if (w.alarm !== null) alarms.push([`${id}'s writer`, w.alarm]);
  }
  for (const v of versions)
    for (const [key, value] of (await objectStorage(env.GALLERY_RECENT as unknown as DurableObjectNamespace, v)).entries) items.push([`recent writes ${v}: ${key}`, [key, value]]);
  for (const ix of standInIndexes()) {
    const held = ix as unknown as { vectors: Map<string, unknown>; log: unknown[] };
    items.push([`index ${ix.name}`, [[...held.vectors.values()], held.log]]);
  }
  return { items, alarms };
}
