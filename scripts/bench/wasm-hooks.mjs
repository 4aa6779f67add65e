// Node module hook: `import m from './x.wasm'` yields a compiled WebAssembly.Module, as wrangler's
// CompiledWasm rule does in the Worker, so the benchmark runs the Worker's own modules unchanged.
export async function load(url, context, next) {
  if (!url.endsWith('.wasm')) return next(url, context);
  const source = `import { readFileSync } from 'node:fs';\nexport default new WebAssembly.Module(readFileSync(new URL(${JSON.stringify(url)})));\n`;
  return { format: 'module', source, shortCircuit: true };
}
