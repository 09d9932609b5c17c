// Starts the demo page: loads the package as any app does (gotoauth.js's
// load(), which leaves the API at globalThis.gotoauth, where the demo's Go
// finds it), then runs the demo's own Go program, demo.wasm, with the Go
// glue the package ships for that (its export gotoauth/gotoauth-glue.mjs:
// Go's wasm_exec.js as a module), on the page's global object, as
// wasm_exec.js would. serve.go sends demo.wasm as application/wasm.
import { load } from './gotoauth.js';
import { defineGo } from './gotoauth-glue.mjs';

try {
  await load();
} catch (err) {
  document.getElementById('status').textContent = `gotoauth did not load: ${err.message}`;
  throw err;
}
const Go = defineGo(globalThis);
const go = new Go();
const { instance } = await WebAssembly.instantiateStreaming(fetch(new URL('./demo.wasm', import.meta.url)), go.importObject);
go.run(instance);
