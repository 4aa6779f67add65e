// Authentication. /v1 verify & identify: an API key from the API_KEYS secret (comma-separated),
// sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`; off only when AUTH_DISABLED is the
// literal "true" (dev config). /admin: `Authorization: Bearer <ADMIN_TOKEN>`. Comparisons hash both
// sides and use a constant-time compare, and every configured key is checked (no early exit).
import { createMiddleware } from 'hono/factory';
import { ApiError } from './errors';

type Vars = { Bindings: Env };

const digest = async (s: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));

export async function matchesAny(presented: string, secrets: string[]): Promise<boolean> {
  const p = await digest(presented);
  let ok = false;
  for (const s of secrets) ok = crypto.subtle.timingSafeEqual(p, await digest(s)) || ok;
  return ok;
}

const bearer = (h: string | undefined) => (h && /^Bearer\s+/i.test(h) ? h.replace(/^Bearer\s+/i, '').trim() : undefined);
const unauthorized = (what: string) => new ApiError('unauthorized', `missing or invalid ${what}`);

export const requireApiKey = createMiddleware<Vars>(async (c, next) => {
  if (c.env.AUTH_DISABLED === 'true') return next();
  const keys = (c.env.API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  if (!keys.length) throw new ApiError('auth_not_configured', 'API_KEYS is not set (set AUTH_DISABLED="true" only in dev)');
  const presented = bearer(c.req.header('authorization')) ?? c.req.header('x-api-key');
  if (!presented || !(await matchesAny(presented, keys))) throw unauthorized('API key');
  await next();
});

export const requireAdmin = createMiddleware<Vars>(async (c, next) => {
  const token = c.env.ADMIN_TOKEN?.trim();
  if (!token) throw new ApiError('auth_not_configured', 'ADMIN_TOKEN is not set');
  const presented = bearer(c.req.header('authorization'));
  if (!presented || !(await matchesAny(presented, [token]))) throw unauthorized('admin token');
  await next();
});
