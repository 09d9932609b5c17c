// gotoauth: GoTo OAuth for single-page apps and Node, in WebAssembly.
//
//   import { load } from 'gotoauth';
//   const gotoauth = await load();
//
// The browser entry's source. What the package ships as gotoauth.js (its
// `default` export condition; Node gets gotoauth-node.js) is this file and
// everything it imports made one file by web/tools/bundle.mjs, so that a
// page served the files as they are fetches one module, not a graph of
// them, before its first token (README, "Performance"). The Go runtime
// and its glue stay files of their own, imported when the module starts.
// It imports nothing from Node and touches no Node global: load() fetches
// gotoauth.wasm from next to this file, with the
// `new URL('./gotoauth.wasm', import.meta.url)` that bundlers such as Vite
// and webpack recognise and emit as an asset. It resolves to the API
// object, also left at globalThis.gotoauth (the only global it writes);
// loading twice gives the same instance.
import { GoToAuthError } from './gotoauth-errors.js';
import { LOAD_FAILED } from './gotoauth-contract.js';
import { makeLoad, compileFetched } from './gotoauth-load.js';

export { GoToAuthError };

/**
 * Loads the module once; later calls resolve to the same instance.
 * @type {(options?: {wasmURL?: string|URL, wasm?: BufferSource|WebAssembly.Module, timeoutMs?: number}) => Promise<object>}
 */
export const load = makeLoad(
  (wasmURL) => (wasmURL === undefined ? new URL('./gotoauth.wasm', import.meta.url) : new URL(String(wasmURL), import.meta.url)),
  (url, how) => {
    if (url.protocol === 'file:') {
      throw new GoToAuthError(LOAD_FAILED, 'the browser entry, gotoauth.js, fetches and cannot read a file: URL; in Node, import the package "gotoauth" (its node entry, gotoauth-node.js), or pass load({wasm: bytes})');
    }
    return compileFetched(url, how);
  },
);

export default load;
