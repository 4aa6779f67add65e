// Per-key quotas: the token bucket's arithmetic, RATE_LIMITS, and the Worker's 429 rate_limited with
// Retry-After from each key's Durable Object — exact per key, a second key untouched. The drive at
// 3× a key's limit and the latency a quota check adds print the figures BENCHMARKS.md records.
// Requests here carry an empty JSON body: authentication and the quota run before the body is
// validated, so an admitted request answers 400 invalid_request without running the model.
import { describe, expect, it, beforeAll } from 'vitest';
import { type BucketState, take } from '../src/quota/bucket';
import { limitFor, parseRateLimits, SCOPE_DEFAULTS } from '../src/quota/limits';
import { call, startWithTinyModel } from './helpers';

beforeAll(async () => {
  await startWithTinyModel();
});

const API_KEYS = 'a:secret-a:verify,b:secret-b:verify,c:secret-c:verify,d:secret-d:verify,free:secret-free:verify';
const probe = (secret: string, RATE_LIMITS: string) => call('POST', '/v1/verify', { json: {}, auth: `Bearer ${secret}`, env: { API_KEYS, RATE_LIMITS } });

describe('the bucket', () => {
  it('starts full, admits a burst, then refuses with the exact wait for the next token', () => {
    const limit = { perSecond: 2, burst: 3 };
    let s: BucketState | null = null;
    const at = (t: number) => {
      const r = take(s, limit, t);
      s = r.state;
      return r.decision;
    };
    expect([at(0), at(0), at(0)].map((d) => [d.allowed, d.remaining])).toEqual([[true, 2], [true, 1], [true, 0]]);
    expect(at(0)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 500 });
    expect(at(400)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 100 });
    expect(at(500).allowed).toBe(true);
    expect(at(10_000)).toMatchObject({ allowed: true, remaining: 2 }); // refilled to the burst, not beyond
  });

  it('driven at 3× its rate, it admits exactly the burst plus the rate; once empty, it refuses 2 of every 3', () => {
    const limit = { perSecond: 10, burst: 20 };
    let s: BucketState | null = null;
    const admitted: boolean[] = [];
    const n = 3000; // 100 s at 30 requests a second
    for (let i = 0; i < n; i++) {
      const r = take(s, limit, (i * 1000) / 30);
      s = r.state;
      admitted.push(r.decision.allowed);
    }
    expect(admitted.filter(Boolean).length).toBe(20 + Math.floor(((n - 1) / 30) * 10));
    const afterEmpty = admitted.slice(admitted.indexOf(false));
    expect(afterEmpty.filter((a) => !a).length / afterEmpty.length).toBeCloseTo(2 / 3, 3);
  });
});

describe('RATE_LIMITS', () => {
  it('reads N/s|m|h[:burst], off and the * default; without either, the strictest default of the key\'s scopes', () => {
    const m = parseRateLimits('a=5/s, b=120/m:10, c=off, *=1/h');
    expect(m.get('a')).toEqual({ perSecond: 5, burst: 5 });
    expect(m.get('b')).toEqual({ perSecond: 2, burst: 10 });
    expect(m.get('c')).toBeNull();
    expect(limitFor('a=5/s,*=1/h', 'zed', ['verify'])).toEqual({ perSecond: 1 / 3600, burst: 1 });
    expect(limitFor('', 'zed', ['verify'])).toEqual(SCOPE_DEFAULTS.verify);
    expect(limitFor('', 'zed', ['verify', 'identify', 'identify:candidates'])).toEqual(SCOPE_DEFAULTS['identify:candidates']);
    for (const bad of ['a', 'a=5', 'a=5/d', '=5/s', 'a=0/s', 'a=5/s:0', 'a=5/s,a=6/s', 'a=-1/s']) expect(() => parseRateLimits(bad), bad).toThrow(/RATE_LIMITS/);
  });
});

describe('through the Worker', () => {
  it('429 rate_limited with Retry-After once a key has spent its bucket; another key is not touched', async () => {
    const limits = 'a=1/m:3,b=1/m:3';
    for (let i = 0; i < 3; i++) expect((await probe('secret-a', limits)).status).toBe(400);
    const r = await probe('secret-a', limits);
    expect([r.status, r.data.error.code]).toEqual([429, 'rate_limited']);
    expect(r.headers.get('retry-after')).toBe('60');
    expect(r.data.error.details.retryAfterSeconds).toBe(60);
    for (let i = 0; i < 3; i++) expect((await probe('secret-b', limits)).status).toBe(400);
    expect((await probe('secret-b', limits)).status).toBe(429);
    // A key set to off is never limited.
    for (let i = 0; i < 20; i++) expect((await probe('secret-free', 'free=off,*=1/h')).status).toBe(400);
  });

  it('a key driven at 3× its limit is refused ≥ 2/3 of the time past its burst, each refusal with Retry-After; a second key is not slowed', async () => {
    const limits = 'c=10/s:5,d=10/s:5';
    const seconds = 3;
    const ask = async (secret: string) => {
      const t0 = performance.now();
      const r = await probe(secret, limits);
      return { status: r.status, retryAfter: r.headers.get('retry-after'), ms: performance.now() - t0 };
    };
    // Key b alone at half its limit, then again while a is driven at 3× its own.
    const paced = (secret: string, perSecond: number, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => new Promise<Awaited<ReturnType<typeof ask>>>((res) => setTimeout(() => res(ask(secret)), (i * 1000) / perSecond))));
    const alone = await paced('secret-d', 5, 5 * seconds);
    await new Promise((r) => setTimeout(r, 1200));
    const t0 = performance.now();
    const [a, b] = await Promise.all([paced('secret-c', 30, 30 * seconds), paced('secret-d', 5, 5 * seconds)]);
    const elapsed = (performance.now() - t0) / 1000;
    const refused = a.filter((x) => x.status === 429);
    const admitted = a.length - refused.length;
    expect(refused.every((x) => Number(x.retryAfter) >= 1)).toBe(true);
    expect(a.every((x) => x.status === 400 || x.status === 429)).toBe(true);
    // Exact: never more than the burst plus the rate over the time it ran.
    expect(admitted).toBeLessThanOrEqual(5 + Math.ceil(10 * elapsed) + 1);
    // Once the bucket is empty the key gets the rate and no more: 2 of every 3 refused.
    const afterEmpty = a.slice(a.findIndex((x) => x.status === 429));
    const refusedAfterEmpty = afterEmpty.filter((x) => x.status === 429).length / afterEmpty.length;
    expect(refusedAfterEmpty).toBeGreaterThanOrEqual(0.6);
    expect(b.map((x) => x.status)).toEqual(Array(b.length).fill(400));
    const p50 = (xs: { ms: number }[]) => xs.map((x) => x.ms).sort((p, q) => p - q)[Math.floor(xs.length / 2)];
    console.log(
      `quota drive: the driven key offered ${a.length} in ${elapsed.toFixed(2)} s (${(a.length / elapsed).toFixed(1)}/s; limit 10/s, burst 5): ` +
        `${admitted} admitted (bound 5 + 10 × ${elapsed.toFixed(2)} s = ${(5 + 10 * elapsed).toFixed(1)}), ${refused.length} refused = ${((refused.length / a.length) * 100).toFixed(1)}% of all, ` +
        `${(refusedAfterEmpty * 100).toFixed(1)}% once the bucket was empty; every refusal with Retry-After. ` +
        `Second key at 5/s: ${b.filter((x) => x.status !== 429).length}/${b.length} admitted, p50 ${p50(b).toFixed(0)} ms during the drive vs ${p50(alone).toFixed(0)} ms alone (workerd timer resolution ~1 ms)`,
    );
  });

  it('what a quota check costs: the same request with and without one', async () => {
    const n = 200;
    // workerd's clock moves only across I/O, in whole milliseconds: time n requests together.
    const mean = async (limits: string) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) expect((await probe('secret-free', limits)).status).toBe(400);
      return (performance.now() - t0) / n;
    };
    await mean('free=off'); // warm
    const rounds: string[] = [];
    for (let round = 0; round < 3; round++) {
      const off = await mean('free=off');
      const on = await mean('free=100000/s');
      rounds.push(`${off.toFixed(2)} → ${on.toFixed(2)} ms (+${(on - off).toFixed(2)})`);
    }
    console.log(`quota cost: mean per request, verify with an empty body, ${n} sequential requests, no quota → quota, 3 rounds: ${rounds.join('; ')}`);
  });
});
