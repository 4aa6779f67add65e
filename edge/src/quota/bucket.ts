// The token bucket: `burst` tokens at most, refilled continuously at `perSecond`; a request takes one
// token or is refused with the time until one will be there. Pure arithmetic on (tokens, time), so
// the Durable Object that holds a key's bucket (quota/key-quota.ts) is the only place with a clock.

export interface Limit {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests that may arrive at once after a quiet spell (the bucket's size). */
  burst: number;
}

export interface BucketState {
  tokens: number;
  /** Milliseconds (Date.now()) when `tokens` was last computed. */
  at: number;
}

export interface Decision {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Refused: milliseconds until a token is available. */
  retryAfterMs: number;
}

/** One request against the bucket at `now`: the decision and the bucket's next state. A new bucket starts full. */
export function take(state: BucketState | null, limit: Limit, now: number): { decision: Decision; state: BucketState } {
  const elapsed = state ? Math.max(0, now - state.at) : 0;
  const tokens = state ? Math.min(limit.burst, state.tokens + (elapsed / 1000) * limit.perSecond) : limit.burst;
  if (tokens >= 1) return { decision: { allowed: true, remaining: Math.floor(tokens - 1), retryAfterMs: 0 }, state: { tokens: tokens - 1, at: now } };
  return { decision: { allowed: false, remaining: 0, retryAfterMs: Math.ceil(((1 - tokens) / limit.perSecond) * 1000) }, state: { tokens, at: now } };
}
