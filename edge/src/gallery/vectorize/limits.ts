// Vectorize's published limits (developers.cloudflare.com/vectorize/platform/limits/, V2 indexes, as
// read on 2026-12-05), the numbers the local stand-in enforces and the sharding plan sizes against.
// Earlier revisions of that page gave 5M and then 10M vectors per index and topK 20 with values or
// metadata; the page's current figures are these. Limits not published there (ids per deleteByIds,
// getByIds) are not enforced.
export const VECTORIZE_LIMITS = {
  maxDimensions: 1536,
  maxIdBytes: 64,
  maxMetadataBytes: 10 * 1024,
  /** topK when neither values nor all metadata are returned, and when either is. */
  maxTopK: 100,
  maxTopKWithValuesOrMetadata: 50,
  defaultTopK: 5,
  /** Vectors per insert/upsert call from a Worker binding (the HTTP API allows 5000). */
  maxBatch: 1000,
  maxIndexNameBytes: 64,
  maxVectorsPerIndex: 20_000_000,
  maxNamespacesPerIndex: 50_000,
  maxNamespaceBytes: 64,
  indexesPerAccount: 50_000,
} as const;

export const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;
