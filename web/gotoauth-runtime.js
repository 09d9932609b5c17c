// gotoauth-runtime.js: the Go runtime's global object, and a Go runtime
// that uses it (goRuntime). Imported by gotoauth-load.js, which starts the
// module with it; the benchmark starts its floors with it too.
import { defineGo } from './gotoauth-glue.mjs';

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
 * Also used by the benchmark to start its own modules.
 */
export function goRuntime() {
  const global = goGlobal();
  const Go = defineGo(global);
  return { go: new Go(), global };
}

