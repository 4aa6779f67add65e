// `.wasm` imports (edge/src/gallery/scan.wasm) type as compiled modules, as in edge/worker-configuration.d.ts.
declare module '*.wasm' {
  const value: WebAssembly.Module;
  export default value;
}
