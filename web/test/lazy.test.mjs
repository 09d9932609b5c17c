// The module on demand in Node, with a page's globals stood in for
// (document, a localStorage holding a relay sign-in mark): load() resolves
// at once and the module starts in the background, so calls, sign-outs and
// the module's start can meet in any order. Each test has a loader of its
// own (gotoauth-load.js imported afresh), whose module compile the test
// holds or fails, and a relay whose answers it holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { rejectsWith, throwsWith, MemoryStorage, REDIRECT } from './helpers.mjs';

const WASM = new URL('../gotoauth.wasm', import.meta.url);

// A relay: /relay/refresh answers a token while `signedIn`, else 401;
// /relay/signout ends the sign-in. A path in `hold` is answered only when
// the test calls its release().
const relay = { signedIn: true, n: 0, seen: [], hold: new Map() };
let server;
let base;

before(async () => {
  server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    for await (const chunk of req) void chunk;
    relay.seen.push(path);
    const held = relay.hold.get(path);
    if (held) {
      relay.hold.delete(path);
      held.arrived();
      await held.released;
    }
    res.setHeader('Content-Type', 'application/json');
    if (path === '/relay/signout') {
      relay.signedIn = false;
      res.statusCode = 204;
      return res.end();
    }
    if (path === '/relay/refresh' && relay.signedIn) {
      return res.end(JSON.stringify({ accessToken: `relay-${++relay.n}`, tokenType: 'Bearer', expiresIn: 3600, scope: [], legacy: null }));
    }
    res.statusCode = 401;
    return res.end(JSON.stringify({ error: 'invalid_grant' }));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((r) => server.close(r)));

/** Holds the relay's answer to path: {arrived (a Promise), release()}. */
function hold(path) {
  let arrived;
  let release;
  const h = { arrived: new Promise((r) => { arrived = r; }), released: new Promise((r) => { release = r; }) };
  relay.hold.set(path, { arrived, released: h.released });
  return { arrived: h.arrived, release };
}

/** A Web Storage stand-in that a page's loader can enumerate (length, key). */
class PageStorage extends MemoryStorage {
  get length() { return this.map.size; }
  key(i) { return [...this.map.keys()][i] ?? null; }
}

/** Waits for cond() to hold, checking at every turn of the event loop, for at most ms. */
async function until(cond, what, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

let fresh = 0;
/**
 * A page signed in through the relay (the mark of client 'spa'), and a
 * loader of its own whose compile is compile(attempt) (attempt counts
 * from 1). Resolves to {g, storage, attempts(), done()}.
 */
async function markedPage(compile = () => readFile(WASM).then((b) => WebAssembly.compile(b)), loadOptions = {}) {
  const storage = new PageStorage();
  storage.setItem('gotoauth.relay.spa', '1');
  globalThis.document = {};
  globalThis.localStorage = storage;
  relay.signedIn = true;
  relay.seen = [];
  let attempts = 0;
  const { makeLoad } = await import(`../gotoauth-load.js?page=${++fresh}`);
  const load = makeLoad(() => WASM, () => compile(++attempts));
  const g = await load(loadOptions);
  const clients = [];
  return {
    g,
    storage,
    attempts: () => attempts,
    client(extra = {}) {
      const c = g.client({ clientId: 'spa', redirectUri: REDIRECT, relay: `${base}/relay/`, storage: new MemoryStorage(), timeoutMs: 2000, ...extra });
      clients.push(c);
      return c;
    },
    done() {
      for (const c of clients) c.close();
      delete globalThis.document;
      delete globalThis.localStorage;
      delete globalThis.gotoauth;
    },
  };
}

const works = (g) => { try { g.pkce(); return true; } catch { return false; } };

test('after a failed background start, the next synchronous call that needs the module tries again', async () => {
  const page = await markedPage((attempt) => (attempt === 1 ? Promise.reject(new Error('offline')) : readFile(WASM).then((b) => WebAssembly.compile(b))));
  try {
    // No relay client: the module is started at once, and that start fails.
    const failed = () => { try { page.g.pkce(); } catch (e) { return e.code === 'load_failed'; } return false; };
    await until(failed, 'the background start failed');
    assert.equal(page.attempts(), 2, 'the call that met the failure started the module again');
    await until(() => works(page.g), 'the module runs after the second start');
    assert.equal(page.attempts(), 2);
  } finally {
    page.done();
  }
});

test('a relay client that never asks for a token: a synchronous call throws not_ready and starts the module', async () => {
  const page = await markedPage();
  try {
    const c = page.client(); // holds the background start off until its first token
    await new Promise((r) => setImmediate(r));
    assert.equal(page.attempts(), 0, 'the start waits for the first token');
    throwsWith('not_ready', () => c.authorize());
    await until(() => works(page.g), 'the module runs after the call that needed it');
    assert.equal(page.attempts(), 1);
    assert.match(c.authorize().url, /^https:\/\//);
    assert.deepEqual(relay.seen, [], 'the relay was not asked');
  } finally {
    page.done();
  }
});

test('a client made before the module runs refuses a timeoutMs out of Go\'s range, as it would after', async () => {
  const page = await markedPage();
  try {
    for (const timeoutMs of [0, 99, 600_001, 3e9, 1.5, '2000']) {
      const e = throwsWith('invalid_argument', () => page.client({ timeoutMs }));
      assert.match(e.message, /timeoutMs must be a whole number of milliseconds from 100 to 600000/);
    }
    const c = page.client({ timeoutMs: 100 });
    assert.match((await c.session.token()).accessToken, /^relay-/);
  } finally {
    page.done();
  }
});

test('a client made before the module runs has the configuration Go makes once it runs', async () => {
  const page = await markedPage();
  try {
    const extra = { scope: ['b a', 'a', ' c  b '], flow: 'CODE', timeoutMs: 5000 };
    const before = page.client(extra).config;
    await page.g.ready();
    const after = page.client(extra).config;
    assert.deepEqual(before, after);
    assert.deepEqual(after.scope, ['b', 'a', 'c']);
  } finally {
    page.done();
  }
});

test('a sign-out while the first relay token is in flight: the token is refused, nothing is stored, the mark is gone', async () => {
  const page = await markedPage();
  try {
    const c = page.client();
    const refresh = hold('/relay/refresh');
    const first = c.session.token();
    await refresh.arrived;
    await c.signOut();
    refresh.release(); // the relay answers with a token after the sign-out
    await rejectsWith('reauthenticate', () => first);
    assert.equal(c.session.current, null);
    assert.equal(page.storage.getItem('gotoauth.relay.spa'), null);
    // The module starts once the first token() settled, and the page works.
    await until(() => works(page.g), 'the module runs');
    await rejectsWith('reauthenticate', () => c.session.token());
    assert.equal(page.storage.getItem('gotoauth.relay.spa'), null);
  } finally {
    page.done();
  }
});

test('no token is handed out while a sign-out is under way', async () => {
  const page = await markedPage();
  try {
    const c = page.client();
    const signout = hold('/relay/signout');
    const out = c.signOut();
    await signout.arrived;
    // The app asks for a token after it asked for the sign-out, before the relay answered it.
    const during = c.session.token().then((t) => ({ t }), (e) => ({ e }));
    const changes = [];
    c.session.addEventListener('change', (e) => changes.push(e.detail.accessToken));
    let timer;
    const settled = await Promise.race([during, new Promise((r) => { timer = setTimeout(r, 3000, 'pending'); })]);
    clearTimeout(timer);
    signout.release();
    await out;
    assert.notEqual(settled, 'pending', 'token() settles without waiting for the sign-out');
    assert.equal(settled.t?.accessToken, undefined, `token() after signOut() handed out ${settled.t?.accessToken}`);
    assert.equal(settled.e?.code, 'reauthenticate');
    assert.deepEqual(relay.seen, ['/relay/signout'], 'the relay was asked for no refresh during the sign-out');
    assert.deepEqual(changes, []);
    assert.equal(page.storage.getItem('gotoauth.relay.spa'), null);
  } finally {
    page.done();
  }
});

test('a relay that has no sign-in on the first restore: the mark is removed and the module starts', async () => {
  const page = await markedPage();
  try {
    relay.signedIn = false;
    const c = page.client();
    await rejectsWith('reauthenticate', () => c.session.token());
    assert.equal(page.storage.getItem('gotoauth.relay.spa'), null);
    assert.equal(c.session.current, null);
    await until(() => works(page.g), 'the module runs');
  } finally {
    page.done();
  }
});

test('a first token through client.refresh() starts the module in the background too', async () => {
  const page = await markedPage();
  try {
    const c = page.client();
    assert.match((await c.refresh()).accessToken, /^relay-/);
    await until(() => page.attempts() === 1, 'the module was started once the first token was in', 5000);
    await until(() => works(page.g), 'the module runs');
  } finally {
    page.done();
  }
});

test('an implicit redirect that a sign-out overtakes while it waits for the module puts no token in the session', async () => {
  // The pending sign-in, made by a page whose module runs, in storage both pages share.
  const storage = new MemoryStorage();
  const { load } = await import('../gotoauth-node.js');
  const ready = await load();
  const other = ready.client({ clientId: 'spa', redirectUri: REDIRECT, flow: 'implicit', storage });
  const { state } = other.authorize();
  other.close();
  let compiled;
  const page = await markedPage(() => new Promise((r) => { compiled = r; }));
  try {
    const c = page.client({ relay: undefined, flow: 'implicit', storage });
    const changes = [];
    c.session.addEventListener('change', (e) => changes.push(e.detail?.accessToken));
    const handled = c.handleRedirect(`${REDIRECT}#access_token=implicit-1&token_type=Bearer&expires_in=3600&state=${state}`);
    await until(() => page.attempts() === 1, 'the module is being compiled');
    await c.signOut();
    compiled(await readFile(WASM).then((b) => WebAssembly.compile(b)));
    await rejectsWith('reauthenticate', () => handled);
    assert.equal(c.session.current, null);
    assert.deepEqual(changes.filter((t) => t), [], 'no token entered the session');
    await rejectsWith('state_mismatch', () => c.handleRedirect(`${REDIRECT}#access_token=implicit-1&token_type=Bearer&expires_in=3600&state=${state}`));
  } finally {
    page.done();
  }
});

test('a module start that ran out of time starts no module afterwards', async () => {
  let late;
  const compiled = readFile(WASM).then((b) => WebAssembly.compile(b));
  // The first compile comes after timeoutMs; the second at once.
  const page = await markedPage((attempt) => (attempt === 1 ? new Promise((r) => { late = r; }) : compiled), { timeoutMs: 100 });
  const instantiate = WebAssembly.instantiate;
  let instances = 0;
  const mine = await compiled;
  WebAssembly.instantiate = function (module, ...rest) {
    if (module === mine) instances++; // this page's: other tests' pages may start theirs meanwhile
    return instantiate.call(this, module, ...rest);
  };
  try {
    await until(() => page.attempts() === 1, 'the background start began');
    const e = await rejectsWith('load_failed', () => page.g.ready());
    assert.match(e.message, /within 100 ms/);
    late(await compiled); // the module comes, too late
    await page.g.ready(); // the next start
    assert.equal(page.attempts(), 2);
    assert.equal(instances, 1, 'one Go runtime started: the one that ran out of time was left alone');
  } finally {
    WebAssembly.instantiate = instantiate;
    page.done();
  }
});

test('a storage that throws, lies about its keys or is missing holds no relay mark', async () => {
  const { relaySignInMarked } = await import('../gotoauth-session.js');
  const stand = (ls) => {
    globalThis.document = {};
    Object.defineProperty(globalThis, 'localStorage', { value: ls, configurable: true, writable: true });
    try { return relaySignInMarked(); } finally { delete globalThis.document; delete globalThis.localStorage; }
  };
  const marked = new PageStorage();
  marked.setItem('gotoauth.relay.spa', '1');
  assert.equal(stand(marked), true);
  assert.equal(stand(undefined), false);
  assert.equal(stand({ getItem() { throw new Error('blocked'); }, length: 1, key: () => 'gotoauth.relay.spa' }), false);
  assert.equal(stand({ getItem: () => '1', get length() { throw new Error('sandboxed'); }, key: () => 'gotoauth.relay.spa' }), false);
  assert.equal(stand({ getItem: () => '1', length: 2, key: () => ({ startsWith: () => true }) }), false);
  assert.equal(stand({ getItem: () => 'yes', length: 1, key: () => 'gotoauth.relay.spa' }), false);
  delete globalThis.document;
  assert.equal(relaySignInMarked(), false, 'no page, no mark');
});
