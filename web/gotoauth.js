// gotoauth: GoTo OAuth for single-page apps and Node, in WebAssembly.
//
//   import { load } from './gotoauth.js';
//   const gotoauth = await load();
//
// load() finds gotoauth.wasm next to this file (bundlers such as Vite and
// webpack recognise the `new URL(..., import.meta.url)` below) and
// wasm_exec.js beside it. It resolves to the API object, also left at
// globalThis.gotoauth; loading twice gives the same instance.

/** The one error type gotoauth throws or rejects with; `code` is stable. */
export class GoToAuthError extends Error {
  constructor(code, message, details) {
    super(message);
    this.name = 'GoToAuthError';
    this.code = code;
    if (details && typeof details === 'object') {
      for (const key of ['error', 'errorDescription', 'errorURI', 'status']) {
        if (details[key] !== undefined) this[key] = details[key];
      }
    }
  }
}

const isNode = typeof process === 'object' && process.versions != null && process.versions.node != null
  && typeof window === 'undefined';

let loading = null;

/**
 * Loads the module once.
 * @param {{wasmURL?: string|URL, wasm?: BufferSource|WebAssembly.Module, wasmExecURL?: string|URL}} [options]
 */
export function load(options = {}) {
  if (loading) return loading;
  loading = start(options).catch((err) => {
    loading = null;
    throw err;
  });
  return loading;
}

async function start(options) {
  if (options === null || typeof options !== 'object') {
    throw new GoToAuthError('invalid_argument', 'load options must be an object');
  }
  await loadWasmExec(options.wasmExecURL);
  const go = new globalThis.Go();
  const instance = await instantiate(options, go.importObject);
  const raw = await new Promise((resolve, reject) => {
    globalThis.__gotoauthBoot = {
      GoToAuthError,
      ready: resolve,
      fail: (message) => reject(new GoToAuthError('internal', String(message))),
    };
    go.run(instance).then(
      () => reject(new GoToAuthError('internal', 'the gotoauth module exited')),
      (err) => reject(err),
    );
  });
  const api = wrapAPI(raw);
  globalThis.gotoauth = api;
  return api;
}

async function loadWasmExec(url) {
  if (typeof globalThis.Go === 'function') return;
  const href = String(url ?? new URL('./wasm_exec.js', import.meta.url));
  if (isNode) {
    // wasm_exec.js is a classic script; evaluate it in this realm.
    const { readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    const path = href.startsWith('file:') ? fileURLToPath(href) : href;
    const source = await readFile(path, 'utf8');
    new Function(source)();
  } else {
    await import(/* @vite-ignore */ href);
  }
  if (typeof globalThis.Go !== 'function') {
    throw new GoToAuthError('internal', 'wasm_exec.js did not define Go');
  }
}

async function instantiate(options, imports) {
  if (options.wasm instanceof WebAssembly.Module) {
    return WebAssembly.instantiate(options.wasm, imports);
  }
  if (options.wasm != null) {
    const { instance } = await WebAssembly.instantiate(options.wasm, imports);
    return instance;
  }
  const url = options.wasmURL != null ? new URL(String(options.wasmURL), import.meta.url)
    : new URL('./gotoauth.wasm', import.meta.url);
  if (isNode && url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    const { instance } = await WebAssembly.instantiate(await readFile(url), imports);
    return instance;
  }
  const response = fetch(url, { credentials: 'same-origin' });
  if (WebAssembly.instantiateStreaming) {
    try {
      const { instance } = await WebAssembly.instantiateStreaming(response, imports);
      return instance;
    } catch (err) {
      // A server without application/wasm: fall back to bytes.
      if (!(err instanceof TypeError)) throw err;
    }
  }
  const resp = await fetch(url, { credentials: 'same-origin' });
  if (!resp.ok) throw new GoToAuthError('network_error', `gotoauth.wasm: HTTP ${resp.status}`);
  const { instance } = await WebAssembly.instantiate(await resp.arrayBuffer(), imports);
  return instance;
}

// The Go side returns a GoToAuthError instead of throwing (it cannot throw
// across the boundary); these wrappers throw it.
function unwrap(result) {
  if (result instanceof GoToAuthError) throw result;
  if (result === undefined) throw new GoToAuthError('internal', 'the gotoauth module is not running');
  return result;
}

function wrapFn(fn) {
  return (...args) => unwrap(fn(...args));
}

function wrapAsync(fn) {
  return (...args) => {
    try {
      return unwrap(fn(...args));
    } catch (err) {
      return Promise.reject(err);
    }
  };
}

function wrapAPI(raw) {
  return Object.freeze({
    version: raw.version,
    pkce: wrapFn(raw.pkce),
    authorizeURL: wrapFn(raw.authorizeURL),
    parseRedirect: wrapFn(raw.parseRedirect),
    normalizeTokenResponse: wrapFn(raw.normalizeTokenResponse),
    migrateURL: wrapFn(raw.migrateURL),
    client(config) {
      const c = unwrap(raw.client(config));
      return Object.freeze({
        config: Object.freeze(c.config),
        authorize: wrapFn(c.authorize),
        handleRedirect: wrapAsync(c.handleRedirect),
        exchangeCode: wrapAsync(c.exchangeCode),
        refresh: wrapAsync(c.refresh),
        me: wrapAsync(c.me),
      });
    },
  });
}

export default load;
