// Command line for the offline trainer: a thin commander layer over the library functions.
//   npx tsx trainer/cli.ts <test-set|features|teacher|train|export|threshold|evaluate|report> [options]
// Logs go to stderr; the result goes to stdout (as JSON with --json). Progress bars only on a TTY.
import { Command, Option } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { repoRoot, resolveDataDir } from '../paths.js';
import { FeatureStore } from './features/store.js';
import { CACHE_ROOT } from './features/cache-root.js';
import { indexImages, readPeople } from './data/lfw.js';
import { pick } from './data/splits.js';
import { makeTestTriplets, tripletsToCsv } from './data/test-set.js';
import { makeConfig, parseSets, type TrainConfig } from './training/config.js';
import { trainOnStore } from './training/train-store.js';
import { evaluateStep, exportStep, reportStep, thresholdStep } from './run/run-steps.js';
import { readRunHead } from './run/run-dir.js';
import { progressBar, wantProgress } from './run/progress.js';

interface Opts {
  data?: string; features?: string; run: string; out: string; json?: boolean; rows?: number; seed?: number;
  epochs?: number; lr?: number; batchSize?: number; margin?: number; hardFraction?: number; set: string[];
  fresh?: boolean; flip?: boolean; trainPerFold?: boolean; triplets: string;
}

const num = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${v}`);
  return n;
};

/** Every option once; subcommands pick theirs by name. */
const OPTIONS: { [K in keyof Opts]-?: () => Option } = {
  data: () => new Option('--data <dir>', 'LFW root (default: $FACES_DIR, else ../shared/data/lfw)'),
  features: () => new Option('--features <dir>', 'feature store folder (default: the head\'s store under the feature cache)'),
  run: () => new Option('--run <dir>', 'training run folder').default('out/head'),
  out: () => new Option('--out <file>', 'output file').default('models/test-triplets.csv'),
  json: () => new Option('--json', 'print the result as JSON on stdout'),
  rows: () => new Option('--rows <n>', 'triplet rows to draw (default: 400 for test-set, 1000 for threshold)').argParser(num),
  seed: () => new Option('--seed <n>', 'random seed (default 1)').argParser(num),
  epochs: () => new Option('--epochs <n>', 'training epochs').argParser(num),
  lr: () => new Option('--lr <x>', 'Adam learning rate at epoch 1').argParser(num),
  batchSize: () => new Option('--batch-size <n>', 'triplets per minibatch').argParser(num),
  margin: () => new Option('--margin <x>', 'triplet margin α').argParser(num),
  hardFraction: () => new Option('--hard-fraction <x>', 'share of hard triplets after the first epoch').argParser(num),
  set: () => new Option('--set <key=value...>', 'any other training setting (see config.ts)').default([]),
  fresh: () => new Option('--fresh', 'ignore an existing checkpoint and start over'),
  flip: () => new Option('--flip', 'flip TTA: average with the mirrored image (needs the <store>-flip folder)'),
  trainPerFold: () => new Option('--train-per-fold', 'View 2: train a head per fold (slow)'),
  triplets: () => new Option('--triplets <csv>', 'test triplets').default('models/test-triplets.csv'),
};

const program = new Command('trainer').description('Offline trainer of the face-embedding head').showHelpAfterError();
const log = (m: string) => console.error(m);

function command(name: string, description: string, keys: (keyof Opts)[], action: (o: Opts) => Promise<unknown>) {
  const cmd = program.command(name).description(description);
  for (const k of keys) cmd.addOption(OPTIONS[k]());
  cmd.action(async (o: Opts) => print(await action(o), o.json));
}

function print(result: unknown, json?: boolean) {
  if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else if (typeof result === 'string') process.stdout.write(result + '\n');
  else for (const [k, v] of Object.entries(result as object)) process.stdout.write(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}\n`);
}

const fromRepo = (p: string) => resolve(repoRoot, p);

/** `--set` pairs checked and typed against the config (unknown keys and bad values throw), only those keys kept. */
function makeConfigPatch(sets: Record<string, string>): Partial<TrainConfig> {
  const full = makeConfig(sets);
  return Object.fromEntries(Object.keys(sets).map((k) => [k, full[k as keyof TrainConfig]])) as Partial<TrainConfig>;
}

function openStores(o: Opts) {
  const key = o.features ? undefined : readRunHead(fromRepo(o.run)).meta.featureKey;
  const dir = o.features ? resolve(o.features) : join(CACHE_ROOT, String(key));
  if (!existsSync(join(dir, 'meta.json'))) throw new Error(`no feature store at ${dir} (pass --features <dir>, or run the features step)`);
  const store = FeatureStore.read(dir);
  if (!o.flip) return { store };
  if (!existsSync(join(dir + '-flip', 'meta.json'))) throw new Error(`--flip needs the mirrored store ${dir}-flip`);
  return { store, flipStore: FeatureStore.read(dir + '-flip') };
}

command('test-set', 'draw the fixed test triplets from peopleDevTest identities (CSV)', ['data', 'out', 'rows', 'seed', 'json'], async (o) => {
  const lfw = resolveDataDir(o.data);
  const ids = pick(indexImages(lfw.images), readPeople(lfw.file('peopleDevTest.txt'))[0]);
  const seed = o.seed ?? 1;
  const ts = makeTestTriplets(ids, o.rows ?? 400, seed);
  const out = fromRepo(o.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, tripletsToCsv(ts));
  return { out, rows: ts.length, identities: ids.size, seed };
});

program.command('features').description('extract and cache backbone features (owned by trainer/features)').allowUnknownOption().allowExcessArguments()
  .action(async () => {
    const spec: string = './features/extract.js'; // loaded lazily: it pulls in onnxruntime
    const mod = await import(spec);
    if (typeof mod.featuresCommand !== 'function') throw new Error('features: not wired yet (trainer/features/extract.ts should export featuresCommand(argv: string[]))');
    await mod.featuresCommand(process.argv.slice(process.argv.indexOf('features') + 1));
  });

program.command('teacher').description('distillation targets: dlib_resnet embeddings of the training images (+ --views K jittered views in both stores), then of every other image').allowUnknownOption().allowExcessArguments()
  .action(async () => {
    const spec: string = './features/teacher.js'; // loaded lazily: it pulls in onnxruntime
    await (await import(spec)).teacherCommand(process.argv.slice(process.argv.indexOf('teacher') + 1));
  });

command('train', 'train the head on cached features (resumes from <run>/checkpoint); --set flipViews=true also trains on the mirrored store', ['features', 'data', 'run', 'epochs', 'lr', 'batchSize', 'margin', 'hardFraction', 'seed', 'set', 'fresh', 'json'], async (o) => {
  if (!o.features) throw new Error('train needs --features <store folder>');
  const sets = parseSets(o.set);
  const { store, flipStore } = openStores({ ...o, flip: sets.flipViews === 'true' });
  const overrides: Partial<Record<keyof TrainConfig, unknown>> = {
    ...sets, epochs: o.epochs, learningRate: o.lr, batchSize: o.batchSize, margin: o.margin, hardFraction: o.hardFraction, seed: o.seed,
  };
  const bar = progressBar('epoch', wantProgress(o.json));
  const c = makeConfig(overrides);
  const spec: string = './features/teacher.js'; // loaded lazily: it pulls in onnxruntime
  const teacher = c.distillWeight > 0 || c.jitterViews > 0 ? (await import(spec)).teacherFor(store, c.jitterSeed) : undefined;
  const r = await trainOnStore(store, resolveDataDir(o.data), overrides as Partial<TrainConfig>, {
    outDir: fromRepo(o.run), resume: !o.fresh, log: (m) => { bar.end(); log(m); }, onBatch: bar, teacher,
  }, flipStore);
  bar.end();
  return { run: fromRepo(o.run), final: r.metrics.at(-1) ?? null, baseline: r.baseline };
});

command('export', 'store the run\'s head as float16, the precision that is committed (run it before threshold and evaluate so they measure those weights)', ['run', 'json'], async (o) =>
  exportStep(fromRepo(o.run)));

command('threshold', 'choose T by 10-fold CV on validation identities and record it in the head', ['run', 'features', 'data', 'flip', 'rows', 'json'], async (o) => {
  const t = await thresholdStep({ run: fromRepo(o.run), lfw: resolveDataDir(o.data), ...openStores(o), log }, o.rows ?? 1000);
  const { folds: _f, ...rest } = t;
  return rest;
});

command('evaluate', 'test triplets, pairsDevTest and LFW View 2, beside the raw-feature baseline (--set changes the per-fold trainings of --train-per-fold)', ['run', 'features', 'data', 'flip', 'triplets', 'trainPerFold', 'set', 'json'], async (o) => {
  const perFoldSettings = makeConfigPatch(parseSets(o.set));
  const e = await evaluateStep({ run: fromRepo(o.run), lfw: resolveDataDir(o.data), ...openStores(o), tripletsCsv: fromRepo(o.triplets), trainPerFold: o.trainPerFold, perFoldSettings, log });
  const methods = e.methods.map(({ distances: _d, ...m }) => m);
  return o.json ? { ...e, methods } : Object.fromEntries(methods.map((m) => [m.name,
    `T ${m.threshold.toFixed(4)} | test triplets ${(100 * m.testTriplets.accuracy).toFixed(2)}% loss ${m.testTriplets.loss.toFixed(4)} | pairsDevTest ${(100 * m.devTest.accuracy).toFixed(2)}% | View 2 ${(100 * m.view2.mean).toFixed(2)} ± ${(100 * m.view2.std).toFixed(2)}% AUC ${m.view2.auc.toFixed(4)} EER ${(100 * m.view2.eer).toFixed(2)}%`]));
});

command('report', 'write <run>/report.html (curves, ROC, distance histograms, the served model\'s identification DET)', ['run', 'json'], async (o) => ({ report: reportStep(fromRepo(o.run)) }));

program.parseAsync().catch((e: Error) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
