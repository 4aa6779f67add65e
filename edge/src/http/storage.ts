// Storage faults in one place: the Worker sees its KV and R2 bindings through a proxy that turns any
// rejected call (a failed get/put/list/delete, or reading an R2 object's body) into a 503
// `storage_unavailable` (a KV 429 into 429 `rate_limited`). Nothing is caught and ignored, so a failed read never becomes an empty
// gallery (a wrong "no match") and a failed write never looks acknowledged.
import { ApiError } from './errors';

/** KV's per-key write limit (about one write a second) surfaces as a 429: the caller's to retry, not an
 *  outage. The one place that recognises it (this guard and identity/store.ts's kvWrite). */
export function kvRateLimited(e: unknown, what = 'this key'): ApiError | null {
  if (!/429|too many requests/i.test(String((e as Error)?.message ?? e))) return null;
  return new ApiError('rate_limited', `${what} was written less than a second ago; retry shortly`, { retryAfterSeconds: 1 });
}

const failed = (binding: string, op: string, e: unknown) => {
  if (e instanceof ApiError) return e;
  const limited = kvRateLimited(e);
  if (limited) return limited;
  console.error(`storage: ${binding}.${op} failed`, e);
  return new ApiError('storage_unavailable', `storage (${binding}) is unavailable, try again`, { binding, op });
};

function guard<T extends object>(target: T, binding: string): T {
  return new Proxy(target, {
    get(t, prop) {
      const v = Reflect.get(t, prop);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        let r: unknown;
        try {
          r = v.apply(t, args);
        } catch (e) {
          throw failed(binding, String(prop), e);
        }
        if (!(r instanceof Promise)) return r;
        // R2 objects: their body readers (arrayBuffer, text, json) can fail too.
        return r.then((x) => (x && typeof x === 'object' && 'arrayBuffer' in x ? guard(x, binding) : x), (e) => Promise.reject(failed(binding, String(prop), e)));
      };
    },
  });
}

/** env with GALLERY (KV) and MODELS (R2) behind the storage guard. */
export function guardStorage(env: Env): Env {
  return { ...env, GALLERY: guard(env.GALLERY, 'GALLERY'), MODELS: guard(env.MODELS, 'MODELS') };
}
