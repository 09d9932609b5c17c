// gotoauth for Node: the package's `node` export condition. The same API as
// gotoauth.js, the browser entry; only the module's loading differs: a
// file: URL (gotoauth.wasm next to this file by default) is read from disk,
// an http(s) URL fetched. No global is written but globalThis.gotoauth.
import { readFile } from 'node:fs/promises';
import { GoToAuthError } from './gotoauth-errors.js';
import { makeLoad, compileFetched } from './gotoauth-load.js';

export { GoToAuthError };

/**
 * Loads the module once; later calls resolve to the same instance.
 * @type {(options?: {wasmURL?: string|URL, wasm?: BufferSource|WebAssembly.Module, timeoutMs?: number}) => Promise<object>}
 */
export const load = makeLoad(
  (wasmURL) => (wasmURL === undefined ? new URL('./gotoauth.wasm', import.meta.url) : new URL(String(wasmURL), import.meta.url)),
  async (url, how) => (url.protocol === 'file:' ? WebAssembly.compile(await readFile(url, { signal: how.signal })) : compileFetched(url, how)),
);

export default load;
