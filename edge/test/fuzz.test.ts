// Schema-driven fuzzing inside workerd: requests drawn from the Worker's /openapi.json plus mutations
// (edge/test/openapi-fuzz.ts), through the Worker's fetch handler with the tiny model, a gallery and
// the quota on. Every answer must be below 500 and valid by the document for its operation and
// status (a 429 also carries Retry-After). 600 requests in the suite; FUZZ_REQUESTS=5000 for the
// figure in BENCHMARKS.md; FUZZ_SEED replays a run (the seed is printed, and a failure names it).
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeAll, expect, it, inject } from 'vitest';
import worker from '../src/index';
import { checkAnswer, type FuzzRequest, loadValidator, type OpenApiDoc, requestArbitrary, toRequest } from './openapi-fuzz';
import { call, fixtureB64, startWithTinyModel } from './helpers';

const fuzzEnv = env as Env & { FUZZ_REQUESTS?: string; FUZZ_SEED?: string };
const REQUESTS = Number(fuzzEnv.FUZZ_REQUESTS) || 600;
const SEED = Number(fuzzEnv.FUZZ_SEED) || 20260421;

// Keys of each kind (one with a quota small enough to be met), admin tokens, and strangers.
const API_KEYS = 'client2:test-key-2:verify+identify+identify:candidates,plain:fz-plain:verify+identify,vonly:fz-verify:verify,tight:fz-tight:verify+identify';
const RATE_LIMITS = 'tight=2/s:2,*=1000/s';
const creds = {
  api: ['Bearer test-key-2', 'Bearer fz-plain', 'Bearer fz-verify', 'Bearer fz-tight'],
  admin: ['Bearer test-admin-token', 'Bearer fz-ops'],
  other: ['Bearer nope', 'Bearer test-key-2x'],
};
const IMAGES = ['person1.jpg', 'person2.jpg', 'person1.png', 'person1-b.jpg', 'truncated.jpg', 'corrupt.png', 'noise.bin', 'huge.jpg', 'fake.bmp', 'person1.gif', 'grey.png', 'wide.png'];

let doc: OpenApiDoc;
beforeAll(async () => {
  await loadValidator();
  await startWithTinyModel();
  for (const [id, img] of [['alice', 'person1.jpg'], ['bob', 'person2.jpg']]) expect((await call('PUT', `/admin/identities/${id}`, { json: { images: [fixtureB64(img)] } })).status).toBe(201);
  doc = (await call('GET', '/openapi.json', { auth: 'none' })).data;
});

it(`${REQUESTS} requests from /openapi.json and mutations: no 5xx, every answer as documented`, { timeout: 900_000 }, async () => {
  const pool = Object.fromEntries(IMAGES.map((n) => [n, inject('fixtures')[n]]));
  expect(Object.values(pool).every(Boolean)).toBe(true);
  // Fixed requests first, so the checks below do not hang on what a seed happens to draw: a corrupt
  // image and a truncated one reach the image path's own 422s, whatever the routes mounted.
  const anchors: FuzzRequest[] = ['corrupt.png', 'truncated.jpg'].map((bad) => ({
    method: 'POST', operation: { path: '/v1/verify', method: 'post' }, url: '/v1/verify', headers: { authorization: 'Bearer test-key-2' },
    body: { kind: 'form', fields: [['a', { file: bad }], ['b', { file: 'person1.jpg' }]] }, mutation: 'anchor',
  }));
  const requests = [...anchors, ...fc.sample(requestArbitrary(doc, IMAGES, creds), { seed: SEED, numRuns: REQUESTS })];
  const histogram = new Map<string, number>();
  const byOperation = new Map<string, number>();
  const violations: { index: number; request: FuzzRequest; status: number; problem: string; body: unknown }[] = [];
  const testEnv = { ...env, API_KEYS, RATE_LIMITS, ADMIN_TOKENS: 'ops:fz-ops' } as Env;
  const t0 = Date.now();
  for (const [index, r] of requests.entries()) {
    const ctx = createExecutionContext();
    const res = await worker.fetch((await toRequest(r, pool)) as Parameters<typeof worker.fetch>[0], testEnv, ctx);
    await waitOnExecutionContext(ctx);
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    const code = (body as { error?: { code?: string } })?.error?.code;
    const key = `${res.status}${code ? ` ${code}` : ''}`;
    histogram.set(key, (histogram.get(key) ?? 0) + 1);
    const op = r.operation ? `${r.operation.method.toUpperCase()} ${r.operation.path}` : `${r.method} (undocumented)`;
    byOperation.set(op, (byOperation.get(op) ?? 0) + 1);
    const problem = checkAnswer(doc, r, res.status, res.headers.get('content-type') ?? '', body, res.headers);
    if (problem) violations.push({ index, request: r, status: res.status, problem, body });
  }
  const seconds = (Date.now() - t0) / 1000;
  const sorted = [...histogram].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  console.log(
    `fuzz: ${REQUESTS} requests, seed ${SEED}, ${seconds.toFixed(1)} s; ${violations.length} violations; ` +
      `5xx: ${sorted.filter(([k]) => k.startsWith('5')).reduce((n, [, c]) => n + c, 0)}\n` +
      `status histogram: ${sorted.map(([k, c]) => `${k}: ${c}`).join(', ')}\n` +
      `operations: ${[...byOperation].sort().map(([k, c]) => `${k}: ${c}`).join(', ')}`,
  );
  for (const v of violations.slice(0, 5))
    console.log(`violation #${v.index} (replay: FUZZ_SEED=${SEED} FUZZ_REQUESTS=${v.index + 1}): ${v.problem}\n  ${v.request.method} ${v.request.url} mutation=${v.request.mutation} → ${v.status} ${JSON.stringify(v.body).slice(0, 300)}`);
  expect(violations.map((v) => `#${v.index} ${v.request.method} ${v.request.url}: ${v.problem}`)).toEqual([]);
  // The run reached the routes' own work, not only their gates.
  expect(histogram.get('200') ?? 0).toBeGreaterThan(REQUESTS * 0.05);
  expect([...histogram.keys()].some((k) => k.startsWith('422'))).toBe(true);
  expect([...histogram.keys()].some((k) => k.startsWith('429'))).toBe(true);
});
