// The boundary between JS and the Go module, tried as a hostile caller
// would: callbacks that come back in, servers that stall or never stop
// sending, garbage collections mid-call, inputs that used to be cut or
// mistyped. Each test names the defect it holds down; the module must
// answer every call and keep working afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { load, GoToAuthError, rejectsWith, throwsWith, MemoryStorage, REDIRECT } from './helpers.mjs';

// A garbage collection on demand, without starting Node with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const g = await load();

// Loopback servers that misbehave, by path.
let base;
let sent = {}; // bytes each path wrote before the client went away
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/stall') {
    // Headers, part of a body, then nothing, ever.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"access_token":"a');
    return;
  }
  if (path === '/huge' || path === '/endless') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let n = 0;
    const limit = path === '/huge' ? 200 * 1024 * 1024 : Infinity;
    const pump = () => {
      while (n < limit) {
        n += chunk.length;
        sent[path] = n;
        if (!res.write(chunk)) return res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => { sent[path] = n; });
    pump();
    return;
  }
  res.writeHead(404).end();
});

before(async () => {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function client(extra = {}) {
  return g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage(), ...extra });
}

// A checked code result, for exchangeCode.
async function checkedCode(c) {
  const a = c.authorize();
  return c.handleRedirect(`${REDIRECT}?code=abc&state=${a.state}`, { cleanAddressBar: false });
}

function stillWorks() {
  const p = g.pkce();
  assert.match(p.verifier, /^[A-Za-z0-9\-._~]{43,128}$/);
  assert.equal(g.parseRedirect(`${REDIRECT}?code=x&state=y`).code, 'x');
}

test('defect 1: a storage whose getItem or removeItem calls back into handleRedirect gets an answer, and the module lives on', async () => {
  for (const method of ['getItem', 'removeItem']) {
    const inner = [];
    const storage = new MemoryStorage();
    let c;
    let url;
    let once = true;
    const original = storage[method].bind(storage);
    storage[method] = (k) => {
      if (once) {
        once = false;
        // The same redirect, on the same client, while the first is running.
        inner.push(c.handleRedirect(url, { cleanAddressBar: false }).then((r) => ({ r }), (e) => ({ e })));
      }
      return original(k);
    };
    c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage });
    url = `${REDIRECT}?code=abc&state=${c.authorize().state}`;
    const r = await c.handleRedirect(url, { cleanAddressBar: false });
    assert.equal(r.code, 'abc', method);
    assert.equal(inner.length, 1, `${method} did not call back`);
    const { e } = await inner[0];
    assert.ok(e instanceof GoToAuthError, `${method}: the call that came back in was not refused with a GoToAuthError`);
    assert.equal(e.code, 'state_mismatch');
    // The state was accepted once, and is gone.
    await rejectsWith('state_mismatch', () => c.handleRedirect(url, { cleanAddressBar: false }));
    stillWorks();
  }
});

test('defect 1: a storage that calls other functions in the middle of a call does not disturb its result', async () => {
  const storage = new MemoryStorage();
  const get = storage.getItem.bind(storage);
  const extraParams = {};
  for (let i = 0; i < 8; i++) extraParams[`x${i}`] = '€'.repeat(2700);
  const big = { clientId: 'c', extraParams }; // makes the shared buffer grow
  let inner;
  storage.getItem = (k) => { inner = g.authorizeURL(big); return get(k); };
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage });
  const { state } = c.authorize();
  const r = await c.handleRedirect(`${REDIRECT}?code=abc&state=${state}`, { cleanAddressBar: false });
  assert.equal(r.code, 'abc');
  assert.equal(r.state, state);
  assert.equal(new URL(inner.url).searchParams.get('x7'), '€'.repeat(2700));
  stillWorks();
});

test('defect 1: a crypto.getRandomValues that calls back into pkce gets an error for the inner call, and the module lives on', () => {
  const original = globalThis.crypto.getRandomValues;
  const innerErrors = [];
  let innerOK = 0;
  globalThis.crypto.getRandomValues = function (a) {
    try { g.pkce(); innerOK++; } catch (e) { innerErrors.push(e); }
    return original.call(globalThis.crypto, a);
  };
  try {
    // Enough calls to empty the module's pool of random bytes a few times.
    for (let i = 0; i < 100; i++) g.pkce();
  } finally {
    globalThis.crypto.getRandomValues = original;
  }
  assert.ok(innerErrors.length > 0, 'getRandomValues was never called back into');
  assert.equal(innerOK, 0, 'a call came back in during a refill and was served');
  for (const e of innerErrors) {
    assert.ok(e instanceof GoToAuthError);
    assert.equal(e.code, 'internal');
  }
  stillWorks();
});

test('defect 2: a body that stalls after the headers times out, even across garbage collections', { timeout: 30000 }, async () => {
  const c = client({ tokenEndpoint: `${base}/stall`, meEndpoint: `${base}/stall`, timeoutMs: 1500 });
  const calls = [c.refresh('r'), c.me('t'), c.exchangeCode(await checkedCode(c))];
  const settled = Promise.allSettled(calls);
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 100));
  }
  // A 40 MiB allocation, as a large body would make, forces another one.
  let garbage = new Uint8Array(40 * 1024 * 1024);
  garbage = null;
  gc();
  for (const r of await settled) {
    assert.equal(r.status, 'rejected');
    assert.ok(r.reason instanceof GoToAuthError);
    assert.equal(r.reason.code, 'network_error', r.reason.message);
    assert.match(r.reason.message, /in time/);
  }
  stillWorks();
});

test('defect 3: a 200 MiB body is not read whole, and an endless one stops at the cap, not the timeout', { timeout: 60000 }, async () => {
  const c = client({ tokenEndpoint: `${base}/huge`, meEndpoint: `${base}/endless`, timeoutMs: 600000 });
  const e = await rejectsWith('invalid_response', () => c.refresh('r'));
  assert.match(e.message, /1 MiB/);
  await rejectsWith('invalid_response', () => c.me('t'));
  // The server saw the client go away long before it had sent everything.
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(sent['/huge'] < 200 * 1024 * 1024, `the client read ${sent['/huge']} bytes`);
  stillWorks();
});

test('defect 4: timeoutMs outside 100 to 600000 is refused, never wrapped around', () => {
  for (const t of [18446744073810, 2 ** 53 - 1, 600001, 99, 0, -1, 1.5, NaN, Infinity, '300', 10n]) {
    throwsWith('invalid_argument', () => client({ timeoutMs: t }));
  }
  for (const t of [100, 1500, 600000]) client({ timeoutMs: t });
});

test('defect 5: input is carried whole or refused, never cut', () => {
  const extraParams = {};
  for (let i = 0; i < 64; i++) extraParams[`p${i}`] = '€'.repeat(2730);
  const a = g.authorizeURL({ clientId: 'cc', extraParams });
  const q = new URL(a.url).searchParams;
  for (let i = 0; i < 64; i++) assert.equal(q.get(`p${i}`), '€'.repeat(2730), `p${i} was cut`);
  // Past what the shared buffer carries: refused whole, with a clear error.
  const tooMuch = {};
  for (let i = 0; i < 64; i++) tooMuch[`p${i}`] = '€'.repeat(60000);
  const e = throwsWith('invalid_argument', () => g.authorizeURL({ clientId: 'cc', extraParams: tooMuch }));
  assert.match(e.message, /too large/);
  stillWorks();
});

test('defect 6: revoked Proxies and throwing getters become GoToAuthError', async () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const c = client();
  throwsWith('invalid_argument', () => g.client(proxy));
  throwsWith('invalid_argument', () => g.authorizeURL(proxy));
  throwsWith('invalid_argument', () => c.authorize(proxy));
  throwsWith('invalid_argument', () => g.normalizeTokenResponse(proxy));
  throwsWith('invalid_argument', () => g.client({ clientId: 'c', redirectUri: REDIRECT, storage: proxy }));
  throwsWith('invalid_argument', () => g.authorizeURL({ clientId: 'c', extraParams: proxy }));
  throwsWith('invalid_argument', () => g.normalizeTokenResponse({ access_token: 'a', token_type: 'Bearer', n: 10n }));
  const cyclic = { access_token: 'a', token_type: 'Bearer' };
  cyclic.self = cyclic;
  throwsWith('invalid_argument', () => g.normalizeTokenResponse(cyclic));
  const getter = { get cleanAddressBar() { throw new Error('boom'); } };
  await rejectsWith('invalid_argument', () => c.handleRedirect(`${REDIRECT}?code=a&state=s`, getter));
  await rejectsWith('invalid_argument', () => c.handleRedirect(`${REDIRECT}?code=a&state=s`, proxy));
  await rejectsWith('invalid_argument', () => c.exchangeCode(proxy));
  stillWorks();
});

test('defect 7: a redirect of 6,000 parameters is parsed (duplicates still refused)', () => {
  const params = Array.from({ length: 6000 }, (_, i) => `p${i}=v`).join('&');
  assert.equal(g.parseRedirect(`${REDIRECT}?code=c&state=s&${params}`).code, 'c');
  throwsWith('invalid_redirect', () => g.parseRedirect(`${REDIRECT}?code=c&state=s&${params}&p5999=w`));
});

test('defect 8: one answer to "which flow": config.flow is what authorize() starts', () => {
  for (const [given, want] of [['Implicit', 'implicit'], ['TOKEN', 'implicit'], ['token', 'implicit'], ['Code', 'code'], ['authorization_code', 'code'], [undefined, 'code']]) {
    const c = client(given === undefined ? {} : { flow: given });
    assert.equal(c.config.flow, want, String(given));
    const a = c.authorize();
    assert.equal(a.flow, want, String(given));
    assert.equal(new URL(a.url).searchParams.get('response_type'), want === 'code' ? 'code' : 'token');
  }
  throwsWith('unsupported', () => client({ flow: 'hybrid' }));
  throwsWith('unsupported', () => client({ flow: 'password' }));
});

test('a Node process exits once its calls are done: the module\'s timers hold nothing open', () => {
  // With a ten-minute timeout, a request timer that kept Node alive would
  // hold this child for ten minutes; it must exit as soon as it is done.
  const loader = new URL('../gotoauth-node.js', import.meta.url).href;
  const script = `import { createServer } from 'node:http';
import { load } from ${JSON.stringify(loader)};
const server = createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('{"access_token":"a","token_type":"Bearer","expires_in":3600}'); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const g = await load();
const c = g.client({ clientId: 'c', redirectUri: 'http://127.0.0.1/cb', tokenEndpoint: 'http://127.0.0.1:' + server.address().port + '/token', timeoutMs: 600000 });
const t = await c.refresh('r');
server.close();
console.log(t.accessToken);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.error, undefined, 'the child did not exit on its own');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'a');
});

test('a completed request is never aborted afterwards (no net::ERR_ABORTED for answered requests)', async () => {
  const server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ access_token: 'a', token_type: 'Bearer', expires_in: 3600 }));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const signals = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (url, init) => { signals.push(init.signal); return realFetch(url, init); };
  try {
    const c = g.client({ clientId: 'c', redirectUri: REDIRECT, clientSecret: 's', tokenEndpoint: `http://127.0.0.1:${server.address().port}/token`, storage: new MemoryStorage() });
    for (let i = 0; i < 5; i++) await c.refresh(`rt-${i}`);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(signals.length, 5);
    assert.deepEqual(signals.map((s) => s.aborted), [false, false, false, false, false]);
  } finally {
    globalThis.fetch = realFetch;
    server.close();
  }
});
