// Lets Emscripten glue that insists on `WebAssembly.instantiate(bytes, imports)` run in workerd,
// where compiling wasm from bytes at runtime is forbidden ("Wasm code generation disallowed by
// embedder"). The caller hands the glue a tiny sentinel as its "wasm binary"; while the shim is
// installed, instantiating exactly that sentinel instantiates a precompiled WebAssembly.Module
// (imported as a module, compiled by the runtime at deploy time) instead. Anything else passes through.

/** An 8-byte wasm header: cheap to copy, never what a real instantiate call would pass. */
export const SENTINEL = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

function isSentinel(x: unknown): boolean {
  const b = x instanceof ArrayBuffer ? new Uint8Array(x) : ArrayBuffer.isView(x) ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength) : null;
  return !!b && b.length === SENTINEL.length && b.every((v, i) => v === SENTINEL[i]);
}

const memories: WebAssembly.Memory[] = [];

/** Bytes of the largest linear memory of the modules instantiated through the shim (onnxruntime's heap). */
export function shimmedMemoryBytes(): number {
  return Math.max(0, ...memories.map((m) => m.buffer.byteLength));
}

/** Run `init` with `WebAssembly.instantiate(SENTINEL, imports)` routed to `module`. */
export async function withPrecompiledWasm<T>(module: WebAssembly.Module, init: () => Promise<T>): Promise<T> {
  const original = WebAssembly.instantiate;
  const patched = async (source: unknown, imports?: WebAssembly.Imports) => {
    if (isSentinel(source)) {
      const instance = await original(module, imports);
      // The memory is exported or imported, depending on how the glue was built.
      for (const v of [...Object.values(instance.exports), ...Object.values(imports ?? {}).flatMap((m) => Object.values(m as object))])
        if (v instanceof WebAssembly.Memory) memories.push(v);
      return { instance, module };
    }
    return (original as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>)(source, imports);
  };
  WebAssembly.instantiate = patched as typeof WebAssembly.instantiate;
  try {
    return await init();
  } finally {
    WebAssembly.instantiate = original;
  }
}
