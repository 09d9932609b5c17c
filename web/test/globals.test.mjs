// load() leaves nothing on globalThis but the documented `gotoauth`, and the
// Go runtime's own global object (goGlobal in gotoauth-runtime.js) behaves as
// the real one for everything the runtime reads and calls. Loading runs in
// fresh Node processes (the module loads once per process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { goGlobal } from '../gotoauth-runtime.js';

const entry = new URL('../gotoauth-node.js', import.meta.url).href;
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

function run(body, { env } = {}) {
  const script = `import assert from 'node:assert/strict';
const keys = () => [...Object.getOwnPropertyNames(globalThis), ...Object.getOwnPropertySymbols(globalThis).map(String)];
${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8', env: { ...process.env, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('load() in Node adds no global but gotoauth; process stays the real one, with env', () => {
  const out = run(`// Node defines some globals lazily (a getter that becomes a value when
// read, fetch adding undici's symbol): read them all first.
const values = new Map(Reflect.ownKeys(globalThis).map((k) => [k, globalThis[k]]));
const before = new Set(keys());
const realProcess = process;
const { load } = await import(${JSON.stringify(entry)});
const imported = keys().filter((k) => !before.has(k));
assert.deepEqual(imported, [], 'importing wrote globals');
const g = await load();
const added = keys().filter((k) => !before.has(k));
assert.deepEqual(added, ['gotoauth']);
assert.equal(globalThis.gotoauth, g);
for (const name of ['Go', '__gotoauthBoot']) assert.equal(name in globalThis, false, name);
// What was there is as it was (node -e has fs and path globals of its own).
for (const [name, v] of values) assert.equal(globalThis[name], v, String(name));
assert.equal(process, realProcess);
assert.equal(typeof process.getuid, 'function');
assert.equal(process.env.GOTOAUTH_PROBE, 'kept');
process.env.GOTOAUTH_PROBE = 'written';
assert.equal(process.env.GOTOAUTH_PROBE, 'written');
assert.equal(await load(), g, 'a second load gives another instance');
const again = await import(${JSON.stringify(entry)});
assert.equal(await again.load(), g);
assert.match(g.authorizeURL({ clientId: 'c' }).url, /code_challenge=/);
console.log(g.version);`, { env: { GOTOAUTH_PROBE: 'kept' } });
  assert.equal(out, pkg.version, "the module's version is not package.json's");
});

test("a page's own fs, process and path are neither used nor changed by the Go runtime", () => {
  // A global fs without the constants Go's syscall package reads at
  // start-up would stop the runtime if it were handed to it.
  run(`globalThis.fs = Object.freeze({ marker: 'page fs' });
globalThis.path = Object.freeze({ marker: 'page path' });
const before = new Set(keys());
const { load } = await import(${JSON.stringify(entry)});
const g = await load();
assert.equal(globalThis.fs.marker, 'page fs');
assert.equal(globalThis.path.marker, 'page path');
assert.deepEqual(keys().filter((k) => !before.has(k)), ['gotoauth']);
assert.match(g.pkce().verifier, /^[A-Za-z0-9_-]{43,}$/);`);
});

// The Go runtime's global object, on a stand-in for a browser's window whose
// operations and accessors refuse a foreign receiver as browsers do.
function fakeWindow() {
  const illegal = () => new TypeError('Illegal invocation');
  const real = {};
  const calls = [];
  const methods = {
    fetch(url) {
      if (this !== undefined && this !== real) throw illegal();
      calls.push(['fetch', this === real ? 'window' : String(this)]);
      return Promise.resolve(url);
    },
    setTimeout(f) {
      if (this !== undefined && this !== real) throw illegal();
      return 7;
    },
  };
  Object.assign(real, methods, {
    Uint8Array, Promise, Array, Object, Reflect, JSON, Proxy, AbortController,
    crypto: globalThis.crypto,
  });
  let storage = { item: 1 };
  Object.defineProperty(real, 'sessionStorage', {
    get() {
      if (this !== real) throw illegal();
      return storage;
    },
    set(v) {
      if (this !== real) throw illegal();
      storage = v;
    },
    configurable: true,
  });
  return { real, calls };
}

test('the runtime global: operations run with the real global as this, constructors untouched', async () => {
  const { real, calls } = fakeWindow();
  const shim = goGlobal(real);
  // js.Global().Call("fetch", ...) calls with the shim as the receiver;
  // Invoke with none.
  assert.equal(await Reflect.apply(shim.fetch, shim, ['a']), 'a');
  assert.equal(await Reflect.apply(shim.fetch, undefined, ['b']), 'b');
  assert.equal(Reflect.apply(shim.setTimeout, shim, [() => {}]), 7);
  assert.deepEqual(calls, [['fetch', 'window'], ['fetch', 'window']]);
  // Another receiver is left alone (and refused, as a browser would).
  assert.throws(() => Reflect.apply(shim.fetch, {}, ['c']), /Illegal invocation/);
  assert.equal(shim.fetch, shim.fetch, 'one wrapper per function');
  assert.equal(shim.fetch.name, 'fetch');
  // Accessors run on the real global.
  assert.deepEqual(shim.sessionStorage, { item: 1 });
  // Constructors and their statics, as they are.
  for (const name of ['Uint8Array', 'Promise', 'Array', 'Object', 'AbortController']) {
    assert.equal(shim[name], real[name], name);
  }
  assert.ok(new shim.AbortController().signal instanceof AbortSignal);
  assert.ok(Reflect.construct(shim.Uint8Array, [4]) instanceof Uint8Array);
  assert.equal(await shim.Promise.resolve(5), 5);
  assert.equal(shim.Array.isArray([]), true);
  assert.equal(shim.Reflect, Reflect);
  assert.equal(shim.JSON.parse('{"a":1}').a, 1);
  // Proxy has no prototype, so it is wrapped: it must still construct and keep its statics.
  assert.equal(typeof shim.Proxy.revocable, 'function');
  assert.equal(new shim.Proxy({ x: 1 }, {}).x, 1);
  // Objects' methods are called on the objects.
  const bytes = shim.crypto.getRandomValues(new Uint8Array(8));
  assert.equal(bytes.length, 8);
});

test('the runtime global: writes and deletes stay on it; fs, process and path never fall through', () => {
  const { real } = fakeWindow();
  real.process = { env: { NODE_ENV: 'production' } }; // a bundler's polyfill
  real.fs = {};
  const before = Object.getOwnPropertyDescriptors(real);
  const shim = goGlobal(real);
  for (const name of ['fs', 'process', 'path']) {
    assert.equal(shim[name], undefined, name);
    assert.equal(name in shim, false, name);
  }
  shim.process = { pid: -1 };
  shim.Go = class {};
  shim.__gotoauthBoot = {};
  shim.sessionStorage = 'replaced';
  assert.equal(shim.process.pid, -1);
  assert.equal(shim.sessionStorage, 'replaced');
  assert.ok(delete shim.__gotoauthBoot);
  assert.equal(shim.__gotoauthBoot, undefined);
  assert.ok(delete shim.sessionStorage);
  assert.deepEqual(shim.sessionStorage, { item: 1 }, 'deleting the layer shows the real one again');
  assert.equal('fetch' in shim, true);
  assert.equal('nothing' in shim, false);
  assert.deepEqual(Object.getOwnPropertyDescriptors(real), before, 'the real global changed');
  assert.deepEqual(real.process, { env: { NODE_ENV: 'production' } });
});
