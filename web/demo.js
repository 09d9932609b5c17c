// Starts the demo (wasm/cmd/demo): it loads the package as any app does,
// with gotoauth.js's load(), which leaves the API at globalThis.gotoauth,
// where the demo's Go finds it; then it runs the demo's own Go program on
// a Go runtime of its own (goRuntime: the package's Go glue, with a global
// object of its own). serve.go sends demo.wasm as application/wasm.
import { load } from './gotoauth.js';
import { goRuntime } from './gotoauth-runtime.js';

try {
  await load();
} catch (err) {
  document.getElementById('mode').textContent = `gotoauth did not load: ${err.message}`;
  throw err;
}
const { go } = goRuntime();
const { instance } = await WebAssembly.instantiateStreaming(fetch(new URL('./demo.wasm', import.meta.url)), go.importObject);
go.run(instance);
