// The part of Workers' KVNamespace type that the edge gallery modules use, so that the benchmark
// can type-check them under the Node tsconfig (the Worker types live in edge/worker-configuration.d.ts).
interface KVNamespace {
  get<T = unknown>(key: string, options?: unknown): Promise<T | null>;
  put(key: string, value: unknown, options?: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  list<M = unknown>(options?: unknown): Promise<{ keys: { name: string; metadata?: M }[]; list_complete: boolean; cursor?: string }>;
}
