// Starts the demo's wasm module (wasm/cmd/demo). The library itself is
// loaded by apps through gotoauth.js; the demo is a Go program of its own,
// started on the same Go runtime (the generated Go glue, with a global
// object of its own: see goRuntime in gotoauth-core.js).
import { goRuntime } from './gotoauth-core.js';

const { go } = goRuntime();
const url = new URL('./demo.wasm', import.meta.url);
let instance;
try {
  ({ instance } = await WebAssembly.instantiateStreaming(fetch(url), go.importObject));
} catch (err) {
  const bytes = await (await fetch(url)).arrayBuffer();
  ({ instance } = await WebAssembly.instantiate(bytes, go.importObject));
}
go.run(instance);
