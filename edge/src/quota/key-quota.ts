// KeyQuota: one Durable Object per API key id holds that key's token bucket (quota/bucket.ts), so
// every decision for a key is made in one place, one after another: exact, unlike per-location
// counters. The bucket lives in the object's memory, not its storage: a request costs one RPC and
// no storage write. When the object is evicted (idle for a while, or a deploy) the bucket starts
// full again; an idle key's bucket would be full by then anyway, so the slack is at most one burst
// per deploy. The limit comes with each call, so a changed RATE_LIMITS applies at once.
import { DurableObject } from 'cloudflare:workers';
import { type BucketState, type Decision, type Limit, take } from './bucket';

export class KeyQuota extends DurableObject<Env> {
  private bucket: BucketState | null = null;

  /** Takes one token from this key's bucket, or says how long until one is there. */
  take(limit: Limit): Decision {
    const r = take(this.bucket, limit, Date.now());
    this.bucket = r.state;
    return r.decision;
  }
}

/** The quota object of key `id`. */
export const keyQuota = (env: Env, id: string) => env.KEY_QUOTA.get(env.KEY_QUOTA.idFromName(id));
