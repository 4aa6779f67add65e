// Benchmarks on this machine, side by side in one run, appended to BENCHMARKS.md as a dated section
// (date, `uname -m`, CPU model, cores, node version). Sections (all by default; --only a,b to pick):
//   model    the fused fp32 and int8 models under onnxruntime-node (1 thread) and onnxruntime-web
//            (WASM, 1 thread, as in the Worker) in Node: session creation, Wasm memory + JS heap, p50/p95
//   workerd  the edge model in `wrangler dev` (workerd): cold start, identify latency vs
//            onnxruntime-node 1 thread on the same image, workerd process memory
//   scan     identify's gallery scan (edge/src/gallery/cache.ts) at N = 1k, 10k, 100k, f32 and i8 rows
//   scan-workerd  the same scan at 100k inside workerd (edge/test/scan-timing.workerd-bench.ts via the
//            Workers vitest pool, EDGE_BENCH=1); workerd's clocks are coarse (whole ms; deployed Workers
//            move them only across I/O), so this is what the runtime reports, not a precise time
//   bundle   `wrangler deploy --dry-run` output, raw and gzip
//   vectorize (only when named in --only) identify's Vectorize search path over the exact in-memory
//            stand-in at 100k and 1M identities (Node; the stand-in's cost, not Vectorize's latency),
//            and a million identifies a month priced at 1M / 10M / 100M identities from published rates
//   trainer  feature extraction images/s (LFW sample) and head training s/epoch (full LFW cache)
// Usage: npm run bench [-- --runs 30] [--only workerd,scan] [--no-append]
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { arch, cpus } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { readManifest, modelBytes } from '../models/node/load.js';
import { createWebSession, runWeb } from './lib/ort-web-probe.js';
import { benchScan } from './bench/scan.js';
import { benchFeatures, benchTrainEpoch } from './bench/trainer.js';
import { MiB, pct } from './bench/util.js';
import { benchWorkerd, bundleSize } from './bench/workerd.js';
import { benchStandIn, PRICES, vectorizeCost } from './bench/vectorize.js';
import { BACKBONE_IDS, DEFAULT_BACKBONE, manifestOf } from '../trainer/backbone/ids.js';
import { repoRoot } from '../paths.js';

const ALL = ['model', 'workerd', 'scan', 'scan-workerd', 'bundle', 'trainer'];
const o = new Command()
  .option('--runs <n>', 'timed runs after warm-up', '30')
  .option('--only <list>', `sections: ${ALL.join(',')} (and vectorize, only when named)`, ALL.join(','))
  .option('--sample <n>', 'LFW images for the feature-extraction speed', '200')
  .option('--features <dir>', 'full-LFW feature store for the training epoch', '.cache/features/55a0cb3af079-ca1510ff-mixed7_grid2')
  .option('--no-append', 'print only; do not append to BENCHMARKS.md')
  .option('--backbone <id>', `the registered backbone's built model (${BACKBONE_IDS.join(', ')})`, DEFAULT_BACKBONE)
  .parse().opts();
const runs = Number(o.runs);
const only = new Set(String(o.only).split(','));
const lines: string[] = [];
const out = (s = '') => (console.log(s), lines.push(s));
const f0 = (x: number) => x.toFixed(0);
const m = readManifest(manifestOf(o.backbone));

const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? '?';
out(`## npm run bench (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`);
out(`\`npm run bench -- --runs ${runs} --only ${[...only].join(',')} --backbone ${o.backbone}\` · ${arch()} · ${cpu} × ${cpus().length} · node ${process.version} · model ${m.modelVersion}. Shared, noisy machine: compare ratios within this section.`);
out();

if (only.has('model')) {
  const s = m.preprocess.size;
  const x = Float32Array.from({ length: s * s * 3 }, (_v, i) => ((i * 2654435761) % 1000) / 1000);
  const time = async (run: () => Promise<unknown>) => {
    await run();
    const t: number[] = [];
    for (let i = 0; i < runs; i++) { const t0 = performance.now(); await run(); t.push(performance.now() - t0); }
    return t;
  };
  out('**Model in Node** (1 thread; int8 first: Wasm memory never shrinks, so the fp32 Wasm figure is an upper bound)');
  out();
  out('| model | runtime | file MiB | create ms | Wasm MiB | JS heap MiB | p50 ms | p95 ms |');
  out('|---|---|---|---|---|---|---|---|');
  for (const variant of ['int8', 'fp32'] as const) {
    const bytes = modelBytes(m, variant);
    const t0 = performance.now();
    const node = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const nodeCreate = performance.now() - t0;
    const tn = await time(() => node.run({ [m.input.name]: new ort.Tensor('float32', x, [1, s, s, 3]) }));
    await node.release();
    out(`| ${variant} | onnxruntime-node 1 thread | ${MiB(bytes.length)} | ${f0(nodeCreate)} | – | – | ${f0(pct(tn, 0.5))} | ${f0(pct(tn, 0.95))} |`);
    const web = await createWebSession(bytes);
    await runWeb(web.session, x, [1, s, s, 3]);
    const wasm = web.wasmBytes(), heap = process.memoryUsage().heapUsed;
    const tw = await time(() => runWeb(web.session, x, [1, s, s, 3]));
    await web.session.release();
    out(`| ${variant} | onnxruntime-web WASM 1 thread | ${MiB(bytes.length)} | ${f0(web.createMs)} | ${MiB(wasm)} | ${MiB(heap)} | ${f0(pct(tw, 0.5))} | ${f0(pct(tw, 0.95))} |`);
  }
  out();
}

if (only.has('workerd')) {
  const r = await benchWorkerd(runs, (s) => console.error(s), o.backbone);
  const p = (t: number[]) => `${f0(pct(t, 0.5))} / ${f0(pct(t, 0.95))}`;
  out(`**Edge model in workerd** (\`wrangler dev --env dev\`, fresh local state; client-side loopback timings; ${runs} runs after 3 warm-ups; image: ${r.image})`);
  out();
  out('| measurement | p50 / p95 ms | goal |');
  out('|---|---|---|');
  out(`| cold start: spawn → first healthy /v1/health | ${f0(r.readyMs)} (once) | – |`);
  out(`| cold start: first identify after ready (R2 fetch + sha256 + session + first inference) | ${f0(r.firstIdentifyMs)} (once) | ≤ 3000 |`);
  out(`| identify, 3 enrolled (HTTP + multipart + decode + face detection + alignment + preprocess + inference + scan) | ${p(r.identify)} | p50 ≤ ${o.backbone === DEFAULT_BACKBONE ? 350 : 200} |`);
  out(`| /v1/health (HTTP baseline, no inference) | ${p(r.health)} | – |`);
  out(`| identify − health, p50 | ${f0(pct(r.identify, 0.5) - pct(r.health, 0.5))} | – |`);
  out(`| onnxruntime-node 1 thread, same model and image (inference only) | ${p(r.node)} | – |`);
  out(`| ratio workerd identify p50 / onnxruntime-node p50 | ${(pct(r.identify, 0.5) / pct(r.node, 0.5)).toFixed(1)}× | – |`);
  out(`| workerd process VmHWM / VmRSS after the runs (upper bound on the isolate) | ${r.vmHwmKiB ? MiB(r.vmHwmKiB * 1024) : '?'} / ${r.vmRssKiB ? MiB(r.vmRssKiB * 1024) : '?'} MiB | 128 MB limit in production |`);
  out();
}

if (only.has('scan')) {
  out(`**Identify scan** (edge/src/gallery/cache.ts searchGallery, top 5, synthetic 128-d unit vectors, one row per identity, ids in byte order as a rebuild writes them, in Node; 50 queries after 3 warm-ups; kernel: edge/src/gallery/scan.wasm SIMD or the JS fallback)`);
  out();
  out('| N | rows | shards | shard MiB | snapshot holds MiB (MB) | heap + external growth MiB | kernel | p50 ms | p95 ms | goal |');
  out('|---|---|---|---|---|---|---|---|---|---|');
  for (const n of [1_000, 10_000, 100_000])
    for (const dtype of ['f32', 'i8'] as const) {
      const r = await benchScan(n, dtype);
      out(`| ${n.toLocaleString('en')} | ${dtype} | ${r.shards} | ${MiB(r.shardBytes)} | ${MiB(r.heldBytes)} (${(r.heldBytes / 1e6).toFixed(2)}) | ${MiB(r.heapBytes)} | ${r.kernel} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${n === 100_000 ? '≤ 10 ms, ≤ 16 MB' : '–'} |`);
    }
  out();
}

if (only.has('scan-workerd')) {
  const r = spawnSync('npx', ['vitest', 'run', '--config', 'edge/vitest.config.ts'], { cwd: repoRoot, env: { ...process.env, EDGE_BENCH: '1' }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const rows = [...(r.stdout ?? '').matchAll(/SCAN_WORKERD (\{[^\n]*\})/g)].map((x) => JSON.parse(x[1]) as { n: number; dtype: string; queries: number; p50: number; max: number; wallMs: number; clocksAdvance: boolean });
  if (r.status !== 0 || rows.length === 0) throw new Error(`workerd scan timing failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  out(`**Identify scan inside workerd** (edge/test/scan-timing.workerd-bench.ts: searchGallery, top 5, synthetic 128-d unit vectors, one row per identity; ${rows[0].queries} queries after one load; workerd's clocks tick in whole ms, and deployed Workers advance them only across I/O)`);
  out();
  out('| N | rows | performance.now p50 ms | max ms | Date.now over the queries ms | clocks moved |');
  out('|---|---|---|---|---|---|');
  for (const x of rows) out(`| ${x.n.toLocaleString('en')} | ${x.dtype} | ${x.p50.toFixed(2)} | ${x.max.toFixed(2)} | ${x.wallMs} | ${x.clocksAdvance ? 'yes' : 'no'} |`);
  out();
}

if (only.has('bundle')) {
  const b = bundleSize();
  out(`**Script bundle** (\`wrangler deploy --dry-run --outdir\`, ${b.files} files, source maps excluded): ${MiB(b.raw)} MiB raw, ${MiB(b.gzip)} MiB gzip -9.`);
  out();
}

if (only.has('trainer')) {
  const fx = await benchFeatures(Number(o.sample));
  const ep = benchTrainEpoch(join(repoRoot, o.features));
  out(`**Trainer**: feature extraction (InceptionV3 → mixed7 2×2, onnxruntime-node, 2 threads, batch 8, decode + preprocess included) ${fx.imagesPerSecond.toFixed(1)} images/s over ${fx.images} LFW images; ` +
    (ep ? `head training, 1 epoch on the full-LFW cache (\`trainer train --epochs 1 --fresh\`, wall time incl. loading features and the epoch-0 validation) ${f0(ep.seconds)} s.` : `head training not measured: no feature store at ${o.features}.`));
  out();
}

if (only.has('vectorize')) {
  out('**Vectorize gallery without an account** (edge/src/gallery/vectorize/search.ts over the exact in-memory stand-in, one 128-d row per identity, cosine, 100 recent writes held, top 5; Node; brute force over every vector: what a test pays, not Vectorize\'s latency)');
  out();
  out('| identities | load (upserts of 1000 + process) s | heap + external MiB | p50 ms | p95 ms |');
  out('|---|---|---|---|---|');
  for (const n of [100_000, 1_000_000]) {
    const x = await benchStandIn(n);
    out(`| ${n.toLocaleString('en')} | ${x.loadS.toFixed(1)} | ${x.heapMiB.toFixed(0)} | ${x.p50.toFixed(1)} | ${x.p95.toFixed(1)} |`);
  }
  out();
  out(`**Vectorize price of 1M identifies in a month** (Workers Paid: queried dimensions = (queries × indexes + stored vectors) × 128, first ${PRICES.queriedIncluded / 1e6}M included then $${PRICES.queriedPerMillion}/M; stored dimensions, first ${PRICES.storedIncluded / 1e6}M included then $${PRICES.storedPer100M}/100M; one row per identity, indexes filled to 80% of 20M vectors)`);
  out();
  out('| identities | indexes | queried dims | stored dims | queried $ | stored $ | total $ / month | $ per 1k identifies |');
  out('|---|---|---|---|---|---|---|---|');
  for (const n of [1e6, 1e7, 1e8]) {
    const c = vectorizeCost(n, 1e6);
    out(`| ${n.toLocaleString('en')} | ${c.shards} | ${(c.queriedDims / 1e9).toFixed(3)} B | ${(c.storedDims / 1e9).toFixed(2)} B | ${c.queried.toFixed(2)} | ${c.stored.toFixed(2)} | ${c.total.toFixed(2)} | ${(c.total / 1000).toFixed(4)} |`);
  }
  out();
}

if (o.append) appendFileSync(join(repoRoot, 'BENCHMARKS.md'), '\n' + lines.join('\n') + '\n');
