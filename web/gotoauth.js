// gotoauth: GoTo OAuth for single-page apps and Node, in WebAssembly.
//
//   import { load } from 'gotoauth';
//   const gotoauth = await load();
//
// This is the browser entry (the package's `default` export condition; Node
// gets gotoauth-node.js). It imports nothing from Node and touches no Node
// global: load() fetches gotoauth.wasm from next to this file, with the
// `new URL('./gotoauth.wasm', import.meta.url)` that bundlers such as Vite
// and webpack recognise and emit as an asset. It resolves to the API
// object, also left at globalThis.gotoauth (the only global it writes);
// loading twice gives the same instance.
import { GoToAuthError } from './gotoauth-errors.js';
import { LOAD_FAILED } from './gotoauth-contract.js';
import { makeLoad, compileFetched } from './gotoauth-load.js';
// The modules the first token needs, imported here too so that a browser
// loading the files as they are finds the whole graph at once, one round
// trip deep rather than one per level of imports (README, "Performance").
// The Go runtime and its glue are not among them: gotoauth-load.js
// imports them when the module starts.
import './gotoauth-api.js';
import './gotoauth-session.js';
import './gotoauth-relay.js';
import './gotoauth-args.js';
import './gotoauth-channel.js';
import './gotoauth-popup.js';

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
