// Compiles edge/src/gallery/scan.wat to edge/src/gallery/scan.wasm (committed; the Worker imports it as a module).
//   node edge/scripts/build-scan-wasm.mjs           write scan.wasm
//   node edge/scripts/build-scan-wasm.mjs --check   exit 1 if the committed scan.wasm is stale
import { readFileSync, writeFileSync } from 'node:fs';
import wabtInit from 'wabt';

const wat = new URL('../src/gallery/scan.wat', import.meta.url), wasm = new URL('../src/gallery/scan.wasm', import.meta.url);
const wabt = await wabtInit();
const mod = wabt.parseWat('scan.wat', readFileSync(wat, 'utf8'), { simd: true });
mod.validate();
const bytes = Buffer.from(mod.toBinary({ log: false, write_debug_names: false }).buffer);
mod.destroy();
if (process.argv.includes('--check')) {
  let old = Buffer.alloc(0);
  try { old = readFileSync(wasm); } catch {}
  if (!old.equals(bytes)) { console.error('edge/src/gallery/scan.wasm is stale: run node edge/scripts/build-scan-wasm.mjs'); process.exit(1); }
  console.log('edge/src/gallery/scan.wasm is up to date');
} else {
  writeFileSync(wasm, bytes);
  console.log(`edge/src/gallery/scan.wasm: ${bytes.length} bytes`);
}
