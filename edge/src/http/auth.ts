// Authentication and the per-key quota. /v1 verify & identify: an API key from API_KEYS (named, with
// scopes: http/credentials.ts), sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`; then the
// route's scope, then the key's token bucket (quota/). Off only when AUTH_DISABLED is the literal
// "true" (dev config): every scope, no quota. /admin: `Authorization: Bearer <token>` with a token
// from ADMIN_TOKENS or ADMIN_TOKEN. Every failure to authenticate answers the same 401 body. The
// caller's key id (never its secret) is on the context as `principal`, for logs and the audit log.
import { createMiddleware } from 'hono/factory';
import { adminTokens, apiKeys, type Credential, CredentialConfigError, lookup, SCOPES, type CredentialSet, type Scope } from './credentials';
import { ApiError, type ErrorCode } from './errors';
import { limitFor, RateLimitConfigError } from '../quota/limits';
import { keyQuota } from '../quota/key-quota';

export interface Principal extends Credential {
  kind: 'api' | 'admin';
}

declare module 'hono' {
  interface ContextVariableMap {
    principal: Principal;
  }
}

/** ADMIN_TOKENS is optional, so not among wrangler.toml's required secrets (and not in Env). */
type AuthEnv = Env & { ADMIN_TOKENS?: string };
type Vars = { Bindings: Env };

/** What the API-key middleware can answer; routes list these among their documented errors. */
export const API_KEY_ERRORS: ErrorCode[] = ['unauthorized', 'forbidden', 'rate_limited', 'auth_not_configured'];
export const ADMIN_ERRORS: ErrorCode[] = ['unauthorized', 'auth_not_configured'];

/** The security schemes' descriptions in /openapi.json (routes/openapi.ts). */
export const API_KEY_DESCRIPTION =
  'An API key from API_KEYS (entries id:secret[:scope+scope]), as X-API-Key or Authorization: Bearer. Scopes: verify (POST /v1/verify), ' +
  'identify (POST /v1/identify), identify:candidates (identify with its candidate list; without it the answer has the match only, scores ' +
  'rounded to 3 decimals); default verify+identify. A missing scope is 403 forbidden. Each key id has a token bucket (RATE_LIMITS, else ' +
  'verify 10/s, identify 5/s, identify:candidates 2/s): over it, 429 rate_limited with Retry-After. Every failure to authenticate is the same 401.';
export const ADMIN_TOKEN_DESCRIPTION =
  'An admin token from ADMIN_TOKENS (entries id:token, several valid at once) or ADMIN_TOKEN, as Authorization: Bearer. Every admin mutation ' +
  'and every failed admin authentication is kept in the audit log (GET /admin/audit).';

/** The one 401: the same body whatever was wrong (missing, malformed, unknown, revoked, the other kind of credential). */
const unauthorized = () => new ApiError('unauthorized', 'missing or invalid credentials');

const bearer = (h: string | undefined) => (h && /^Bearer\s+/i.test(h) ? h.replace(/^Bearer\s+/i, '').trim() : undefined);

async function configured(set: CredentialSet, what: string) {
  try {
    const entries = await set;
    if (!entries.length) throw new ApiError('auth_not_configured', `${what} is not set`);
    return entries;
  } catch (e) {
    if (e instanceof CredentialConfigError) {
      console.error('auth configuration:', e.message);
      throw new ApiError('auth_not_configured', `${what} cannot be read: ${e.message}`);
    }
    throw e;
  }
}

/** One token from the key's bucket (quota/key-quota.ts), or 429 rate_limited with Retry-After. */
async function spend(env: Env, key: Credential) {
  let limit: ReturnType<typeof limitFor>;
  try {
    limit = limitFor(env.RATE_LIMITS, key.id, key.scopes);
  } catch (e) {
    if (!(e instanceof RateLimitConfigError)) throw e;
    console.error('quota configuration:', e.message);
    throw new ApiError('auth_not_configured', e.message);
  }
  if (!limit) return;
  const d = await keyQuota(env, key.id).take(limit);
  if (!d.allowed) {
    const retryAfterSeconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
    throw new ApiError('rate_limited', `this key's limit (${+limit.perSecond.toPrecision(3)} requests/s, bursts of ${limit.burst}) is reached; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

/** /v1: a valid API key with `scope`, within its quota. */
export const requireApiKey = (scope: Exclude<Scope, 'identify:candidates'>) =>
  createMiddleware<Vars>(async (c, next) => {
    if (c.env.AUTH_DISABLED === 'true') {
      c.set('principal', { kind: 'api', id: 'anonymous', scopes: new Set(SCOPES) });
      return next();
    }
    const keys = await configured(apiKeys(c.env.API_KEYS), 'API_KEYS');
    const presented = bearer(c.req.header('authorization')) ?? c.req.header('x-api-key');
    const key = presented ? await lookup(keys, presented) : null;
    if (!key) throw unauthorized();
    if (!key.scopes.has(scope)) throw new ApiError('forbidden', `this key lacks the scope "${scope}"`, { scope });
    c.set('principal', { kind: 'api', ...key });
    await spend(c.env, key);
    await next();
  });

/** /admin: a token from ADMIN_TOKENS or ADMIN_TOKEN (checked once per request). */
export const requireAdmin = createMiddleware<Vars>(async (c, next) => {
  if (c.get('principal')?.kind === 'admin') return next();
  const env = c.env as AuthEnv;
  const tokens = await configured(adminTokens(env.ADMIN_TOKENS, env.ADMIN_TOKEN), 'ADMIN_TOKEN');
  const presented = bearer(c.req.header('authorization'));
  const token = presented ? await lookup(tokens, presented) : null;
  if (!token) throw unauthorized();
  c.set('principal', { kind: 'admin', ...token });
  await next();
});
