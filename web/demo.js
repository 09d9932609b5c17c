// Starts the demo's wasm module (wasm/cmd/demo). The library itself is
// loaded by apps through gotoauth.js; the demo is a Go program of its own.
await import('./wasm_exec.js');
const go = new globalThis.Go();
const url = new URL('./demo.wasm', import.meta.url);
let instance;
try {
  ({ instance } = await WebAssembly.instantiateStreaming(fetch(url), go.importObject));
} catch (err) {
  const bytes = await (await fetch(url)).arrayBuffer();
  ({ instance } = await WebAssembly.instantiate(bytes, go.importObject));
}
go.run(instance);
