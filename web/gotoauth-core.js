// gotoauth-core.js: what gotoauth's two entries share. gotoauth.js (browser,
// and any bundler's default) and gotoauth-node.js (Node) differ only in how
// they get gotoauth.wasm; everything else is here: the error type, starting
// the Go runtime on a global object of its own, and the public API over the
// raw Go functions. The error type is in gotoauth-errors.js. Not an entry: import the package, or one of the two.
import { defineGo } from './gotoauth-glue.mjs';
import { GoToAuthError } from './gotoauth-errors.js';
import { makeSession, setLimits } from './gotoauth-session.js';
import { openPopup, inPopup, handOver } from './gotoauth-popup.js';

// ---------------------------------------------------------------------------
// The Go runtime's global object.
//
// Go's wasm_exec.js writes fs, process and path stubs and its Go class on the
// global object, and the runtime reads fs and process from it at start-up and
// everything else (fetch, crypto, sessionStorage, location, Object...) as the
// program runs: js.Global() is that object. gotoauth-glue.mjs is wasm_exec.js
// with that object as a parameter, and goGlobal makes one per runtime: a
// Proxy over a private layer (`own`, which holds what the glue and the loader
// write: the fs, process and path stubs, Go, __gotoauthBoot), whose other
// reads fall through to the real globalThis. So the page's globals stay as
// they were (its own `process`, with env in Node), and the runtime still sees
// everything the page has, read live (a fetch or crypto replaced later is
// seen).
//
// - fs, process and path never fall through: the runtime always gets the
//   glue's stubs, in browsers and in Node alike, never a host's or a page's
//   own (Node's real process, a bundler's `window.process = {env: {}}`
//   polyfill, a global fs without the constants Go's syscall package reads
//   at start-up, Node's fs in `node -e`).
// - Reads of the real globalThis are made with it as the receiver, so its
//   accessors (location, sessionStorage, document, crypto in Node) work.
// - A function read through the object is handed out wrapped, once per
//   function, so that a call whose receiver is this object (Go's
//   js.Global().Call("fetch", ...), safejs's global.Call, dom's window
//   methods) or nothing (Invoke) runs with the real globalThis as `this`:
//   browsers throw "Illegal invocation" for fetch, setTimeout,
//   queueMicrotask, atob... called on any other object. Only functions
//   without an own `prototype` are wrapped: that is every receiver-sensitive
//   host operation (they are not constructors), and never a constructor or
//   class (Object, Array, Promise, Uint8Array, AbortController, Headers...),
//   which are handed out as they are, so `new`, statics such as
//   Promise.resolve and Array.isArray, instanceof and identity are
//   untouched. The wrapper is a Proxy with an apply trap only: it keeps the
//   function's own properties, and `new` on it still constructs (Proxy is
//   the one global constructor without a `prototype`).
// - Objects (Reflect, JSON, crypto, history, location...) are handed out as
//   they are: their methods are called on them.
// - Writes and deletes stay in the private layer: from the runtime's side
//   the page's globals are read-only, and the glue's stubs never reach them.
export function goGlobal(real = globalThis) {
  const own = Object.create(null);
  // The Go runtime wakes itself with setTimeout for its next timer (a
  // request's timeout, say), and keeps that timeout even after the timer
  // is stopped. In Node such a timer must not hold the process open once
  // the work is done: a request in flight keeps Node running by itself.
  own.setTimeout = (f, ms) => {
    const t = real.setTimeout(f, ms);
    if (t !== null && typeof t === 'object' && typeof t.unref === 'function') t.unref();
    return t;
  };
  const runtimeOnly = new Set(['fs', 'process', 'path']);
  const wrapped = new WeakMap();
  let shim;
  const receiver = (self) => (self == null || self === shim ? real : self);
  function wrap(v) {
    if (typeof v !== 'function') return v;
    let w = wrapped.get(v);
    if (w === undefined) {
      let constructs;
      try {
        constructs = Object.prototype.hasOwnProperty.call(v, 'prototype');
      } catch {
        constructs = true; // a revoked Proxy: hand it out as it is, to throw when used
      }
      w = constructs ? v : new Proxy(v, {
        apply: (fn, self, args) => Reflect.apply(fn, receiver(self), args),
      });
      wrapped.set(v, w);
    }
    return w;
  }
  shim = new Proxy(own, {
    get: (_, key) => {
      if (key in own) return own[key];
      return runtimeOnly.has(key) ? undefined : wrap(Reflect.get(real, key));
    },
    has: (_, key) => key in own || (!runtimeOnly.has(key) && key in real),
    set: (_, key, value) => {
      own[key] = value;
      return true;
    },
    deleteProperty: (_, key) => delete own[key],
  });
  return shim;
}

/**
 * A Go runtime that has a global object of its own: `go.run(instance)`
 * starts a module instantiated with `go.importObject`; `global` is its
 * js.Global(), where a module reads what it is handed (__gotoauthBoot).
 * Also used by the benchmark to start its own modules. (An app that runs a
 * Go program of its own uses the exported glue, gotoauth-glue.mjs, as the
 * demo does.)
 */
export function goRuntime() {
  const global = goGlobal();
  const Go = defineGo(global);
  return { go: new Go(), global };
}

// ---------------------------------------------------------------------------
// Loading.

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
      checkKeys(options, 'load options', LOAD_KEYS);
    } catch (err) {
      return Promise.reject(err instanceof GoToAuthError ? err : invalid(`load: the options could not be read (${safeMessage(err)})`));
    }
    if (loading) return loading;
    loading = start(own(options, 'wasm'), own(options, 'wasmURL'), locate, compileURL).catch((err) => {
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
      tried = 'the WebAssembly.Module given as wasm';
      module = wasm;
    } else if (wasm != null) {
      tried = 'the bytes given as wasm';
      module = await WebAssembly.compile(wasm);
    } else {
      if (wasmURL != null) tried = `wasmURL ${String(wasmURL).slice(0, 300)}`;
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
    throw new GoToAuthError('load_failed', `gotoauth could not be loaded from ${tried}: ${loadReason(err)}`);
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
    throw new GoToAuthError('load_failed', `the fetch failed (${safeMessage(err)})`);
  }
  if (!resp.ok) throw new GoToAuthError('load_failed', `the server answered HTTP ${resp.status}`);
  return WebAssembly.compile(await resp.arrayBuffer());
}

// ---------------------------------------------------------------------------
// The public API over the raw Go functions. The crossing format (one text
// payload in, one JSON text out, through a shared buffer) is written down
// once, in wasm/bridge/export.go. Type checks happen here, in JS, where
// they are cheap; every rule about values lives in Go.

// The module's limits (wasm/limits, which the module hands over at boot as
// JSON text, raw.limits): the checks below use them, never literals of
// their own.
let limits;
// Every function's options, by name: the string ones are sent to Go as
// they are; a key that is not listed is refused (checkKeys).
const CLIENT_STRINGS = ['clientId', 'redirectUri', 'flow', 'authorizeEndpoint', 'tokenEndpoint', 'meEndpoint', 'clientSecret'];
const CLIENT_KEYS = [...CLIENT_STRINGS, 'scope', 'relay', 'storage', 'timeoutMs'];
const AUTHORIZE_STRINGS = ['flow', 'state'];
const AUTHORIZE_KEYS = [...AUTHORIZE_STRINGS, 'scope', 'extraParams', 'appState'];
const AUTHORIZE_URL_STRINGS = ['clientId', 'redirectUri', 'flow', 'state', 'authorizeEndpoint'];
const AUTHORIZE_URL_KEYS = [...AUTHORIZE_URL_STRINGS, 'scope', 'extraParams'];
const LOAD_KEYS = ['wasmURL', 'wasm'];
const HANDLE_REDIRECT_KEYS = ['cleanAddressBar'];

// own reads an option the caller's object holds itself: a property that
// Object.prototype (or any prototype) supplies configures nothing.
function own(o, name) {
  return Object.prototype.hasOwnProperty.call(o, name) ? o[name] : undefined;
}

function invalid(message) {
  return new GoToAuthError('invalid_argument', message);
}

function typeName(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

function checkString(v, what, max = limits.maxString) {
  if (typeof v !== 'string') throw invalid(`${what} must be a string, not ${typeName(v)}`);
  if (v.length > max) throw invalid(`${what} is too long (${max >> 10} KiB at most)`);
  return v;
}

function encode(name, value) {
  try {
    return `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
  } catch {
    throw invalid(`${name} is not well-formed Unicode`);
  }
}

// guarded wraps a public function: whatever the caller's values throw while
// they are read (a getter, a Proxy trap, a revoked Proxy) becomes a
// GoToAuthError invalid_argument. An async function rejects instead of
// throwing.
function guarded(f, what, async = false) {
  return (...args) => {
    try {
      const r = f(...args);
      return async ? Promise.resolve(r) : r;
    } catch (err) {
      const e = err instanceof GoToAuthError ? err
        : invalid(`${what}: the arguments could not be read (${safeMessage(err)})`);
      if (async) return Promise.reject(e);
      throw e;
    }
  };
}

function safeMessage(err) {
  try {
    return String(err && err.message).slice(0, 200);
  } catch {
    return 'unreadable error';
  }
}

// checkKeys refuses an options object with a key the function does not
// know: a misspelt option would otherwise be ignored, and its default used.
// Only own keys count (see own).
function checkKeys(o, what, known) {
  for (const key of Object.keys(o)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    throw invalid(`${what}: unknown option "${key.slice(0, 100)}"${near ? `; did you mean "${near}"?` : ''} (known: ${known.join(', ')})`);
  }
}

// nearest is the known name a misspelling most likely meant: the same
// letters in another case, else the closest within a third of its length.
function nearest(key, known) {
  const lower = key.toLowerCase();
  const same = known.find((k) => k.toLowerCase() === lower);
  if (same) return same;
  let best = null;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

// distance is the Levenshtein edit distance, for short option names.
function distance(a, b) {
  if (a.length > 64) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

// options checks an options object's keys against known and turns its
// strings (names), scope and extraParams into form-encoded text for Go.
function options(o, what, names, known, { allowMissing = false } = {}) {
  if (o == null) {
    if (allowMissing) return '';
    throw invalid(`${what} must be an object`);
  }
  if (typeof o !== 'object' || Array.isArray(o)) throw invalid(`${what} must be an object, not ${typeName(o)}`);
  checkKeys(o, what, known);
  const pairs = [];
  for (const name of names) {
    const v = own(o, name);
    if (v == null) continue;
    pairs.push(encode(name, checkString(v, name)));
  }
  const scope = own(o, 'scope');
  if (scope != null) {
    if (typeof scope === 'string') {
      pairs.push(encode('scope', checkString(scope, 'scope')));
    } else if (Array.isArray(scope)) {
      if (scope.length > limits.maxScopes) throw invalid(`scope has more than ${limits.maxScopes} entries`);
      scope.forEach((s, i) => checkString(s, `scope[${i}]`));
      pairs.push(encode('scope', scope.join(' ')));
    } else {
      throw invalid(`scope must be a string or an array of strings, not ${typeName(scope)}`);
    }
  }
  const extra = known.includes('extraParams') ? own(o, 'extraParams') : undefined;
  if (extra != null) {
    if (typeof extra !== 'object' || Array.isArray(extra)) throw invalid(`extraParams must be an object of strings, not ${typeName(extra)}`);
    const keys = Object.keys(extra);
    if (keys.length > limits.maxExtraParams) throw invalid(`extraParams has more than ${limits.maxExtraParams} entries`);
    for (const k of keys) pairs.push(encode(`extra.${k}`, checkString(own(extra, k), `extraParams.${k}`)));
  }
  return pairs.join('&');
}

// appStateText is an authorize option's appState as JSON text for Go,
// which keeps it beside the pending state (at most 4 KiB: the limit lives
// in wasm/pending). '' for none.
function appStateText(o) {
  const v = o == null || typeof o !== 'object' ? undefined : own(o, 'appState');
  if (v === undefined) return '';
  let text;
  try {
    text = JSON.stringify(v, (key, x) => {
      if (typeof x === 'number' && !Number.isFinite(x)) throw invalid(`appState: ${key || 'the value'} is ${x}, which JSON cannot carry`);
      return x;
    });
  } catch (err) {
    if (err instanceof GoToAuthError) throw err;
    throw invalid(`appState must be JSON-serialisable (${safeMessage(err)})`);
  }
  if (text === undefined) throw invalid(`appState must be JSON-serialisable, not ${typeName(v)}`);
  return encode('appState', text);
}

// decode turns Go's JSON envelope into the value, or throws its error.
function decode(text) {
  if (typeof text !== 'string') throw new GoToAuthError('internal', 'the gotoauth module is not running');
  const r = JSON.parse(text);
  if (r.error) throw new GoToAuthError(r.error.code, r.error.message, r.error);
  return r.ok;
}

// The buffer shared with Go grows to fit a payload, from limits.minBuffer
// up to limits.maxBuffer; a payload that does not fit whole is refused,
// never cut.

function channel(raw) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const { minBuffer, maxBuffer } = limits;
  let io = new Uint8Array(minBuffer);
  const read = (r) => decode(typeof r === 'number' ? decoder.decode(io.subarray(0, r)) : r);
  read(raw.setBuffer(0, io));

  function put(text) {
    let r = encoder.encodeInto(text, io);
    if (r.read < text.length && io.length < maxBuffer) {
      // UTF-8 takes at most three bytes per UTF-16 unit.
      io = new Uint8Array(Math.min(maxBuffer, Math.max(io.length * 2, text.length * 3 + 1024)));
      read(raw.setBuffer(0, io));
      r = encoder.encodeInto(text, io);
    }
    if (r.read < text.length) {
      throw invalid(`the input is too large: ${maxBuffer >> 20} MiB at most once encoded`);
    }
    return r.written;
  }

  /** call(fn, payload, ...args): fn's JSON result, decoded. */
  return function call(fn, payload, ...args) {
    return read(fn(payload === '' ? 0 : put(payload), ...args));
  };
}

// later calls a raw asynchronous function, whose last argument is the
// callback Go settles, as a Promise.
function later(call, fn, payload, ...args) {
  return new Promise((resolve, reject) => {
    call(fn, payload, ...args, (text) => {
      try { resolve(decode(text)); } catch (err) { reject(err); }
    });
  });
}

// resolveRelay makes a relay URL absolute against the page's address.
function resolveRelay(relay) {
  const base = typeof location === 'object' && location !== null ? location.href : undefined;
  try {
    return new URL(relay, base).href;
  } catch {
    throw invalid(base === undefined ? 'relay must be an absolute URL outside a browser' : 'relay is not a URL');
  }
}

function wrapAPI(raw) {
  limits = JSON.parse(raw.limits);
  setLimits(limits);
  const call = channel(raw);
  // Results that handleRedirect resolved to, and their ids on the Go side:
  // only these can be exchanged, and a copy made by hand is not one.
  const checked = new WeakMap();
  // Results already exchanged: a second exchangeCode of one says so.
  const exchanged = new WeakSet();
  const release = typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((id) => call(raw.clientRelease, '', id)) : null;

  function client(config) {
    let form = options(config, 'client config', CLIENT_STRINGS, CLIENT_KEYS);
    const relay = own(config, 'relay');
    if (relay != null) {
      // Resolved against the page, so that '/relay/' means this origin's.
      form += `&${encode('relay', resolveRelay(checkString(relay, 'relay')))}`;
    }
    const storage = own(config, 'storage');
    const timeout = own(config, 'timeoutMs');
    if (timeout != null) {
      if (!Number.isSafeInteger(timeout)) throw invalid(`timeoutMs must be a whole number of milliseconds, not ${typeName(timeout)} ${String(timeout).slice(0, 40)}`);
      form += `${form ? '&' : ''}timeoutMs=${timeout}`;
    }
    const made = call(raw.newClient, form, storage);
    const id = made.id;
    const relayMode = relay != null;
    const rawRefresh = (token) => later(call, raw.clientRefresh, token === undefined ? '' : checkString(token, "refresh's refresh token"), id);
    const rawSignOut = () => later(call, raw.clientSignOut, '', id);
    // client.session (gotoauth-session.js): the client's methods fill it
    // with the token they resolve to, and signOut empties it.
    const { session, internal } = makeSession({
      clientId: made.config.clientId, relayMode, refresh: rawRefresh,
      checkBearerURL: (origin) => call(raw.checkBearerURL, origin),
    });
    let closed = false; // client.close() was called
    // filling(p) is p, a token call begun now, settled into the session.
    // A call that settles after a sign-out (or close) puts nothing back:
    // it rejects with reauthenticate, and through a relay the sign-out is
    // made again, since the relay may have set its cookie after the first
    // (unless a newer sign-in is under way or done, whose cookie it is).
    let inFlight = 0; // token calls under way
    const filling = (p, source) => {
      const epoch = internal.epoch();
      inFlight++;
      return p.finally(() => { inFlight--; }).then(async (t) => {
        if (internal.fill(t, epoch, source)) return t;
        if (relayMode && !closed && inFlight === 0 && session.current === null) await rawSignOut().catch(() => {});
        throw new GoToAuthError('reauthenticate', 'signed out while this call was under way: sign in again');
      });
    };
    // live wraps a method that a closed client refuses.
    const live = (f, what, async = false) => guarded((...args) => {
      if (closed) throw invalid(`${what}: this client is closed (client.close() was called): make a new one`);
      return f(...args);
    }, what, async);
    const authorize = (o, what) => {
      let form = options(o, what, AUTHORIZE_STRINGS, AUTHORIZE_KEYS, { allowMissing: true });
      const app = appStateText(o);
      if (app) form += `${form ? '&' : ''}${app}`;
      return call(raw.clientAuthorize, form, id);
    };
    // handle checks and consumes a redirect's state (wasm/client). Without
    // a URL the module reads location.href itself, once.
    const handle = (url, clean) => {
      const current = url == null;
      const result = call(raw.clientHandleRedirect, current ? '' : checkString(url, "handleRedirect's url"), id, clean, current);
      if (result.checked !== undefined) {
        const checkedId = result.checked;
        delete result.checked;
        checked.set(result, checkedId);
      }
      if (result.appState !== undefined) result.appState = JSON.parse(result.appState);
      if (result.kind === 'token') internal.set(result.token);
      return result;
    };
    const popups = new Set(); // cancel functions of popup sign-ins under way
    const api = Object.freeze({
      config: Object.freeze({ ...made.config, scope: Object.freeze(made.config.scope) }),
      session,
      authorize: live((o) => authorize(o, 'authorize options'), 'authorize'),
      // signInWithPopup: see gotoauth-popup.js. window.open is called
      // before this returns, inside the user's click.
      signInWithPopup: live((o) => {
        const a = authorize(o, 'signInWithPopup options');
        // The popup window is reused by name: a sign-in waiting in it ends.
        for (const earlier of popups) earlier(new GoToAuthError('popup_closed', 'another signInWithPopup took over the sign-in popup'), false);
        const { promise, cancel } = openPopup({
          clientId: made.config.clientId, url: a.url, state: a.state,
          stateOf: (url) => { try { return call(raw.parseRedirect, url).state; } catch { return undefined; } },
          finish: async (url) => {
            const r = await api.handleRedirect(url, { cleanAddressBar: false });
            const t = r.kind === 'code' ? await api.exchangeCode(r) : r.token;
            return r.appState === undefined ? t : { ...t, appState: r.appState };
          },
        });
        popups.add(cancel);
        return promise.finally(() => popups.delete(cancel));
      }, 'signInWithPopup', true),
      // isRedirect: the URL (location.href when omitted) carries an
      // authorization response, in its query or its fragment: a state with
      // a code, an access token or an error (RFC 6749 §4.1.2, §4.2.2). It
      // says nothing of whether the state is this client's: handleRedirect
      // checks that.
      isRedirect: live((url) => {
        if (url == null && typeof location !== 'object') throw invalid('isRedirect takes a URL outside a browser');
        const u = new URL(url == null ? location.href : checkString(url, "isRedirect's url"));
        return [u.searchParams, new URLSearchParams(u.hash.slice(1))]
          .some((p) => p.has('state') && (p.has('code') || p.has('access_token') || p.has('error')));
      }, 'isRedirect'),
      handleRedirect: live((url, o) => {
        let clean = true;
        if (o != null) {
          if (typeof o !== 'object') throw invalid('handleRedirect options must be an object');
          checkKeys(o, 'handleRedirect options', HANDLE_REDIRECT_KEYS);
          const c = own(o, 'cleanAddressBar');
          if (c != null && typeof c !== 'boolean') throw invalid('cleanAddressBar must be a boolean');
          clean = c !== false;
        }
        if (url == null) {
          // In a popup, the redirect may be its opener's signInWithPopup's
          // (gotoauth-popup.js): offered there first.
          let parsed = null;
          const href = inPopup() ? location.href : null;
          if (href != null) {
            try { parsed = call(raw.parseRedirect, checkString(href, "handleRedirect's url")); } catch { /* not a redirect: handled below */ }
          }
          if (parsed) {
            return handOver(made.config.clientId, href).then((taken) => {
              if (!taken) return handle(href, clean);
              try { globalThis.close(); } catch { /* the opener closes it */ }
              return { kind: 'popup', state: parsed.state };
            });
          }
        }
        return handle(url, clean);
      }, 'handleRedirect', true),
      exchangeCode: live((result) => {
        const cb = result != null && typeof result === 'object' ? checked.get(result) : undefined;
        if (cb === undefined && result != null && typeof result === 'object' && exchanged.has(result)) {
          throw new GoToAuthError('code_already_used', 'this code was already exchanged, and a code is used once: sign in again');
        }
        if (cb === undefined) {
          throw invalid('exchangeCode takes the result that handleRedirect resolved to, so that the code\'s state has been checked');
        }
        checked.delete(result);
        exchanged.add(result);
        return filling(later(call, raw.clientExchangeCode, '', id, cb), 'exchange');
      }, 'exchangeCode', true),
      // Through a relay, refresh() takes no token: the relay keeps it.
      refresh: live((token) => filling(rawRefresh(token).catch((err) => {
        internal.relayGone(err);
        throw err;
      }), 'refresh'), 'refresh', true),
      signOut: live(() => {
        internal.clear(); // at once: no token is handed out while the relay forgets it
        return rawSignOut().finally(() => internal.signedOut()).then(() => undefined);
      }, 'signOut', true),
      me: live((token) => later(call, raw.clientMe, checkString(token, "me's access token"), id), 'me', true),
      // close releases what the client holds: its session's BroadcastChannel
      // and its state in the module. It is not a sign-out.
      close: () => {
        if (closed) return;
        closed = true;
        for (const cancel of popups) cancel(invalid('signInWithPopup: this client was closed (client.close() was called)'));
        internal.close();
        release?.unregister(api);
        call(raw.clientRelease, '', id);
      },
    });
    release?.register(api, id, api);
    return api;
  }

  return Object.freeze({
    version: raw.version,
    pkce: guarded(() => call(raw.pkce, ''), 'pkce'),
    authorizeURL: guarded((o) => call(raw.authorizeURL, options(o, 'authorizeURL options', AUTHORIZE_URL_STRINGS, AUTHORIZE_URL_KEYS)), 'authorizeURL'),
    parseRedirect: guarded((url) => call(raw.parseRedirect, checkString(url, "parseRedirect's url")), 'parseRedirect'),
    normalizeTokenResponse: guarded((response) => {
      let text = response;
      if (typeof response === 'object' && response !== null && !Array.isArray(response)) {
        // Go reads the response as JSON text, as it reads HTTP bodies.
        // JSON.stringify writes NaN and Infinity as null: such a number
        // is refused here, before it is text.
        text = JSON.stringify(response, (key, v) => {
          if (typeof v === 'number' && !Number.isFinite(v)) throw invalid(`normalizeTokenResponse: ${key || 'a value'} is ${v}, not a finite number`);
          return v;
        });
      } else if (typeof response !== 'string') {
        throw invalid(`normalizeTokenResponse takes a token response object or its JSON text, not ${typeName(response)}`);
      }
      return call(raw.normalizeTokenResponse, checkString(text, 'the token response', limits.maxBody));
    }, 'normalizeTokenResponse'),
    migrateURL: guarded((url) => call(raw.migrateURL, checkString(url, "migrateURL's url")), 'migrateURL'),
    client: guarded(client, 'client'),
  });
}
