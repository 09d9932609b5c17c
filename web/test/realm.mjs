// Runs the browser entry (gotoauth.js) in a realm that has a browser's
// globals and none of Node's, for browser-realm.test.mjs:
//
//   node --experimental-vm-modules test/realm.mjs
//
// The realm is a vm context holding only JS's built-ins and what is set up
// below: fetch, setTimeout, clearTimeout, crypto, performance,
// sessionStorage, location, history, and the encoders, each refusing a
// foreign receiver with "Illegal invocation" as browsers' do; reads of
// Node's globals (process, Buffer, require...) are recorded. Modules are
// linked from web/ as if served at https://app.example/assets/; a node: or
// bare import fails the link. Prints one JSON line of findings.
import vm from 'node:vm';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';

const web = new URL('../', import.meta.url);
const BASE = 'https://app.example/assets/';
const wasm = readFileSync(new URL('gotoauth.wasm', web));

const touched = [];
// Timers as a browser's: setTimeout answers a whole number, not Node's
// Timeout object (whose unref a loader could call).
const timers = new Map();
let nextTimer = 1;
const host = {
  // The module as a browser's fetch answers it: a Response, which
  // WebAssembly.compileStreaming takes.
  wasmResponse: () => new Response(wasm, { headers: { 'content-type': 'application/wasm' } }),
  random: (a) => webcrypto.getRandomValues(a),
  now: () => performance.now(),
  setTimeout: (f, ms) => {
    const id = nextTimer++;
    timers.set(id, setTimeout(() => { timers.delete(id); f(); }, ms));
    return id;
  },
  clearTimeout: (id) => {
    clearTimeout(timers.get(id));
    timers.delete(id);
  },
  touched: (name) => touched.push(name),
  TextEncoder, TextDecoder, URL, AbortController, EventTarget, CustomEvent,
};
const sandbox = {};
host.sandbox = sandbox;
const context = vm.createContext(sandbox);
vm.runInContext(`(function (host) {
  'use strict';
  const g = globalThis;
  const illegal = () => new TypeError('Illegal invocation');
  // A vm context runs its global's accessors on the object it was made
  // from: that one is the global too.
  const isGlobal = (self) => self === g || self === host.sandbox;
  const fetched = [];
  g.__realm = { fetched, storage: new Map() };
  // Method shorthand: no prototype, like a browser's operations.
  const ops = {
    fetch(input, init) {
      if (this !== undefined && !isGlobal(this)) throw illegal();
      const url = String(input);
      fetched.push(url);
      const bytes = (text) => new Uint8Array(new TextEncoder().encode(text)); // this realm's bytes
      if (url === '${BASE}gotoauth.wasm') return Promise.resolve(host.wasmResponse());
      if (url.endsWith('/oauth/token')) {
        return Promise.resolve(response(200, bytes('{"access_token":"at-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-1","scope":"identity:scim.me"}')));
      }
      if (url.endsWith('/Users/me')) {
        return Promise.resolve(response(200, bytes('{"id":"42","userName":"someone@example.com"}')));
      }
      return Promise.reject(new TypeError('Failed to fetch'));
    },
    setTimeout(f, ms, ...args) {
      if (this !== undefined && !isGlobal(this)) throw illegal();
      return host.setTimeout(() => f(...args), ms);
    },
    clearTimeout(id) {
      if (this !== undefined && !isGlobal(this)) throw illegal();
      host.clearTimeout(id);
    },
  };
  // A Response as much as gotoauth reads of one, with this realm's bytes.
  function response(status, body) {
    let done = false;
    return {
      status, ok: status >= 200 && status < 300,
      body: { getReader: () => ({
        read: () => Promise.resolve(done ? { done: true, value: undefined } : (done = true, { done: false, value: body })),
      }) },
    };
  }
  Object.assign(g, ops);
  const crypto = {
    getRandomValues(a) {
      if (this !== crypto) throw illegal();
      host.random(a);
      return a;
    },
  };
  const performance = {
    now() {
      if (this !== performance) throw illegal();
      return host.now();
    },
  };
  class Storage {
    getItem(k) { if (!(this instanceof Storage)) throw illegal(); return g.__realm.storage.has(k) ? g.__realm.storage.get(k) : null; }
    setItem(k, v) { if (!(this instanceof Storage)) throw illegal(); g.__realm.storage.set(String(k), String(v)); }
    removeItem(k) { if (!(this instanceof Storage)) throw illegal(); g.__realm.storage.delete(String(k)); }
  }
  const sessionStorage = new Storage();
  const location = { href: 'https://app.example/' };
  const history = {
    replaceState(state, title, url) {
      if (this !== history) throw illegal();
      location.href = new host.URL(url, location.href).href;
    },
  };
  // Window's attributes are accessors that refuse a foreign receiver.
  const attribute = (name, value) => Object.defineProperty(g, name, {
    get() { if (!isGlobal(this)) throw illegal(); return value; },
    configurable: true, enumerable: true,
  });
  attribute('crypto', crypto);
  attribute('performance', performance);
  attribute('sessionStorage', sessionStorage);
  attribute('location', location);
  attribute('history', history);
  for (const name of ['TextEncoder', 'TextDecoder', 'URL', 'AbortController', 'EventTarget', 'CustomEvent']) g[name] = host[name];
  // Node's globals: none here, and any read of one is recorded.
  for (const name of ['process', 'Buffer', 'require', 'module', 'exports', 'global', '__filename', '__dirname', 'setImmediate']) {
    Object.defineProperty(g, name, { get() { host.touched(name); return undefined; }, configurable: true });
  }
})`, context)(host);

const globals = () => vm.runInContext('Object.getOwnPropertyNames(globalThis)', context);
const before = new Set(globals());

const modules = new Map();
function moduleAt(url) {
  if (!url.startsWith(BASE)) throw new Error(`the browser entry imports ${url}, outside the package`);
  let m = modules.get(url);
  if (!m) {
    const source = readFileSync(new URL(url.slice(BASE.length), web), 'utf8');
    m = new vm.SourceTextModule(source, {
      identifier: url,
      context,
      initializeImportMeta: (meta) => { meta.url = url; },
      // import() of a module the loader needs only when the module starts
      // (gotoauth-runtime.js): linked and run as a browser would.
      importModuleDynamically: async (specifier, referencing) => {
        const dep = linker(specifier, referencing);
        if (dep.status === 'unlinked') await dep.link(linker);
        if (dep.status === 'linked') await dep.evaluate();
        return dep;
      },
    });
    modules.set(url, m);
  }
  return m;
}
const linker = (specifier, referencing) => {
  if (specifier.startsWith('node:') || !/^\.{0,2}\//.test(specifier)) {
    throw new Error(`the browser entry imports ${JSON.stringify(specifier)}`);
  }
  return moduleAt(new URL(specifier, referencing.identifier).href);
};

const entry = moduleAt(`${BASE}gotoauth.js`);
await entry.link(linker);
await entry.evaluate();
const touchedAtImport = [...touched];
const modulesAtImport = [...modules.keys()];
const addedAtImport = globals().filter((k) => !before.has(k));

const { load, GoToAuthError } = entry.namespace;
const g = await load();
const realm = vm.runInContext('__realm', context);
const a = g.authorizeURL({ clientId: 'c' });
const client = g.client({ clientId: 'realm', redirectUri: 'https://app.example/' });
const auth = client.authorize();
const stored = realm.storage.size;
vm.runInContext(`location.href = ${JSON.stringify(`https://app.example/?code=c-1&state=${auth.state}&keep=1`)}`, context);
const checked = await client.handleRedirect();
const addressBar = vm.runInContext('location.href', context);
const token = await client.exchangeCode(checked);
const me = await client.me(token.accessToken);
let mismatch = null;
try {
  await client.handleRedirect('https://app.example/?code=c-2&state=unknown-state-0123456789abcdef');
} catch (err) {
  mismatch = err instanceof GoToAuthError ? err.code : String(err);
}

const fetched = [...realm.fetched];

// What Go's js.Global().Call("fetch"|"setTimeout", ...) does: call the
// runtime global's functions with it as the receiver.
const { goGlobal } = modules.get(`${BASE}gotoauth-runtime.js`).namespace;
const shim = goGlobal();
const shimCalls = await vm.runInContext(`(async (shim) => {
  const r = await Reflect.apply(shim.fetch, shim, ['${BASE}gotoauth.wasm']);
  await new Promise((resolve) => Reflect.apply(shim.setTimeout, shim, [resolve, 1]));
  Reflect.apply(shim.clearTimeout, shim, [Reflect.apply(shim.setTimeout, shim, [() => {}, 1000])]);
  const bytes = shim.crypto.getRandomValues(new shim.Uint8Array(4));
  return r.status === 200 && bytes.length === 4 && shim.location.href.startsWith('https://app.example/')
    && shim.sessionStorage.getItem('none') === null && shim.Uint8Array === Uint8Array && shim.process === undefined;
})`, context)(shim);

process.stdout.write(`${JSON.stringify({
  shimCalls,
  touchedAtImport,
  touchedAtLoad: touched.slice(touchedAtImport.length),
  addedAtImport,
  added: globals().filter((k) => !before.has(k)),
  same: (await load()) === g && vm.runInContext('globalThis.gotoauth', context) === g,
  version: g.version,
  challenge: /code_challenge=/.test(a.url),
  fetched,
  stored,
  addressBar,
  checkedKind: checked.kind,
  token: token.accessToken === 'at-1' && token.refreshToken === 'rt-1',
  me: me.userName,
  mismatch,
  modulesAtImport,
  modules: [...modules.keys()],
})}\n`);
process.exit(0);
