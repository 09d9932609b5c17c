// gotoauth-load.js: loading the module, what gotoauth's two entries share.
// gotoauth.js (browser, and any bundler's default) and gotoauth-node.js
// (Node) differ only in how they get gotoauth.wasm; both make their load()
// here. The module is started on a Go runtime with a global object of its
// own (gotoauth-runtime.js) and wrapped into the public API
// (gotoauth-api.js). Not an entry: import the package, or one of the two.
import { GoToAuthError } from './gotoauth-errors.js';
import {
  LOAD_FAILED, LOAD_OPTIONS, OPT_WASM, OPT_WASM_URL,
} from './gotoauth-contract.js';
import { checkKeys, invalid, own, safeMessage } from './gotoauth-args.js';
import { goRuntime } from './gotoauth-runtime.js';
import { wrapAPI } from './gotoauth-api.js';

let loading = null;

/**
 * makeLoad returns an entry's load(): locate(wasmURL) gives the URL of the
 * module (wasmURL as given, undefined for the default) and compileURL(url)
 * compiles it, the one thing the entries do differently. All entries share
 * one instance.
 */
export function makeLoad(locate, compileURL) {
  /**
   * Loads the module once.
   * @param {{wasmURL?: string|URL, wasm?: BufferSource|WebAssembly.Module}} [options]
   */
  return function load(options = {}) {
    try {
      if (options === null || typeof options !== 'object') throw invalid('load options must be an object');
      checkKeys(options, 'load options', LOAD_OPTIONS);
    } catch (err) {
      return Promise.reject(err instanceof GoToAuthError ? err : invalid(`load: the options could not be read (${safeMessage(err)})`));
    }
    if (loading) return loading;
    loading = start(own(options, OPT_WASM), own(options, OPT_WASM_URL), locate, compileURL).catch((err) => {
      loading = null;
      throw err;
    });
    return loading;
  };
}

// start fetches (or takes), compiles and starts the module. Whatever fails
// on the way rejects with load_failed, saying what was tried.
async function start(wasm, wasmURL, locate, compileURL) {
  let tried = 'gotoauth.wasm next to the loader';
  try {
    let module;
    if (wasm instanceof WebAssembly.Module) {
      tried = `the WebAssembly.Module given as ${OPT_WASM}`;
      module = wasm;
    } else if (wasm != null) {
      tried = `the bytes given as ${OPT_WASM}`;
      module = await WebAssembly.compile(wasm);
    } else {
      if (wasmURL != null) tried = `${OPT_WASM_URL} ${String(wasmURL).slice(0, 300)}`;
      const url = locate(wasmURL == null ? undefined : wasmURL);
      tried = url.href.slice(0, 300);
      module = await compileURL(url);
    }
    const { go, global } = goRuntime();
    const instance = await WebAssembly.instantiate(module, go.importObject);
    const raw = await new Promise((resolve, reject) => {
      // wasm/cmd/gotoauth reads this from js.Global() (the runtime's own
      // global object, never the page's) and deletes it.
      global.__gotoauthBoot = { ready: resolve, fail: (message) => reject(new Error(String(message))) };
      go.run(instance).then(() => reject(new Error('the module exited as it started')), reject);
    });
    delete global.__gotoauthBoot;
    const api = wrapAPI(raw);
    globalThis.gotoauth = api;
    return api;
  } catch (err) {
    throw new GoToAuthError(LOAD_FAILED, `gotoauth could not be loaded from ${tried}: ${loadReason(err)}`);
  }
}

// Node's code for a missing file: not a gotoauth code.
const NODE_NO_SUCH_FILE = 'ENOENT';

// loadReason says in a few words why a load failed.
function loadReason(err) {
  if (err instanceof GoToAuthError) return err.message;
  if (err && err.code === NODE_NO_SUCH_FILE) return 'there is no such file';
  if (err instanceof WebAssembly.CompileError) return `it is not a WebAssembly module (${safeMessage(err)})`;
  if (err instanceof WebAssembly.LinkError) return `it is not a gotoauth module of this version (${safeMessage(err)})`;
  return safeMessage(err);
}

/** Compiles the module at url with fetch, streaming where the server allows it. */
export async function compileFetched(url) {
  if (WebAssembly.compileStreaming) {
    try {
      return await WebAssembly.compileStreaming(fetch(url, { credentials: 'same-origin' }));
    } catch (err) {
      // A server without application/wasm: fall back to bytes.
      if (!(err instanceof TypeError)) throw err;
    }
  }
  let resp;
  try {
    resp = await fetch(url, { credentials: 'same-origin' });
  } catch (err) {
    throw new GoToAuthError(LOAD_FAILED, `the fetch failed (${safeMessage(err)})`);
  }
  if (!resp.ok) throw new GoToAuthError(LOAD_FAILED, `the server answered HTTP ${resp.status}`);
  return WebAssembly.compile(await resp.arrayBuffer());
}
