// gotoauth-load.js: loading the module, what gotoauth's two entries share.
// gotoauth.js (browser, and any bundler's default) and gotoauth-node.js
// (Node) differ only in how they get gotoauth.wasm; both make their load()
// here. The module is started on a Go runtime with a global object of its
// own (gotoauth-runtime.js) and wrapped into the public API
// (gotoauth-api.js). Not an entry: import the package, or one of the two.
//
// When the module is started. load() resolves once it runs, as it always
// did, except on a page that holds a relay sign-in mark
// (gotoauth-session.js): a signed-in app in relay mode coming back, whose
// first token comes from the relay with no Go in the page. There load()
// resolves at once and the module is started in the background after the
// first token is in (the relay clients' first session.token(), or
// refresh(), settled), so that nothing competes with it; or earlier, when
// a call needs it, which then waits for it; or at once when no relay
// client was made in the task that got the API. Calls that need the
// module are listed in the README's API section.
import { GoToAuthError } from './gotoauth-errors.js';
import {
  DEFAULT_TIMEOUT_MS, LOAD_FAILED, LOAD_OPTIONS, OPT_TIMEOUT_MS, OPT_WASM, OPT_WASM_URL,
} from './gotoauth-contract.js';
import { checkKeys, invalid, millis, own, safeMessage } from './gotoauth-args.js';
import { wrapAPI } from './gotoauth-api.js';
import { channel } from './gotoauth-channel.js';
import { relaySignInMarked } from './gotoauth-session.js';

let loading = null;

/**
 * makeLoad returns an entry's load(): locate(wasmURL) gives the URL of the
 * module (wasmURL as given, undefined for the default) and
 * compileURL(url, {signal, at}) compiles it, the one thing the entries do
 * differently (at(step) says what it waits for: see STALLED). Each entry
 * has one instance; the two entries do not share it, since the browser's
 * is built into one file of its own (web/tools/bundle.mjs), and a program
 * uses one of them.
 */
export function makeLoad(locate, compileURL) {
  /**
   * Loads the module once.
   * @param {{wasmURL?: string|URL, wasm?: BufferSource|WebAssembly.Module, timeoutMs?: number}} [options]
   */
  return function load(options = {}) {
    let timeoutMs;
    try {
      if (options === null || typeof options !== 'object') throw invalid('load options must be an object');
      checkKeys(options, 'load options', LOAD_OPTIONS);
      timeoutMs = millis(own(options, OPT_TIMEOUT_MS) ?? DEFAULT_TIMEOUT_MS, `load: ${OPT_TIMEOUT_MS}`);
    } catch (err) {
      return Promise.reject(err instanceof GoToAuthError ? err : invalid(`load: the options could not be read (${safeMessage(err)})`));
    }
    if (loading) return loading;
    const wasm = own(options, OPT_WASM);
    const wasmURL = own(options, OPT_WASM_URL);
    const mod = moduleHandle(() => start(wasm, wasmURL, timeoutMs, locate, compileURL));
    const api = wrapAPI(mod);
    if (relaySignInMarked()) {
      loading = Promise.resolve(api);
      setTimeout(() => mod.soon(), 0);
    } else {
      loading = mod.ready().then(() => api, (err) => {
        loading = null;
        throw err;
      });
    }
    return loading.then((a) => {
      globalThis.gotoauth = a;
      return a;
    });
  };
}

/**
 * moduleHandle is the module as the API sees it: running (null until it
 * is: {raw, call}), ready() (a Promise of it, starting it when needed;
 * after a failure, which failed holds, the next ready() tries again), and
 * the background start:
 * defer() holds it off while a relay client's first token is under way,
 * and done() and soon() start it once nothing holds it off.
 */
function moduleHandle(startModule) {
  let running = null;
  let starting = null;
  let failed = null; // the last start's load_failed, until the next start
  let holds = 0;
  const mod = {
    get running() { return running; },
    get failed() { return failed; },
    ready() {
      if (!starting) {
        failed = null;
        starting = startModule().then((raw) => {
          running = { raw, call: channel(raw) };
          return running;
        }, (err) => {
          starting = null;
          failed = err;
          throw err;
        });
      }
      return starting;
    },
    defer() { holds++; },
    done() {
      holds--;
      // After the task: the app's code that awaited the token runs first.
      setTimeout(() => mod.soon(), 0);
    },
    soon() {
      // A failure here is reported to the calls that need the module.
      if (holds <= 0 && !starting) mod.ready().catch(() => {});
    },
  };
  return mod;
}

// What a load that ran out of time (timeoutMs) was waiting for, by step.
const STALLED = {
  fetch: 'the server did not answer',
  download: 'the download did not finish',
  streaming: 'the download and compile did not finish',
  compile: 'the compile did not finish',
  start: 'the module did not start (it never said it was ready)',
};

// start fetches (or takes), compiles and starts the module, all within
// timeoutMs (the bound is here, around the module's start, not around
// load(), which on a relay-marked page resolves before the module starts).
// Whatever fails on the way rejects with load_failed, saying what was
// tried, and for a load out of time which step stalled.
async function start(wasm, wasmURL, timeoutMs, locate, compileURL) {
  let tried = 'gotoauth.wasm next to the loader';
  let step = 'compile';
  const at = (s) => { step = s; };
  const abort = new AbortController();
  const outOfTime = {};
  let timer;
  let late = false;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => { late = true; abort.abort(); reject(outOfTime); }, timeoutMs);
  });
  // A start that ran out of time goes no further when its step ends (a
  // compile cannot be aborted): its module is never run, so that the next
  // start's is the page's only Go runtime.
  const inTime = () => { if (late) throw outOfTime; };
  // Imported when the module starts, beside its fetch: a page whose first
  // token needs no Go fetches neither the runtime nor its glue before it.
  const runtime = import('./gotoauth-runtime.js');
  runtime.catch(() => {}); // reported below, when awaited
  async function steps() {
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
      module = await compileURL(url, { signal: abort.signal, at });
    }
    inTime();
    at('start');
    const { goRuntime } = await runtime;
    inTime();
    const { go, global } = goRuntime();
    const instance = await WebAssembly.instantiate(module, go.importObject);
    inTime();
    const raw = await new Promise((resolve, reject) => {
      // wasm/cmd/gotoauth reads this from js.Global() (the runtime's own
      // global object, never the page's) and deletes it.
      global.__gotoauthBoot = { ready: resolve, fail: (message) => reject(new Error(String(message))) };
      go.run(instance).then(() => reject(new Error('the module exited as it started')), reject);
    });
    delete global.__gotoauthBoot;
    return raw;
  }
  try {
    return await Promise.race([steps(), deadline]);
  } catch (err) {
    const reason = err === outOfTime ? `${STALLED[step]} within ${timeoutMs} ms (${OPT_TIMEOUT_MS})` : loadReason(err);
    throw new GoToAuthError(LOAD_FAILED, `gotoauth could not be loaded from ${tried}: ${reason}`);
  } finally {
    clearTimeout(timer);
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

/**
 * Compiles the module at url with fetch, streaming where the server allows
 * it; signal aborts the fetch, at(step) says what it waits for.
 */
export async function compileFetched(url, { signal, at = () => {} } = {}) {
  const get = () => {
    at('fetch');
    return fetch(url, { credentials: 'same-origin', signal });
  };
  if (WebAssembly.compileStreaming) {
    try {
      return await WebAssembly.compileStreaming(get().then((resp) => {
        at('streaming');
        return resp;
      }));
    } catch (err) {
      // A server without application/wasm: fall back to bytes.
      if (!(err instanceof TypeError)) throw err;
    }
  }
  let resp;
  try {
    resp = await get();
  } catch (err) {
    throw new GoToAuthError(LOAD_FAILED, `the fetch failed (${safeMessage(err)})`);
  }
  if (!resp.ok) throw new GoToAuthError(LOAD_FAILED, `the server answered HTTP ${resp.status}`);
  at('download');
  const bytes = await resp.arrayBuffer();
  at('compile');
  return WebAssembly.compile(bytes);
}
