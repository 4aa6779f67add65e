// Measures a registered backbone (trainer/backbone/registry.ts) on LFW, identity-disjoint, with the
// repo's evaluation code: detection + alignment on the deep-funneled images, T by CV on validation
// identities, the test triplet CSV, pairsDevTest AUC (95% CI), LFW View 2 10-fold. Prints a table.
//   npx tsx scripts/eval-backbone.ts --backbone dlib_resnet [--write] [--json]
//   npx tsx scripts/eval-backbone.ts --backbone dlib_resnet --templates   # the alignment template choice
//   npx tsx scripts/eval-backbone.ts --backbone dlib_resnet --timing      # ms/image, onnxruntime-node
// --write stores the result as models/<backbone>/evaluation.json, where the build reads T and metrics.
import { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveDataDir, repoRoot } from '../paths.js';
import { backbone, BACKBONE_IDS } from '../trainer/backbone/registry.js';
import { compareTemplates, evaluateBackbone } from '../trainer/backbone/eval-backbone.js';
import { evaluationPath, measureTiming } from '../trainer/backbone/dlib-build.js';
import { dlibAlignSpec, DLIB_TEMPLATE_KINDS } from '../trainer/backbone/dlib-template.js';

const o = new Command()
  .requiredOption('--backbone <id>', `one of ${BACKBONE_IDS.join(', ')}`)
  .option('--templates', 'compare the alignment templates (dlib_resnet): AUC on pairsDevTrain and pairsDevTest')
  .option('--timing', 'ms/image: decode, detect, align, model (onnxruntime-node, 1 thread)')
  .option('--write', 'store the evaluation as models/<backbone>/evaluation.json (read by the build)')
  .option('--data <dir>', 'LFW root')
  .option('--triplets <csv>', 'test triplets', join(repoRoot, 'models/test-triplets.csv'))
  .option('--json', 'print JSON')
  .parse().opts();

const entry = backbone(o.backbone);
const lfw = resolveDataDir(o.data);
const t0 = Date.now();
const log = (m: string) => console.error(`[eval-backbone ${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}`);
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const ci = (c: [number, number]) => `[${c[0].toFixed(4)}, ${c[1].toFixed(4)}]`;

if (o.templates) {
  if (entry.id !== 'dlib_resnet') throw new Error('--templates compares the dlib chip templates: use --backbone dlib_resnet');
  const rows = await compareTemplates({ entry, lfw, aligns: DLIB_TEMPLATE_KINDS.map((k) => [k, dlibAlignSpec(k)]), log });
  if (o.json) console.log(JSON.stringify(rows, null, 2));
  else {
    console.log('| template | points | pairsDevTrain AUC raw | normalised | pairsDevTest AUC raw (95% CI) | normalised (95% CI) | fallbacks |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const tr = r.sets.pairsDevTrain, te = r.sets.pairsDevTest;
      console.log(`| ${r.kind} | ${Object.keys(r.align.template).length} | ${tr.raw.auc.toFixed(4)} | ${tr.unit.auc.toFixed(4)} | ${te.raw.auc.toFixed(4)} ${ci(te.raw.aucCi95)} | ${te.unit.auc.toFixed(4)} ${ci(te.unit.aucCi95)} | ${r.fallbacks} |`);
    }
    for (const r of rows) console.log(`${r.kind}: ${JSON.stringify(r.align.template)}`);
  }
} else if (o.timing) {
  const t = await measureTiming(entry, lfw);
  if (o.json) console.log(JSON.stringify(t, null, 2));
  else for (const [k, v] of Object.entries(t)) console.log(`${k}: ${typeof v === 'number' ? v.toFixed(2) : v}`);
} else {
  const e = await evaluateBackbone({ entry, lfw, tripletsCsv: o.triplets, log });
  if (o.write) {
    const path = evaluationPath(entry);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify({ ...e, date: new Date().toISOString().slice(0, 10) }, null, 2) + '\n');
    log(`wrote ${path}`);
  }
  if (o.json) console.log(JSON.stringify(e, null, 2));
  else {
    console.log(`${entry.name}\ncanvas: ${e.align.source}`);
    console.log('| variant | T (R = −d² >) | T as distance | T as cosine | val CV acc | test CSV acc (800) | pairsDevTest acc | pairsDevTest AUC (95% CI) | View 2 mean ± std | View 2 AUC | EER | TAR@FAR 1e-3 |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const v of e.variants) {
      const r = v.result, t = v.threshold;
      console.log(`| ${v.name} | ${t.score.toFixed(4)} | ${t.distance.toFixed(4)} | ${t.similarity?.toFixed(4) ?? '–'} | ${pct(t.cvMean)} ± ${pct(t.cvStd)} | ${pct(r.testTriplets.accuracy)} | ${pct(r.devTest.accuracy)} | ${r.devTest.auc.toFixed(4)} ${ci(r.devTest.aucCi95)} | ${pct(r.view2.mean)} ± ${pct(r.view2.std)} | ${r.view2.auc.toFixed(4)} | ${pct(r.view2.eer)} | ${r.view2.tarAtFar1e3.toFixed(3)} |`);
    }
    console.log('fallbacks (no face detected → centre framing):');
    for (const [k, f] of Object.entries(e.fallbacks)) console.log(`  ${k}: ${f.fallback} of ${f.images} images${f.examples.length ? ` (e.g. ${f.examples.join(', ')})` : ''}`);
    for (const n of e.notes) console.log(`note: ${n}`);
  }
}
