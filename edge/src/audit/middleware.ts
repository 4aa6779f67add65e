// Puts /admin requests in the audit log (audit/log.ts): every mutation (enrol, add images, delete,
// rebuild), whatever its outcome, and every request that failed authentication. Runs outside the
// admin authentication, so it sees the 401s. A mutation's row is appended before it runs; if the log
// cannot be written the mutation is refused (503 storage_unavailable), so no change goes unrecorded.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../http/errors';
import { type AuditAction, auditLog, type NewEntry } from './log';

const MUTATIONS: [method: string, path: RegExp, action: AuditAction][] = [
  ['PUT', /^\/admin\/identities\/([^/]+)$/, 'enrol'],
  ['POST', /^\/admin\/identities\/([^/]+)\/images$/, 'add_images'],
  ['DELETE', /^\/admin\/identities\/([^/]+)$/, 'delete'],
  ['POST', /^\/admin\/gallery\/rebuild$/, 'rebuild'],
];
const IDENTITY_PATH = /^\/admin\/identities\/([^/]+)/;
const MAX_ID_CHARS = 256;

function decoded(segment: string | undefined): string | null {
  if (!segment) return null;
  try {
    return decodeURIComponent(segment).slice(0, MAX_ID_CHARS);
  } catch {
    return segment.slice(0, MAX_ID_CHARS);
  }
}

/** What the request is, for its row: action and identity id. */
export function describe(method: string, path: string): { action: AuditAction; identityId: string | null; mutation: boolean } {
  for (const [m, re, action] of MUTATIONS) {
    const hit = method === m && re.exec(path);
    if (hit) return { action, identityId: decoded(hit[1]), mutation: true };
  }
  const action = method === 'GET' || method === 'HEAD' ? 'read' : 'other';
  return { action, identityId: decoded(IDENTITY_PATH.exec(path)?.[1]), mutation: false };
}

const unavailable = (e: unknown) => {
  console.error('audit log: write failed', e);
  return new ApiError('storage_unavailable', 'the audit log is unavailable, try again', { binding: 'AUDIT_LOG' });
};

const entry = (c: Context, d: ReturnType<typeof describe>, time: number, status: number | null): NewEntry => ({
  time, keyId: c.get('principal')?.id ?? null, action: d.action, identityId: d.identityId, status, requestId: c.get('requestId') ?? crypto.randomUUID(),
});

export const auditAdmin = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  const time = Date.now();
  const d = describe(c.req.method, c.req.path);
  const log = auditLog(c.env);
  if (!d.mutation) {
    await next();
    if (c.res.status === 401) await log.append(entry(c, d, time, 401)).catch((e) => console.error('audit log: write failed', e));
    return;
  }
  const seq = await log.append(entry(c, d, time, null)).catch((e) => Promise.reject(unavailable(e)));
  await next();
  const keyId = c.get('principal')?.kind === 'admin' ? c.get('principal').id : null;
  await log.finish(seq, keyId, c.res.status).catch((e) => console.error(`audit log: outcome of row ${seq} not written`, e));
});
