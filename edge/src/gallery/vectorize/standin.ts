// An exact, in-memory stand-in for a Vectorize index binding (the `Vectorize` class of
// worker-configuration.d.ts), for the workerd tests and `npm start`: Vectorize has no local
// simulator (wrangler and miniflare proxy the binding to an account or refuse it).
// What it keeps of the real thing:
//   - the index's dimensions and metric are fixed at creation; values are stored as float32;
//   - the published limits (limits.ts): id and namespace bytes, metadata size, batch size, topK caps
//     with and without returned values or metadata, vectors and namespaces per index;
//   - asynchronous writes: insert/upsert/deleteByIds validate, append to a log and return a
//     mutationId; nothing is visible to query/getByIds/describe until the log is processed —
//     explicitly (`process()`), or, when `lagMs` is set, once a mutation is that old;
//     describe() reports processedUpToMutation / processedUpToDatetime of the last one applied.
// Unlike the real index, search is exact (brute force), so it is also the reference that recall is
// measured against. Metadata filtering and metadata indexes are not implemented (a filter throws).
import { utf8Bytes, VECTORIZE_LIMITS as L } from './limits';

type Metric = VectorizeDistanceMetric;
interface Stored { id: string; values: Float32Array; norm: number; namespace?: string; metadata?: Record<string, VectorizeVectorMetadata> }
type Mutation =
  | { id: string; at: number; kind: 'insert' | 'upsert'; vectors: Stored[] }
  | { id: string; at: number; kind: 'delete'; ids: string[] };

export class VectorizeError extends Error {
  constructor(readonly code: string, message: string) {
    super(`${code}: ${message}`);
  }
}

export interface StandInOptions {
  dimensions: number;
  metric: Metric;
  /** Mutations older than this are applied before each read; omitted: only process() applies them. */
  lagMs?: number;
  maxVectors?: number;
  now?: () => number;
}

export class VectorizeStandIn implements Vectorize {
  readonly dimensions: number;
  readonly metric: Metric;
  private vectors = new Map<string, Stored>();
  private namespaces = new Map<string, number>();
  private log: Mutation[] = [];
  private processed: { mutation: string; at: number } | null = null;
  private readonly now: () => number;

  constructor(readonly name: string, private o: StandInOptions) {
    if (utf8Bytes(name) > L.maxIndexNameBytes) throw new VectorizeError('INDEX_CREATE_ERROR', `index name is over ${L.maxIndexNameBytes} bytes`);
    if (!Number.isInteger(o.dimensions) || o.dimensions < 1 || o.dimensions > L.maxDimensions)
      throw new VectorizeError('INDEX_CREATE_ERROR', `dimensions must be an integer in 1..${L.maxDimensions}`);
    if (!['cosine', 'euclidean', 'dot-product'].includes(o.metric)) throw new VectorizeError('INDEX_CREATE_ERROR', `unknown metric ${o.metric}`);
    this.dimensions = o.dimensions;
    this.metric = o.metric;
    this.now = o.now ?? Date.now;
  }

  /** Mutations accepted but not yet visible. */
  get pending(): number {
    return this.log.length;
  }

  /** Applies up to `count` logged mutations in order (all by default); returns how many. */
  process(count = Infinity): number {
    let n = 0;
    while (this.log.length && n < count) this.apply(this.log.shift()!), n++;
    return n;
  }

  async describe(): Promise<VectorizeIndexInfo> {
    this.catchUp();
    // The binding's types say number; the service reports a mutation UUID and an ISO 8601 time.
    return {
      vectorCount: this.vectors.size,
      dimensions: this.dimensions,
      processedUpToMutation: (this.processed?.mutation ?? null) as unknown as number,
      processedUpToDatetime: (this.processed ? new Date(this.processed.at).toISOString() : null) as unknown as number,
    };
  }

  async query(vector: VectorFloatArray | number[], options: VectorizeQueryOptions = {}): Promise<VectorizeMatches> {
    this.catchUp();
    return this.search(this.checkValues(vector, 'VECTOR_QUERY_ERROR'), options);
  }

  async queryById(vectorId: string, options: VectorizeQueryOptions = {}): Promise<VectorizeMatches> {
    this.catchUp();
    const v = this.vectors.get(vectorId);
    if (!v) throw new VectorizeError('VECTOR_QUERY_ERROR', `no vector with id "${vectorId}"`);
    return this.search(v.values, options);
  }

  async insert(vectors: VectorizeVector[]): Promise<VectorizeAsyncMutation> {
    return this.enqueue('insert', this.checkBatch(vectors, 'VECTOR_INSERT_ERROR'));
  }

  async upsert(vectors: VectorizeVector[]): Promise<VectorizeAsyncMutation> {
    return this.enqueue('upsert', this.checkBatch(vectors, 'VECTOR_UPSERT_ERROR'));
  }

  async deleteByIds(ids: string[]): Promise<VectorizeAsyncMutation> {
    if (!Array.isArray(ids)) throw new VectorizeError('VECTOR_DELETE_ERROR', 'ids must be an array');
    for (const id of ids) this.checkId(id, 'VECTOR_DELETE_ERROR');
    const m: Mutation = { id: crypto.randomUUID(), at: this.now(), kind: 'delete', ids: [...ids] };
    this.log.push(m);
    return { mutationId: m.id };
  }

  async getByIds(ids: string[]): Promise<VectorizeVector[]> {
    this.catchUp();
    return ids.flatMap((id) => {
      const v = this.vectors.get(id);
      return v ? [this.view(v, true, true)] : [];
    });
  }

  private catchUp() {
    if (this.o.lagMs === undefined) return;
    const due = this.now() - this.o.lagMs;
    while (this.log.length && this.log[0].at <= due) this.apply(this.log.shift()!);
  }

  private enqueue(kind: 'insert' | 'upsert', vectors: Stored[]): VectorizeAsyncMutation {
    const m: Mutation = { id: crypto.randomUUID(), at: this.now(), kind, vectors };
    this.log.push(m);
    return { mutationId: m.id };
  }

  private apply(m: Mutation) {
    if (m.kind === 'delete') for (const id of m.ids) this.remove(id);
    else {
      const max = this.o.maxVectors ?? L.maxVectorsPerIndex;
      for (const v of m.vectors) {
        if (m.kind === 'insert' && this.vectors.has(v.id)) continue;
        if (!this.vectors.has(v.id) && this.vectors.size >= max) {
          console.warn(`vectorize stand-in ${this.name}: index full (${max} vectors); "${v.id}" dropped`);
          continue;
        }
        const ns = v.namespace ?? '';
        if (!this.namespaces.has(ns) && this.namespaces.size >= L.maxNamespacesPerIndex) {
          console.warn(`vectorize stand-in ${this.name}: ${L.maxNamespacesPerIndex} namespaces in use; "${v.id}" dropped`);
          continue;
        }
        this.remove(v.id);
        this.vectors.set(v.id, v);
        this.namespaces.set(ns, (this.namespaces.get(ns) ?? 0) + 1);
      }
    }
    this.processed = { mutation: m.id, at: m.at };
  }

  private remove(id: string) {
    const old = this.vectors.get(id);
    if (!old) return;
    this.vectors.delete(id);
    const ns = old.namespace ?? '', left = this.namespaces.get(ns)! - 1;
    if (left) this.namespaces.set(ns, left);
    else this.namespaces.delete(ns);
  }

  private search(q: Float32Array, o: VectorizeQueryOptions): VectorizeMatches {
    if (o.filter !== undefined) throw new VectorizeError('VECTOR_QUERY_ERROR', 'metadata filters need metadata indexes, which the stand-in does not implement');
    const topK = o.topK ?? L.defaultTopK;
    const all = o.returnMetadata === true || o.returnMetadata === 'all';
    const cap = o.returnValues || all ? L.maxTopKWithValuesOrMetadata : L.maxTopK;
    if (!Number.isInteger(topK) || topK < 1 || topK > cap)
      throw new VectorizeError('VECTOR_QUERY_ERROR', `topK must be an integer in 1..${cap}${cap === L.maxTopK ? '' : ' when values or all metadata are returned'}`);
    if (o.namespace !== undefined) this.checkNamespace(o.namespace, 'VECTOR_QUERY_ERROR');
    const qn = norm(q);
    // Euclidean scores are distances (smaller is closer); cosine and dot-product, similarities.
    // The best topK are kept in order as the scan goes (ties: id ascending), never a full sort.
    const sign = this.metric === 'euclidean' ? 1 : -1;
    const before = (a: { v: Stored; score: number }, b: { v: Stored; score: number }) => sign * (a.score - b.score) < 0 || (a.score === b.score && a.v.id < b.v.id);
    const top: { v: Stored; score: number }[] = [];
    for (const v of this.vectors.values()) {
      if (o.namespace !== undefined && v.namespace !== o.namespace) continue;
      const c = { v, score: score(this.metric, q, qn, v) };
      if (top.length === topK && !before(c, top[topK - 1])) continue;
      let i = top.length < topK ? top.length : topK - 1;
      while (i > 0 && before(c, top[i - 1])) (top[i] = top[i - 1]), i--;
      top[i] = c;
    }
    const matches = top.map(({ v, score }) => ({ ...this.view(v, !!o.returnValues, all), score }));
    return { matches, count: matches.length };
  }

  private view(v: Stored, values: boolean, metadata: boolean): VectorizeVector {
    return {
      id: v.id,
      ...(v.namespace !== undefined ? { namespace: v.namespace } : {}),
      ...(metadata && v.metadata ? { metadata: structuredClone(v.metadata) } : {}),
      ...(values ? { values: [...v.values] } : {}),
    } as VectorizeVector;
  }

  private checkBatch(vectors: VectorizeVector[], code: string): Stored[] {
    if (!Array.isArray(vectors) || vectors.length === 0) throw new VectorizeError(code, 'expected a non-empty array of vectors');
    if (vectors.length > L.maxBatch) throw new VectorizeError(code, `${vectors.length} vectors in one call; at most ${L.maxBatch} from a Worker`);
    return vectors.map((v) => {
      this.checkId(v.id, code);
      if (v.namespace !== undefined) this.checkNamespace(v.namespace, code);
      let metadata: Stored['metadata'];
      if (v.metadata !== undefined) {
        const json = JSON.stringify(v.metadata);
        if (utf8Bytes(json) > L.maxMetadataBytes) throw new VectorizeError(code, `metadata of "${v.id}" is over ${L.maxMetadataBytes} bytes`);
        metadata = JSON.parse(json);
      }
      const values = this.checkValues(v.values, code);
      return { id: v.id, values, norm: norm(values), namespace: v.namespace, metadata };
    });
  }

  private checkValues(values: VectorFloatArray | number[], code: string): Float32Array {
    if (!values || typeof values.length !== 'number') throw new VectorizeError(code, 'values must be an array of numbers');
    if (values.length !== this.dimensions) throw new VectorizeError(code, `vector has ${values.length} dimensions; the index has ${this.dimensions}`);
    const f = Float32Array.from(values as ArrayLike<number>);
    for (let i = 0; i < f.length; i++) if (!Number.isFinite(f[i])) throw new VectorizeError(code, `value ${i} is not a finite float32`);
    return f;
  }

  private checkId(id: string, code: string) {
    if (typeof id !== 'string' || id.length === 0) throw new VectorizeError(code, 'vector id must be a non-empty string');
    if (utf8Bytes(id) > L.maxIdBytes) throw new VectorizeError(code, `vector id "${id.slice(0, 20)}…" is over ${L.maxIdBytes} bytes`);
  }

  private checkNamespace(ns: string, code: string) {
    if (typeof ns !== 'string' || utf8Bytes(ns) > L.maxNamespaceBytes) throw new VectorizeError(code, `namespace must be a string of at most ${L.maxNamespaceBytes} bytes`);
  }
}

function norm(v: Float32Array) {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function score(metric: Metric, q: Float32Array, qn: number, { values: v, norm: vn }: Stored) {
  let s = 0;
  if (metric === 'euclidean') {
    for (let i = 0; i < q.length; i++) s += (q[i] - v[i]) ** 2;
    return Math.sqrt(s);
  }
  for (let i = 0; i < q.length; i++) s += q[i] * v[i];
  if (metric === 'dot-product') return s;
  const d = qn * vn;
  return d === 0 ? 0 : s / d;
}

const registry = new Map<string, VectorizeStandIn>();

/** This isolate's stand-in index of that name, created on first use with `o`. */
export function standInIndex(name: string, o: StandInOptions): VectorizeStandIn {
  const ix = registry.get(name);
  if (!ix) {
    const made = new VectorizeStandIn(name, o);
    registry.set(name, made);
    return made;
  }
  if (ix.dimensions !== o.dimensions || ix.metric !== o.metric)
    throw new VectorizeError('INDEX_CONFIG_ERROR', `stand-in ${name} exists with ${ix.dimensions} dimensions, ${ix.metric}`);
  return ix;
}

/** Every stand-in index of this isolate (tests process their logs or drop them). */
export const standInIndexes = () => [...registry.values()];
export const resetStandIns = () => registry.clear();
