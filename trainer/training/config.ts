// Training configuration: defaults plus overrides, checked by name and type, so that a run is fully
// described by the config.json written beside its outputs.

/** The distillation terms trainer/training/distill-loss.ts implements. */
export const DISTILL_LOSSES = ['cosine', 'relational'] as const;

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  /** Adam step size at epoch 1; multiplied by lrDecay after every epoch. */
  learningRate: number;
  lrDecay: number;
  /** Triplet margin α on squared distances of unit vectors (range 0..4). */
  margin: number;
  seed: number;
  /** Share of dev-train identities held out for validation and threshold cross-validation. */
  valFraction: number;
  /** Rows of the seeded validation triplet set scored after every epoch. */
  valTriplets: number;
  /** Adaptive sampling: share of anchors given a hard triplet, from epoch hardFromEpoch + 1 on. */
  hardFraction: number;
  hardFromEpoch: number;
  temperature: number;
  neighbours: number;
  /** Hard negatives must be farther than the positive (semi-hard), which guards against collapse. */
  semiHard: boolean;
  /** Standardise features per dimension (train-set mean/std), folded into layer 1 on export. */
  standardize: boolean;
  /** Export the epoch with the best validation accuracy (ties: lower validation loss), not the last one. */
  keepBest: boolean;
  /** Augmentation: every epoch, each training image is seen as its plain or its mirrored features (a coin flip; needs the -flip store). */
  flipViews: boolean;
  /** Distillation weight λ: loss = triplet + λ · distill(student, teacher) (0 = off; needs the teacher store, `trainer teacher`). */
  distillWeight: number;
  /** 'cosine' (1 − cos to the teacher's embedding) or 'relational' (MSE between the batch's cosine matrices). */
  distillLoss: string;
  /** Augmentation: every epoch, each training image is seen as its plain view or one of its first jitterViews jittered views (uniform; rows `<path>#jitter<jitterSeed>.<k>` of both stores). */
  jitterViews: number;
  jitterSeed: number;
}

export const DEFAULT_CONFIG: Readonly<TrainConfig> = Object.freeze({
  epochs: 30,
  batchSize: 64,
  learningRate: 1e-4,
  lrDecay: 0.999,
  margin: 0.2,
  seed: 1,
  valFraction: 0.1,
  valTriplets: 400,
  hardFraction: 0.5,
  hardFromEpoch: 1,
  temperature: 0.1,
  neighbours: 32,
  semiHard: true,
  standardize: true,
  keepBest: true,
  flipViews: false,
  distillWeight: 0,
  distillLoss: 'cosine',
  jitterViews: 0,
  jitterSeed: 1,
});

export function makeConfig(overrides: Partial<Record<keyof TrainConfig, unknown>> = {}): TrainConfig {
  const out: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_CONFIG)) throw new Error(`unknown training option "${k}" (known: ${Object.keys(DEFAULT_CONFIG).join(', ')})`);
    const want = typeof DEFAULT_CONFIG[k as keyof TrainConfig];
    const val = typeof v === 'string' ? (want === 'number' ? Number(v) : want === 'boolean' ? v === 'true' : v) : v;
    if (typeof val !== want || (want === 'number' && !Number.isFinite(val))) throw new Error(`training option ${k} must be a ${want}, got ${JSON.stringify(v)}`);
    out[k] = val;
  }
  const c = out as unknown as TrainConfig;
  if (c.epochs < 0 || c.batchSize < 1 || c.learningRate <= 0) throw new Error('epochs ≥ 0, batchSize ≥ 1 and learningRate > 0 required');
  if (c.hardFraction < 0 || c.hardFraction > 1 || c.valFraction <= 0 || c.valFraction >= 1) throw new Error('hardFraction in [0, 1] and valFraction in (0, 1) required');
  if (c.distillWeight < 0 || !(DISTILL_LOSSES as readonly string[]).includes(c.distillLoss)) throw new Error(`distillWeight ≥ 0 and distillLoss one of ${DISTILL_LOSSES.join(', ')} required`);
  if (!Number.isInteger(c.jitterViews) || c.jitterViews < 0) throw new Error('jitterViews must be a whole number ≥ 0');
  if (c.jitterViews > 0 && c.flipViews) throw new Error('flipViews and jitterViews do not combine (one view per image and epoch)');
  return c;
}

/** Parses CLI `--set key=value` pairs into overrides. */
export function parseSets(sets: string[]): Record<string, string> {
  return Object.fromEntries(sets.map((s) => {
    const i = s.indexOf('=');
    if (i < 1) throw new Error(`--set expects key=value, got "${s}"`);
    return [s.slice(0, i), s.slice(i + 1)];
  }));
}

/** Settings that differ between two configs (used to warn when a resumed run changed them). */
export function configDiff(a: TrainConfig, b: TrainConfig): string[] {
  return (Object.keys(DEFAULT_CONFIG) as (keyof TrainConfig)[]).filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k]} → ${b[k]}`);
}
