// npm run deploy — from a Cloudflare account to a live verifier in one command:
//   1. wrangler whoami (fails early, with what to do, when not logged in)
//   2. builds the model if models/build is missing or stale (scripts/build-model.ts); --backbone <id>
//      picks another registered backbone's manifest (trainer/backbone/ids.ts, e.g. dlib_resnet →
//      models/dlib_resnet/manifest.json); InceptionV3 (models/manifest.json) is the default
//   3. R2 bucket: `wrangler r2 bucket list`, created when absent
//   4. KV namespace "<worker>-GALLERY": `wrangler kv namespace list`, created when absent; its id is captured
//      (--gallery vectorize) the model version's Vectorize indexes, `wrangler vectorize create <name>
//      --dimensions=<d> --metric=cosine` for each shard absent from `wrangler vectorize list`
//      (edge/src/gallery/vectorize/layout.ts names them); --keep-gallery-version keeps an older
//      version's indexes bound (readable) until its identities are re-enrolled
//   5. model + manifest to R2 (edge/scripts/upload-model.mjs, the code that seeds local R2 too)
//   6. a deploy config generated from wrangler.toml (which stays a template): real KV id, bucket,
//      worker name, MODEL_MANIFEST_KEY, the gallery backend and its Vectorize bindings; Durable Object bindings and migrations copied as they are,
//      applied by `wrangler deploy` itself. Written to .wrangler/deploy/ (git-ignored).
//   7. secrets ADMIN_TOKEN, API_KEYS and EMBEDDING_KEYS with `wrangler secret put` (stdin): from the
//      environment variables of those names or the flags; existing ones are kept; otherwise random ones,
//      printed once (or --secrets-file). EMBEDDING_KEYS (the AES-256 key that seals embeddings at rest)
//      is checked before anything runs, and never replaced by --rotate-secrets: a lost key is a lost
//      gallery, so its rotation adds a key (SECURITY.md)
//   8. wrangler deploy, then GET <url>/v1/health?load=1 until the model is loaded
// --dry-run makes no account call: it prints the account commands in order, seeds LOCAL R2 with the
// same upload function, and runs `wrangler deploy --dry-run --outdir` on the generated config.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { experimental_readRawConfig } from 'wrangler';
import { modelIsBuilt } from '../models/node/load.js';
import { BACKBONE_IDS, buildArgs, checkBackboneId, DEFAULT_BACKBONE, manifestOf } from '../trainer/backbone/ids.js';
import { repoRoot } from '../paths.js';
import { uploadModel, type UploadPlan } from '../edge/scripts/upload-model.mjs';
import { bindingName, indexName } from '../edge/src/gallery/vectorize/layout.js';
import { readManifest } from '../models/node/load.js';
import { embeddingKeyEntry, embeddingKeyIds } from './lib/embedding-key.js';

/** Workers Paid limit on the compressed script (Free: 3 MiB). */
export const GZIP_LIMIT = 10 * 1024 * 1024;
const SECRETS = ['ADMIN_TOKEN', 'API_KEYS', 'EMBEDDING_KEYS'] as const;
type SecretName = (typeof SECRETS)[number];

export interface DeployOptions {
  dryRun: boolean;
  env?: string;
  name?: string;
  bucket?: string;
  json: boolean;
  /** The template (default wrangler.toml). */
  config: string;
  configOut?: string;
  /** --dry-run: where `wrangler deploy --dry-run` writes the bundle. */
  outdir?: string;
  /** --dry-run: local R2 state (wrangler's --persist-to); default wrangler's own .wrangler/state. */
  persistTo?: string;
  prefix: string;
  /** Registered backbone whose manifest is deployed (default inception_v3). */
  backbone?: string;
  secretsFile?: string;
  adminToken?: string;
  apiKeys?: string;
  /** EMBEDDING_KEYS to set ("kid:base64key,…", first current). */
  embeddingKeys?: string;
  rotateSecrets: boolean;
  allowAuthDisabled: boolean;
  healthTimeoutS: number;
  /** Identify's gallery: the packed KV scan (default) or Vectorize indexes. */
  gallery?: 'kv' | 'vectorize';
  /** Vectorize indexes per model version (identities hashed across them; layout.ts shardsFor). */
  galleryShards?: number;
  /** Older model versions whose indexes stay bound (readable) during a model switch. */
  keepGalleryVersions?: string[];
}

export interface GalleryIndex { binding: string; index_name: string; modelVersion: string; shard: number; create: boolean }

export interface Command_ {
  /** Arguments after `npx wrangler`. */
  args: string[];
  /** Calls Cloudflare's API (never run by --dry-run). */
  account: boolean;
  /** What goes to stdin, described (never the value). */
  stdin?: string;
  /** A condition, e.g. "if absent". */
  when?: string;
  ran: boolean;
}

export interface Bundle { files: string[]; raw: number; gzip: number; wranglerRawKiB: number | null; wranglerGzipKiB: number | null; limit: number }

export interface DeployResult {
  dryRun: boolean;
  env: string | null;
  name: string;
  bucket: string;
  kvTitle: string;
  /** null in a dry run: the template's placeholder id is used. */
  kvId: string | null;
  modelVersion: string;
  manifestKey: string;
  config: string;
  durableObjects: string[];
  migrations: string[];
  commands: Command_[];
  gallery: { backend: 'kv' | 'vectorize'; dimensions: number | null; indexes: GalleryIndex[] };
  bundle?: Bundle;
  localR2?: { persistTo: string | null; bucket: string; keys: string[] };
  url?: string | null;
  health?: unknown;
  secrets?: Partial<Record<SecretName, string>>;
  secretsSource?: Record<SecretName, 'given' | 'kept' | 'generated'>;
  secretsFile?: string;
}

export class DeployError extends Error {}

type Raw = Record<string, any>;

const show = (c: Pick<Command_, 'args' | 'stdin' | 'when'>) =>
  `npx wrangler ${c.args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')}${c.stdin ? ` < ${c.stdin}` : ''}${c.when ? `   # ${c.when}` : ''}`;

function tail(s: string, n = 15) {
  return s.trim().split('\n').slice(-n).join('\n');
}

/** Runs `npx wrangler …` in the repo root; throws DeployError with its output when it fails. */
export function runWrangler(args: string[], input?: string): string {
  const r = spawnSync('npx', ['wrangler', ...args], {
    cwd: repoRoot, input, encoding: 'utf8', maxBuffer: 64 << 20,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  if (r.error) throw new DeployError(`could not run wrangler: ${r.error.message}`);
  if (r.status !== 0) throw new DeployError(`\`${show({ args })}\` failed (exit ${r.status}):\n${tail(`${r.stdout}\n${r.stderr}`)}`);
  return r.stdout;
}

/** The generated deploy config: the template with the real ids, names and manifest key. */
export function generateConfig(raw: Raw, t: { env?: string; name?: string; bucket: string; kvId: string; manifestKey: string; configDir: string; gallery?: GalleryIndex[] }): Raw {
  const c: Raw = structuredClone(raw);
  if (typeof c.main === 'string') c.main = relative(t.configDir, resolve(repoRoot, c.main));
  const s: Raw | undefined = t.env ? c.env?.[t.env] : c;
  if (!s) throw new DeployError(`the template has no [env.${t.env}] section`);
  if (t.name) s.name = t.name;
  const r2 = (s.r2_buckets ?? []).find((b: Raw) => b.binding === 'MODELS');
  if (!r2) throw new DeployError(`the template has no MODELS R2 binding${t.env ? ` in [env.${t.env}]` : ''}`);
  r2.bucket_name = t.bucket;
  const kv = (s.kv_namespaces ?? []).find((k: Raw) => k.binding === 'GALLERY');
  if (!kv) throw new DeployError(`the template has no GALLERY KV binding${t.env ? ` in [env.${t.env}]` : ''}`);
  kv.id = t.kvId;
  s.vars = { ...s.vars, MODEL_MANIFEST_KEY: t.manifestKey };
  if (t.gallery?.length) {
    const byVersion: Record<string, string[]> = {};
    for (const g of t.gallery) {
      byVersion[g.modelVersion] ??= [];
      byVersion[g.modelVersion][g.shard] = g.binding;
    }
    s.vectorize = [...(s.vectorize ?? []), ...t.gallery.map((g) => ({ binding: g.binding, index_name: g.index_name }))];
    s.vars = { ...s.vars, GALLERY_BACKEND: 'vectorize', GALLERY_VECTORIZE_INDEXES: JSON.stringify(byVersion) };
  }
  return c;
}

/** The Vectorize indexes a deploy binds: the serving version's shards (created if absent), then kept versions'. */
export function galleryIndexes(worker: string, modelVersion: string, shards: number, keep: string[] = []): GalleryIndex[] {
  if (!Number.isInteger(shards) || shards < 1) throw new DeployError(`--gallery-shards must be a positive integer, got ${shards}`);
  const versions = [modelVersion, ...keep.filter((v) => v !== modelVersion)];
  return versions.flatMap((v, k) => Array.from({ length: shards }, (_, shard) => ({
    binding: bindingName(k * shards + shard), index_name: indexName(worker, v, shard), modelVersion: v, shard, create: k === 0,
  })));
}

/** Worker name, bucket and KV title for the target environment, from the template and flags. */
export function resolveTarget(raw: Raw, o: Pick<DeployOptions, 'env' | 'name' | 'bucket'>) {
  const s: Raw | undefined = o.env ? raw.env?.[o.env] : raw;
  if (!s) throw new DeployError(`the template has no [env.${o.env}] section (environments: ${Object.keys(raw.env ?? {}).join(', ') || 'none'})`);
  const name: string = o.name ?? s.name ?? (o.env ? `${raw.name}-${o.env}` : raw.name);
  if (!name) throw new DeployError('no worker name: set `name` in the template or pass --name');
  const bucket: string | undefined = o.bucket ?? (s.r2_buckets ?? []).find((b: Raw) => b.binding === 'MODELS')?.bucket_name;
  if (!bucket) throw new DeployError('no R2 bucket: the template has no MODELS binding; pass --bucket');
  const templateKvId: string | undefined = (s.kv_namespaces ?? []).find((k: Raw) => k.binding === 'GALLERY')?.id;
  return { section: s, name, bucket, kvTitle: `${name}-GALLERY`, templateKvId: templateKvId ?? '0'.repeat(32) };
}

/** Total raw and gzip -9 bytes of what `wrangler deploy --dry-run --outdir` wrote (source maps excluded). */
export function measureBundle(outdir: string, wranglerOut: string): Bundle {
  const files = readdirSync(outdir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.endsWith('.map') && d.name !== 'README.md')
    .map((d) => join(d.parentPath, d.name));
  let raw = 0, gzip = 0;
  for (const f of files) {
    const b = readFileSync(f);
    raw += b.length;
    gzip += gzipSync(b, { level: 9 }).length;
  }
  const m = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(wranglerOut);
  return { files: files.map((f) => relative(outdir, f)), raw, gzip, wranglerRawKiB: m ? Number(m[1]) : null, wranglerGzipKiB: m ? Number(m[2]) : null, limit: GZIP_LIMIT };
}

function randomSecret(name: SecretName) {
  if (name === 'EMBEDDING_KEYS') return embeddingKeyEntry('k');
  return name === 'ADMIN_TOKEN' ? randomBytes(32).toString('hex') : randomBytes(24).toString('base64url');
}

/** The format edge/src/crypto/keyring.ts reads: "kid:key" entries, kid 1–32 of [A-Za-z0-9_.-], key 32 bytes of base64. */
export function checkEmbeddingKeys(value: string): void {
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  if (!entries.length) throw new DeployError('EMBEDDING_KEYS is empty');
  const ids = embeddingKeyIds(value);
  entries.forEach((e, i) => {
    if (!/^[A-Za-z0-9_.-]{1,32}$/.test(ids[i])) throw new DeployError(`EMBEDDING_KEYS entry ${i + 1} is not "kid:base64key" with a kid of 1–32 letters, digits, "_", "." or "-"`);
    if (Buffer.from(e.slice(e.indexOf(':') + 1), 'base64').length !== 32) throw new DeployError(`EMBEDDING_KEYS: the key of "${ids[i]}" is not 32 bytes of base64 (openssl rand -base64 32)`);
  });
  if (new Set(ids).size !== ids.length) throw new DeployError('EMBEDDING_KEYS lists a key id twice');
}

/** Refuses a secrets file that git would pick up, or one that exists already. */
function checkSecretsFile(path: string) {
  if (existsSync(path)) throw new DeployError(`--secrets-file ${path} exists; give a new path (it is never overwritten)`);
  const rel = relative(repoRoot, path);
  if (!rel.startsWith('..') && !isAbsolute(rel)) {
    const r = spawnSync('git', ['check-ignore', '-q', rel], { cwd: repoRoot });
    if (r.status !== 0) throw new DeployError(`--secrets-file ${rel} is inside the repository and not git-ignored; put it outside or in an ignored folder (e.g. .wrangler/)`);
  }
}

export async function deploy(o: DeployOptions, log: (m: string) => void = (m) => console.error(m)): Promise<DeployResult> {
  if (o.embeddingKeys) checkEmbeddingKeys(o.embeddingKeys);
  const commands: Command_[] = [];
  /** An account call: recorded; run unless dry. */
  const account = (args: string[], x: { input?: string; stdin?: string; when?: string; simulate?: string } = {}): string => {
    const c: Command_ = { args, account: true, ran: !o.dryRun, ...(x.stdin ? { stdin: x.stdin } : {}), ...(x.when ? { when: x.when } : {}) };
    commands.push(c);
    log(`${o.dryRun ? 'would run' : '$'} ${show(c)}`);
    return o.dryRun ? (x.simulate ?? '') : runWrangler(args, x.input);
  };
  /** A local call (no account): always run, recorded. */
  const local = (args: string[]): string => {
    const c: Command_ = { args, account: false, ran: true };
    commands.push(c);
    log(`$ ${show(c)}`);
    return runWrangler(args);
  };

  // 1. Logged in? (wrangler whoami --json exits non-zero when not.)
  try {
    account(['whoami', '--json']);
  } catch (e) {
    throw new DeployError(`not logged in to Cloudflare: run \`npx wrangler login\` (or set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID) and try again.\n${(e as Error).message}`);
  }

  // 2. The model.
  const manifest = manifestOf(o.backbone);
  if (!modelIsBuilt(manifest)) {
    log(`building the model (npx ${buildArgs(o.backbone).join(' ')}) …`);
    const r = spawnSync('npx', buildArgs(o.backbone), { cwd: repoRoot, stdio: ['ignore', 2, 2] });
    if (r.status !== 0 || !modelIsBuilt(manifest)) throw new DeployError('scripts/build-model.ts failed; see its output above');
  }

  // The template and the target.
  const templatePath = resolve(repoRoot, o.config);
  const raw: Raw = experimental_readRawConfig({ config: templatePath }).rawConfig as Raw;
  const t = resolveTarget(raw, o);
  const targetLabel = o.env ?? 'production';
  const configPath = resolve(repoRoot, o.configOut ?? `.wrangler/deploy/wrangler.${targetLabel}.jsonc`);
  const envArgs = ['--env', o.env ?? ''];
  const cfgArgs = ['--config', configPath, ...envArgs];
  const authDisabled = String(t.section.vars?.AUTH_DISABLED) === 'true';
  if (authDisabled) {
    const m = `[${o.env ? `env.${o.env}` : 'top level'}] sets AUTH_DISABLED = "true": the deployed API would answer without an API key`;
    if (!o.dryRun && !o.allowAuthDisabled) throw new DeployError(`${m}. Deploy another environment, or pass --allow-auth-disabled if that is really meant.`);
    log(`warning: ${m}`);
  }
  if (o.secretsFile) checkSecretsFile(resolve(o.secretsFile));

  // 3. R2 bucket.
  const buckets = account(['r2', 'bucket', 'list']);
  if (o.dryRun || !new RegExp(`^name:\\s+${t.bucket.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'm').test(buckets)) {
    account(['r2', 'bucket', 'create', t.bucket], { when: o.dryRun ? 'if absent from the list' : undefined });
  } else log(`R2 bucket ${t.bucket} exists`);

  // 4. KV namespace.
  const findKv = (out: string): string | null => {
    let list: { id: string; title: string }[];
    try {
      list = JSON.parse(out.slice(out.indexOf('[')));
    } catch {
      throw new DeployError(`could not read \`wrangler kv namespace list\` output:\n${tail(out)}`);
    }
    return list.find((n) => n.title === t.kvTitle)?.id ?? null;
  };
  let kvId: string | null = null;
  const kvList = account(['kv', 'namespace', 'list'], { simulate: '[]' });
  if (!o.dryRun) kvId = findKv(kvList);
  if (kvId) log(`KV namespace ${t.kvTitle} exists: ${kvId}`);
  else {
    const created = account(['kv', 'namespace', 'create', t.kvTitle], { when: o.dryRun ? 'if no namespace has this title' : undefined });
    if (!o.dryRun) {
      kvId = /\bid\s*[=:]\s*"([0-9a-f]{32})"/.exec(created)?.[1] ?? findKv(runWrangler(['kv', 'namespace', 'list']));
      if (!kvId) throw new DeployError(`created KV namespace ${t.kvTitle} but found no id in:\n${tail(created)}`);
    }
  }

  // 4b. Vectorize indexes (one per model version and shard: dimensions and metric are fixed at creation).
  const served = readManifest(manifest), dimensions = served.output.embeddingSize;
  const gallery = o.gallery === 'vectorize' ? galleryIndexes(t.name, served.modelVersion, o.galleryShards ?? 1, o.keepGalleryVersions) : [];
  if (gallery.length) {
    const listed = account(['vectorize', 'list', '--json'], { simulate: '[]' });
    const existing = new Map(o.dryRun ? [] : (JSON.parse(listed.slice(listed.indexOf('['))) as { name: string; config?: { dimensions?: number; metric?: string } }[]).map((x) => [x.name, x.config]));
    for (const g of gallery) {
      const found = existing.get(g.index_name);
      if (found && g.create && (found.dimensions !== dimensions || found.metric !== 'cosine'))
        throw new DeployError(`Vectorize index ${g.index_name} exists with ${found.dimensions} dimensions, ${found.metric}; the model needs ${dimensions}, cosine (an index's configuration cannot change: delete it or deploy another worker name)`);
      if (existing.has(g.index_name)) log(`Vectorize index ${g.index_name} exists`);
      else if (!g.create) {
        if (!o.dryRun) throw new DeployError(`--keep-gallery-version ${g.modelVersion}: no Vectorize index ${g.index_name} in this account`);
        log(`would bind Vectorize index ${g.index_name} (${g.modelVersion}), which must exist`);
      }
      else account(['vectorize', 'create', g.index_name, `--dimensions=${dimensions}`, '--metric=cosine'], { when: o.dryRun ? 'if absent from the list' : undefined });
    }
  }

  // 5. Model + manifest to R2 (remote; a dry run seeds local R2 with the same function instead).
  const upload = (remote: boolean): UploadPlan => uploadModel({
    bucket: t.bucket, prefix: o.prefix, manifest, remote, env: o.env, persistTo: remote ? undefined : o.persistTo,
    exec: (args) => (remote ? account(args) : local(args)), log,
  });
  const plan = upload(true);
  let localR2: DeployResult['localR2'];
  if (o.dryRun) {
    upload(false);
    localR2 = { persistTo: o.persistTo ?? null, bucket: t.bucket, keys: plan.objects.map((x) => x.key) };
  }

  // 6. The deploy config.
  const config = generateConfig(raw, { env: o.env, name: o.name, bucket: t.bucket, kvId: kvId ?? t.templateKvId, manifestKey: plan.manifestKey, configDir: dirname(configPath), gallery });
  mkdirSync(dirname(configPath), { recursive: true });
  writeFileSync(configPath, `// Generated by scripts/deploy.ts from ${relative(dirname(configPath), templatePath)} for ${targetLabel}${kvId ? '' : ' (dry run: template KV id)'}; not committed, rewritten each run.\n${JSON.stringify(config, null, 2)}\n`);
  log(`deploy config: ${relative(repoRoot, configPath)}`);

  // 7. Secrets (before the deploy: wrangler refuses a new Worker whose [secrets].required are unset).
  const given: Partial<Record<SecretName, string>> = { ADMIN_TOKEN: o.adminToken, API_KEYS: o.apiKeys, EMBEDDING_KEYS: o.embeddingKeys };
  let existing: string[] = [];
  const listed = (() => {
    try {
      return account(['secret', 'list', '--format', 'json', ...cfgArgs], { simulate: '[]' });
    } catch (e) {
      if (/not found|does not exist|10007/i.test((e as Error).message)) return '[]';
      throw e;
    }
  })();
  if (!o.dryRun) existing = (JSON.parse(listed.slice(listed.indexOf('['))) as { name: string }[]).map((s) => s.name);
  const shown: Partial<Record<SecretName, string>> = {};
  const source = {} as Record<SecretName, 'given' | 'kept' | 'generated'>;
  for (const name of SECRETS) {
    // Replacing the embedding key would make every stored embedding unreadable: rotation adds a key instead.
    const replaceable = name !== 'EMBEDDING_KEYS';
    if (given[name]) source[name] = 'given';
    else if (existing.includes(name) && (!o.rotateSecrets || !replaceable)) source[name] = 'kept';
    else source[name] = 'generated';
    if (source[name] === 'kept') {
      log(`secret ${name} exists; kept (${replaceable ? '--rotate-secrets replaces it' : 'never replaced by --rotate-secrets: rotate it by adding a key, SECURITY.md'})`);
      continue;
    }
    const value = given[name] ?? randomSecret(name);
    if (source[name] === 'generated') shown[name] = value;
    account(['secret', 'put', name, ...cfgArgs], {
      input: `${value}\n`, stdin: `${name} (${source[name]}${o.dryRun && source[name] === 'generated' ? ' when run' : ''})`,
      when: o.dryRun ? 'unless the Worker has it already' : undefined,
    });
  }

  // 8. Deploy.
  const result: DeployResult = {
    dryRun: o.dryRun, env: o.env ?? null, name: t.name, bucket: t.bucket, kvTitle: t.kvTitle, kvId,
    modelVersion: plan.modelVersion, manifestKey: plan.manifestKey, config: configPath,
    durableObjects: ((t.section.durable_objects?.bindings ?? []) as Raw[]).map((b) => `${b.name} → ${b.class_name}`),
    migrations: ((raw.migrations ?? []) as Raw[]).map((m) => m.tag), commands, localR2, secretsSource: source,
    gallery: { backend: o.gallery ?? 'kv', dimensions: gallery.length ? dimensions : null, indexes: gallery },
  };
  const deployArgs = ['deploy', ...cfgArgs];
  if (o.dryRun) {
    account(deployArgs);
    const outdir = resolve(repoRoot, o.outdir ?? `.wrangler/deploy/bundle-${targetLabel}`);
    const out = local([...deployArgs, '--dry-run', '--outdir', outdir]);
    result.bundle = measureBundle(outdir, out);
    const b = result.bundle;
    log(`bundle: ${(b.raw / 2 ** 20).toFixed(2)} MiB raw, ${(b.gzip / 2 ** 20).toFixed(2)} MiB gzip -9 (wrangler: ${b.wranglerRawKiB} KiB / gzip ${b.wranglerGzipKiB} KiB; limit ${GZIP_LIMIT / 2 ** 20} MiB gzip)`);
    if (b.gzip > GZIP_LIMIT) throw new DeployError(`the bundle is ${(b.gzip / 2 ** 20).toFixed(2)} MiB gzip, over the ${GZIP_LIMIT / 2 ** 20} MiB limit`);
    // Not set by a dry run, so not shown either.
    return result;
  }
  const out = account(deployArgs);
  result.url = /https:\/\/[^\s]+\.workers\.dev/.exec(out)?.[0] ?? null;
  if (shown.EMBEDDING_KEYS) log('EMBEDDING_KEYS was generated: keep a copy somewhere safe. Without it no stored embedding can be read, and everyone must be enrolled again.');
  if (shown.ADMIN_TOKEN || shown.API_KEYS || shown.EMBEDDING_KEYS) {
    if (o.secretsFile) {
      writeFileSync(resolve(o.secretsFile), Object.entries(shown).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600, flag: 'wx' });
      result.secretsFile = resolve(o.secretsFile);
    } else result.secrets = shown;
  }

  // 9. Health.
  if (!result.url) {
    log('warning: no workers.dev URL in the wrangler deploy output (no workers.dev subdomain, or routes only): health not checked');
    return result;
  }
  const deadline = Date.now() + o.healthTimeoutS * 1000;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${result.url}/v1/health?load=1`);
      last = await r.json().catch(() => `HTTP ${r.status}`);
      const h = last as { status?: string; model?: { loaded?: boolean; modelVersion?: string } };
      if (r.ok && h.status === 'ok' && h.model?.loaded && h.model.modelVersion === plan.modelVersion) {
        result.health = last;
        log(`live: ${result.url}/v1/health → ${JSON.stringify(last)}`);
        return result;
      }
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 3000));
  }
  throw Object.assign(new DeployError(`${result.url}/v1/health did not report model ${plan.modelVersion} loaded within ${o.healthTimeoutS} s; last answer: ${JSON.stringify(last)}`), { result });
}

function checkGallery(v: string): 'kv' | 'vectorize' {
  if (v !== 'kv' && v !== 'vectorize') throw new DeployError(`--gallery must be kv or vectorize, got ${v}`);
  return v;
}

function printHuman(r: DeployResult) {
  const lines = [r.dryRun ? `dry run for ${r.env ?? 'production'}: no account call was made` : `deployed ${r.name}${r.url ? ` at ${r.url}` : ''}`];
  if (r.dryRun) {
    lines.push('account commands, in order:');
    for (const c of r.commands.filter((x) => x.account)) lines.push(`  ${show(c)}`);
    if (r.localR2) lines.push(`local R2 (${r.localR2.persistTo ?? '.wrangler/state'}) bucket ${r.localR2.bucket}: ${r.localR2.keys.join(', ')}`);
    if (r.bundle) lines.push(`bundle: wrangler ${r.bundle.wranglerRawKiB} KiB / gzip ${r.bundle.wranglerGzipKiB} KiB (limit ${r.bundle.limit / 1024} KiB gzip)`);
  }
  lines.push(`config: ${relative(process.cwd(), r.config)}`, `MODEL_MANIFEST_KEY: ${r.manifestKey}`, `KV ${r.kvTitle}: ${r.kvId ?? '(created on a real run)'}`,
    `Durable Objects: ${r.durableObjects.join(', ') || 'none'}; migrations: ${r.migrations.join(', ') || 'none'}`,
    `gallery: ${r.gallery.backend}${r.gallery.indexes.map((g) => `\n  ${g.binding} → Vectorize ${g.index_name} (${g.modelVersion}, shard ${g.shard})`).join('')}`);
  if (r.secretsFile) lines.push(`generated secrets written to ${r.secretsFile} (mode 600)`);
  if (r.secrets) {
    lines.push('generated secrets (shown once, stored nowhere else; the API key goes in `x-api-key`, the admin token as a bearer token):');
    for (const [k, v] of Object.entries(r.secrets)) lines.push(`  ${k}=${v}`);
  }
  console.log(lines.join('\n'));
}

export function cli(argv = process.argv) {
  const program = new Command('deploy')
    .description('From a Cloudflare account to a live verifier: model to R2, KV namespace, secrets, wrangler deploy, health check')
    .option('--dry-run', 'no account calls: print them, seed local R2, run `wrangler deploy --dry-run --outdir`', false)
    .option('--env <env>', 'wrangler environment from the template (default: top level, i.e. production)')
    .option('--name <worker>', 'worker name (default: from the template)')
    .option('--bucket <bucket>', 'R2 bucket for the model (default: the MODELS binding in the template)')
    .option('--json', 'print the result as JSON on stdout (progress goes to stderr)', false)
    .option('--config <path>', 'template wrangler config', 'wrangler.toml')
    .option('--config-out <path>', 'generated deploy config (default .wrangler/deploy/wrangler.<env>.jsonc)')
    .option('--outdir <dir>', 'dry run: bundle output folder (default .wrangler/deploy/bundle-<env>)')
    .option('--persist-to <dir>', 'dry run: local R2 state folder (default wrangler\'s .wrangler/state)')
    .option('--prefix <prefix>', 'R2 key prefix of the model', 'face-embed')
    .option('--backbone <id>', `model to deploy: ${BACKBONE_IDS.join(', ')}`, DEFAULT_BACKBONE)
    .option('--secrets-file <path>', 'write generated secrets here (mode 600, never overwritten) instead of printing them')
    .option('--admin-token <token>', 'ADMIN_TOKEN to set (prefer the ADMIN_TOKEN environment variable)')
    .option('--api-keys <keys>', 'API_KEYS to set, comma-separated (prefer the API_KEYS environment variable)')
    .option('--rotate-secrets', 'replace existing ADMIN_TOKEN and API_KEYS with new random ones (never EMBEDDING_KEYS)', false)
    .option('--allow-auth-disabled', 'deploy even if the environment sets AUTH_DISABLED = "true"', false)
    .option('--health-timeout <s>', 'seconds to wait for /v1/health after deploying', (v) => Number(v), 90)
    .option('--gallery <backend>', 'identify\'s gallery: kv (packed scan in the isolate, up to ~100k identities) or vectorize', 'kv')
    .option('--gallery-shards <n>', 'vectorize: indexes per model version (past ~16M vectors each)', (v) => Number(v), 1)
    .option('--keep-gallery-version <version>', 'vectorize: keep this older model version\'s indexes bound during a switch (repeatable)', (v, a: string[]) => [...a, v], [] as string[])
    .parse(argv);
  const f = program.opts();
  const o: DeployOptions = {
    dryRun: f.dryRun, env: f.env, name: f.name, bucket: f.bucket, json: f.json, config: f.config, configOut: f.configOut,
    outdir: f.outdir, persistTo: f.persistTo, prefix: f.prefix, backbone: checkBackboneId(f.backbone), secretsFile: f.secretsFile,
    adminToken: f.adminToken ?? process.env.ADMIN_TOKEN, apiKeys: f.apiKeys ?? process.env.API_KEYS, embeddingKeys: process.env.EMBEDDING_KEYS,
    rotateSecrets: f.rotateSecrets, allowAuthDisabled: f.allowAuthDisabled, healthTimeoutS: f.healthTimeout,
    gallery: checkGallery(f.gallery), galleryShards: f.galleryShards, keepGalleryVersions: f.keepGalleryVersion,
  };
  deploy(o).then(
    (r) => (o.json ? console.log(JSON.stringify(r, null, 2)) : printHuman(r)),
    (e) => {
      console.error(`deploy failed: ${e instanceof DeployError ? e.message : (e as Error).stack}`);
      if (o.json) console.log(JSON.stringify({ error: (e as Error).message, ...((e as { result?: object }).result ?? {}) }, null, 2));
      process.exitCode = 1;
    },
  );
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) cli();
