// The module on demand, in Chromium and Firefox, against serve.go
// -emulator -relay: a signed-in reload in relay mode gets its first token
// from the relay with no gotoauth.wasm fetched before it, and one script,
// gotoauth.js (the browser entry is one file); a call that needs
// the module while it loads waits for it; a module that cannot be loaded
// fails only the calls that need it; a lone tab asks no other tab; two tabs
// reloaded at once reach GoTo once; apiOrigins given before the module are
// held to Go's TLS rule once it runs, before session.fetch sends anything;
// load()'s timeoutMs bounds a module start that comes after load() resolved.
//
// The page logs, in order, what it fetched (window.fetch, which the loader
// fetches the module with) and what it posted on BroadcastChannels, and
// when its first token came.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, consent } from './server.mjs';
import { startApp } from './appserver.mjs';
import { BROWSERS, launch } from './browsers.mjs';

const PAGE = `<!doctype html><meta charset="utf-8"><title>loading</title>
<script type="module">
const log = [];
const realFetch = window.fetch;
window.fetch = function (input, init) {
  log.push('fetch ' + new URL(input instanceof Request ? input.url : String(input), location.href).pathname);
  return realFetch.call(this, input, init);
};
const realPost = BroadcastChannel.prototype.postMessage;
BroadcastChannel.prototype.postMessage = function (m) {
  log.push('post ' + m?.type);
  return realPost.call(this, m);
};
const q = new URLSearchParams(location.search);
const { load } = await import('/gotoauth.js');
const how = q.has('fail') ? { wasmURL: '/missing.wasm' } : q.has('stall') ? { wasmURL: '/stall.wasm', timeoutMs: 500 } : undefined;
const g = await load(how);
const config = {
  clientId: 'gotoauth-demo',
  redirectUri: location.origin + '/page.html',
  scope: ['identity:scim.me'],
  flow: 'code',
  authorizeEndpoint: location.origin + '/goto/oauth/authorize',
  meEndpoint: location.origin + '/goto/identity/v1/Users/me',
  relay: '/relay/',
};
const c = g.client(config);
// client.config: made by Go when the module runs, else from the contract.
const out = { log, config: JSON.stringify(c.config) };
window.T = { g, c, out };
if (q.has('restore')) {
  try {
    const t = await c.session.token();
    log.push('token');
    // The scripts fetched by then: the browser entry is one file.
    out.scriptsAtToken = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => /\.m?js$/.test(p));
    out.token = t.accessToken;
    // What needs the module, called while it may still be loading.
    try { g.pkce(); out.pkceAtToken = 'ready'; } catch (e) { out.pkceAtToken = e.code; }
    // apiOrigins of a client made before the module: Go's TLS rule (an
    // http origin off loopback) is applied once the module runs, before
    // session.fetch sends anything.
    const httpAPI = { ...config, apiOrigins: ['http://api.example.com'] };
    const early = g.client(httpAPI);
    try {
      out.me = (await c.me(t.accessToken)).userName;
    } catch (e) {
      out.meError = e.code;
      out.meMessage = e.message;
    }
    try {
      await early.session.fetch('http://api.example.com/never', { headers: { Authorization: 'Bearer app-own' } });
      out.earlyFetch = 'sent';
    } catch (e) {
      out.earlyFetch = e.code + ': ' + e.message;
    }
    early.close();
    // Once the module runs, such a client is refused when it is made.
    try { g.client(httpAPI).close(); out.later = 'made'; } catch (e) { out.later = e.code; }
    // What needs no module works whatever became of it.
    out.again = (await c.session.token()).accessToken === t.accessToken;
    out.isRedirect = c.isRedirect();
    try { c.authorize(); out.authorize = 'ok'; } catch (e) { out.authorize = e.code; }
  } catch (e) {
    out.error = e.code + ': ' + e.message;
  }
}
document.title = 'ready';
</script>`;

let serve;
let app;
let appBase;
const counts = { relayRefresh: 0 };
const stalled = []; // answers to /stall.wasm, never sent

before(async () => {
  serve = await startServer({ relay: true });
  app = await startApp(serve, (req, res, path) => {
    if (path === '/relay/refresh') counts.relayRefresh++;
    if (path === '/stall.wasm') {
      stalled.push(res);
      return true;
    }
    if (path === '/page.html') {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(PAGE);
      return true;
    }
    return false;
  });
  appBase = app.base;
});

after(async () => {
  for (const res of stalled) res.destroy();
  await app?.close();
  await serve?.stop();
});

async function refreshesAtGoTo() {
  const r = await fetch(`${serve.base}/goto/_emulator/stats`);
  assert.equal(r.status, 200);
  return (await r.json()).refreshes;
}

async function open(page, query = '') {
  await page.goto(`${appBase}/page.html${query}`);
  await page.waitForFunction(() => document.title === 'ready' && window.T);
  return page.evaluate(() => JSON.parse(JSON.stringify(T.out)));
}

const wasmFetched = (log) => log.some((l) => /^fetch .*\.wasm$/.test(l));

for (const name of BROWSERS) {
  test(`the module on demand in ${name}`, { timeout: 180_000 }, async (t) => {
    const browser = await launch(name);
    t.after(() => browser.close());
    const tab1 = await browser.newPage();
    const errors = [];
    tab1.on('pageerror', (e) => errors.push(e));

    // A first visit (no sign-in in this browser): load() waits for the module, as always.
    let out = await open(tab1);
    assert.ok(wasmFetched(out.log), 'a first visit loads the module');
    const goConfig = out.config;
    const url = await tab1.evaluate(() => T.c.authorize().url);
    await tab1.goto(await consent(url));
    await tab1.waitForFunction(() => document.title === 'ready' && window.T);
    await tab1.evaluate(async () => { await T.c.exchangeCode(await T.c.handleRedirect()); });

    // Two tabs reloaded at once: one refresh reaches GoTo, and both hold its token.
    const tab2 = await tab1.sibling();
    tab2.on('pageerror', (e) => errors.push(e));
    const before2 = await refreshesAtGoTo();
    const [o1, o2] = await Promise.all([open(tab1, '?restore'), open(tab2, '?restore')]);
    assert.equal(o1.error, undefined, o1.error);
    assert.equal(o2.error, undefined, o2.error);
    assert.equal(o1.token, o2.token, 'both tabs hold one token');
    assert.equal(await refreshesAtGoTo() - before2, 1, 'GoTo was asked for one refresh');
    await tab2.close();

    // A lone signed-in tab, reloaded: its first token from the relay, no
    // module fetched before it and no other tab asked (no wait for nobody);
    // then me(), which needs the module, waits for it and succeeds.
    const refreshes = counts.relayRefresh;
    out = await open(tab1, '?restore');
    assert.equal(out.error, undefined, out.error);
    assert.equal(counts.relayRefresh - refreshes, 1);
    const tokenAt = out.log.indexOf('token');
    assert.ok(tokenAt >= 0, JSON.stringify(out.log));
    assert.ok(!wasmFetched(out.log.slice(0, tokenAt)), `no module before the first token: ${out.log}`);
    assert.deepEqual(out.scriptsAtToken, ['/gotoauth.js'], 'one script before the first token');
    assert.ok(!out.log.slice(0, tokenAt).includes('post ask'), `a lone tab asks no other tab: ${out.log}`);
    assert.equal(out.pkceAtToken, 'not_ready', 'the module was still loading when me() was called');
    assert.equal(out.me, 'mister.jones@fakemail.com');
    assert.ok(wasmFetched(out.log), 'the module came when me() needed it');
    assert.equal(out.authorize, 'ok');
    assert.equal(out.config, goConfig, 'a client made before the module has the configuration Go makes');
    assert.match(out.earlyFetch, /^invalid_argument: apiOrigins\[0\] http:\/\/api\.example\.com is refused/);
    assert.equal(out.later, 'invalid_argument');
    assert.ok(!out.log.some((l) => l.includes('/never')), `nothing sent: ${out.log}`);

    // A module that cannot be loaded fails only the calls that need it.
    out = await open(tab1, '?restore&fail');
    assert.equal(out.error, undefined, out.error);
    assert.ok(out.token);
    assert.equal(out.meError, 'load_failed');
    assert.equal(out.authorize, 'load_failed');
    assert.match(out.earlyFetch, /^load_failed: /);

    // A module that never comes: load() resolved at once, so its timeoutMs
    // bounds the module's start, and the calls waiting for it fail.
    out = await open(tab1, '?restore&stall');
    assert.equal(out.error, undefined, out.error);
    assert.ok(out.token);
    assert.equal(out.meError, 'load_failed');
    assert.match(out.meMessage, /the server did not answer within 500 ms \(timeoutMs\)/);
    assert.equal(out.again, true);
    assert.equal(out.isRedirect, false);
    assert.deepEqual(errors, []);
  });
}
