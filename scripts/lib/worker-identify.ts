// Open-set identification through a running Worker (scripts/lib/local-server.ts): enrol a gallery of
// photos through the admin API, send probes to /v1/identify at the served defaults, and count what
// the answers say (FPIR: strangers given a name; FNIR: enrolled people not named right), with the
// operating point each answer reports. Photos are sent as files; nothing is embedded here.
import { readFileSync } from 'node:fs';
import { fetchThroughProxy, type LocalServer } from './local-server.js';

export interface Enrolment { id: string; photo: string }
export interface Probe { photo: string; identity?: string }

/** The parts of an identify answer the benchmark reads (auth off: candidates are disclosed). */
export interface IdentifyAnswer {
  match: { id: string; similarity: number } | null;
  candidates?: { id: string; similarity: number }[];
  operatingPoint: { source: string; origin: string; similarity: number; score: number; far?: number; fpir?: number; identities?: number; comparisons?: number; clamped?: boolean; expectedFpir?: number };
  gallery: { identities: number };
}

/** One probe's outcome: the answer, or the refusal's HTTP status and error code. */
export type Outcome = { probe: Probe; answer: IdentifyAnswer } | { probe: Probe; status: number; error: string };

const form = (fields: Record<string, string>, photo: string) => {
  const f = new FormData();
  f.append('image', new Blob([readFileSync(photo)], { type: 'image/jpeg' }), photo.split('/').pop());
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
};

/**
 * fetchThroughProxy, resent up to `attempts` times when the connection itself fails: wrangler dev
 * reloads the Worker when a source file changes (a shared working tree), dropping requests in flight.
 * Every request sent here is idempotent (PUT of a whole identity, identify).
 */
async function send(url: string, init: () => RequestInit, retried: { count: number }, attempts = 4): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try { return await fetchThroughProxy(url, init()); } catch (e) {
      if (attempt >= attempts || !(e instanceof TypeError)) throw e;
      retried.count++;
      await new Promise((done) => setTimeout(done, 2000 * attempt));
    }
  }
}

/** Runs `task` over `items` with at most `limit` in flight, results in input order. */
export async function inPool<T, R>(items: T[], limit: number, task: (item: T, i: number) => Promise<R>, done: (n: number) => void = () => {}): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0, finished = 0;
  const worker = async () => { while (next < items.length) { const i = next++; out[i] = await task(items[i], i); done(++finished); } };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Enrols each photo as its identity (the largest face, face=largest, as identify uses); a face the
 * quality floor refuses is enrolled again with quality=skip, so the gallery holds everyone, and
 * counted. Then rebuilds the gallery snapshot.
 */
export async function enrolGallery(server: LocalServer, gallery: Enrolment[], concurrency: number, done?: (n: number) => void, retried = { count: 0 }): Promise<{ lowQuality: string[] }> {
  const admin = { authorization: `Bearer ${server.adminToken}` };
  const lowQuality: string[] = [];
  await inPool(gallery, concurrency, async (g) => {
    const put = (fields: Record<string, string>) => send(`${server.base}/admin/identities/${encodeURIComponent(g.id)}`, () => ({ method: 'PUT', headers: admin, body: form(fields, g.photo) }), retried);
    let r = await put({ face: 'largest' });
    if (r.status === 422 && ((await r.clone().json()) as { error?: { code?: string } }).error?.code === 'low_quality') {
      lowQuality.push(g.id);
      r = await put({ face: 'largest', quality: 'skip' });
    }
    if (!r.ok) throw new Error(`enrolling ${g.id} (${g.photo}): ${r.status} ${await r.text()}`);
  }, done);
  const r = await send(`${server.base}/admin/gallery/rebuild`, () => ({ method: 'POST', headers: admin }), retried);
  if (!r.ok) throw new Error(`gallery rebuild: ${r.status} ${await r.text()}`);
  return { lowQuality };
}

/** Each probe to /v1/identify with no operating point of its own (the deployment's defaults), top 1. */
export function identifyProbes(server: LocalServer, probes: Probe[], concurrency: number, done?: (n: number) => void, retried = { count: 0 }): Promise<Outcome[]> {
  return inPool(probes, concurrency, async (probe) => {
    const r = await send(`${server.base}/v1/identify?topK=1`, () => ({ method: 'POST', body: form({}, probe.photo) }), retried);
    const body = (await r.json()) as IdentifyAnswer & { error?: { code?: string } };
    return r.ok ? { probe, answer: body } : { probe, status: r.status, error: body.error?.code ?? 'unknown' };
  }, done);
}

export interface WorkerRates {
  mated: number; nonMated: number;
  /** Non-mated probes named (match not null) / non-mated probes. */
  fpir: number;
  /** Mated probes not named as themselves (wrong name, no match or refused) / mated probes. */
  fnir: number;
  /** Probes refused (no answer), by error code. */
  refused: Record<string, number>;
}

export function workerRates(outcomes: Outcome[]): WorkerRates {
  let mated = 0, nonMated = 0, named = 0, missed = 0;
  const refused: Record<string, number> = {};
  for (const o of outcomes) {
    const matchId = 'answer' in o ? o.answer.match?.id : undefined;
    if (!('answer' in o)) refused[o.error] = (refused[o.error] ?? 0) + 1;
    if (o.probe.identity === undefined) { nonMated++; if (matchId !== undefined) named++; }
    else { mated++; if (matchId !== o.probe.identity) missed++; }
  }
  return { mated, nonMated, fpir: nonMated ? named / nonMated : NaN, fnir: mated ? missed / mated : NaN, refused };
}
