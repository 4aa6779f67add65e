// Per-key request limits. RATE_LIMITS (a var, not a secret) names them by key id, comma-separated:
//   id=N/unit[:burst]   N requests per unit (s, m or h), at most `burst` at once (default N)
//   id=off              no limit for this key (an internal batch client, say)
//   *=N/unit[:burst]    the default for keys not named
// A key neither named nor covered by "*" gets the strictest default of its scopes (SCOPE_DEFAULTS).
import type { Scope } from '../http/credentials';
import type { Limit } from './bucket';

export const SCOPE_DEFAULTS: Record<Scope, Limit> = {
  verify: { perSecond: 10, burst: 20 },
  identify: { perSecond: 5, burst: 10 },
  'identify:candidates': { perSecond: 2, burst: 10 },
};

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
const SPEC = /^(\d+(?:\.\d+)?)\/([smh])(?::(\d+))?$/;

export class RateLimitConfigError extends Error {}

/** id → limit (null: unlimited), "*" the default; throws on an entry it cannot read. */
export function parseRateLimits(raw: string): Map<string, Limit | null> {
  const out = new Map<string, Limit | null>();
  for (const [i, entry] of raw.split(',').map((e) => e.trim()).filter(Boolean).entries()) {
    const eq = entry.indexOf('=');
    const id = entry.slice(0, eq).trim();
    const spec = entry.slice(eq + 1).trim();
    const m = SPEC.exec(spec);
    if (eq <= 0 || (spec !== 'off' && (!m || Number(m[1]) <= 0 || m[3] === '0')))
      throw new RateLimitConfigError(`RATE_LIMITS entry ${i + 1}: expected id=N/s|m|h[:burst] or id=off`);
    if (out.has(id)) throw new RateLimitConfigError(`RATE_LIMITS: "${id}" appears twice`);
    out.set(id, m ? { perSecond: Number(m[1]) / UNIT_SECONDS[m[2]], burst: m[3] ? Number(m[3]) : Math.max(1, Math.floor(Number(m[1]))) } : null);
  }
  return out;
}

let parsed: { raw: string; limits: Map<string, Limit | null> } | undefined;

/** The limit of key `id` with these scopes; null when it is unlimited. */
export function limitFor(raw: string | undefined, id: string, scopes: Iterable<Scope>): Limit | null {
  if (parsed?.raw !== (raw ?? '')) parsed = { raw: raw ?? '', limits: parseRateLimits(raw ?? '') };
  const { limits } = parsed;
  if (limits.has(id)) return limits.get(id)!;
  if (limits.has('*')) return limits.get('*')!;
  let strictest: Limit | null = null;
  for (const s of scopes) if (!strictest || SCOPE_DEFAULTS[s].perSecond < strictest.perSecond) strictest = SCOPE_DEFAULTS[s];
  return strictest ?? SCOPE_DEFAULTS.identify;
}
