// client.session across two tabs (two pages of one browser context, so
// that they share cookies, BroadcastChannel and Web Locks), in Chromium and
// Firefox, against serve.go -emulator -relay.
//
// The test page is served by the test's own app server (appserver.mjs),
// which also serves a resource that answers 429 then 200 and one that
// always answers 401.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, consent } from './server.mjs';
import { startApp } from './appserver.mjs';
import { BROWSERS, launch } from './browsers.mjs';

const PAGE = `<!doctype html><meta charset="utf-8"><title>loading</title>
<script type="module">
import { load } from '/gotoauth.js';
const g = await load();
const c = g.client({
  clientId: 'gotoauth-demo',
  redirectUri: location.origin + '/page.html',
  scope: ['identity:scim.me'],
  flow: 'code',
  authorizeEndpoint: location.origin + '/goto/oauth/authorize',
  meEndpoint: location.origin + '/goto/identity/v1/Users/me',
  relay: '/relay/',
  // session.fetch goes to the app's own loopback origin here (the emulator's
  // /me through the proxy, the test's /api/): GoTo's API hosts are the default.
  apiOrigins: [location.origin],
});
const events = [];
for (const type of ['change', 'signedout', 'expired']) {
  c.session.addEventListener(type, (e) => events.push({ type, source: e.source, accessToken: e.detail?.accessToken ?? null, refreshToken: e.detail?.refreshToken }));
}
window.T = { g, c, events };
document.title = 'ready';
</script>`;

let serve;   // serve.go
let app;     // the test page's server
let appBase;
const counts = { relayRefresh: 0, busy: 0, always401: 0, busyAuth: [] };
let busyTimes = 0;

before(async () => {
  serve = await startServer({ relay: true });
  app = await startApp(serve, (req, res, path) => {
    if (path === '/relay/refresh') counts.relayRefresh++;
    if (path === '/page.html') {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(PAGE);
      return true;
    }
    if (path === '/api/busy') {
      counts.busy++;
      counts.busyAuth.push(req.headers.authorization);
      if (busyTimes > 0) {
        busyTimes--;
        res.statusCode = 429;
        res.setHeader('Retry-After', '1');
        res.end('busy');
      } else {
        res.end('ok');
      }
      return true;
    }
    if (path === '/api/always401') {
      counts.always401++;
      res.statusCode = 401;
      res.end('no');
      return true;
    }
    return false;
  });
  appBase = app.base;
});

after(async () => {
  await app?.close();
  await serve?.stop();
});

async function stats() {
  const r = await fetch(`${serve.base}/goto/_emulator/stats`);
  assert.equal(r.status, 200);
  return r.json();
}

async function openPage(page) {
  await page.goto(`${appBase}/page.html`);
  await page.waitForFunction(() => document.title === 'ready' && window.T);
}

for (const name of BROWSERS) {
  test(`session across two tabs in ${name}`, { timeout: 180_000 }, async (t) => {
    const browser = await launch(name);
    t.after(() => browser.close());
    const tab1 = await browser.newPage();
    const errors = [];
    tab1.on('pageerror', (e) => errors.push(e));
    await openPage(tab1);

    // Sign in in tab 1 (the consent is given from here, as the user would).
    const url = await tab1.evaluate(() => T.c.authorize().url);
    await tab1.goto(await consent(url));
    await tab1.waitForFunction(() => document.title === 'ready' && window.T);
    const signedIn = await tab1.evaluate(async () => {
      const tok = await T.c.exchangeCode(await T.c.handleRedirect());
      return { accessToken: tok.accessToken, refreshToken: tok.refreshToken ?? null, current: T.c.session.current.accessToken };
    });
    assert.equal(signedIn.refreshToken, null, 'no refresh token reaches the page');
    assert.equal(signedIn.current, signedIn.accessToken, 'exchangeCode filled the session');

    // Tab 2 has no token: it asks tab 1 over the channel, no refresh.
    const tab2 = await tab1.sibling();
    tab2.on('pageerror', (e) => errors.push(e));
    await openPage(tab2);
    const before2 = await stats();
    const refreshesBefore = counts.relayRefresh;
    assert.equal(await tab2.evaluate(async () => (await T.c.session.token()).accessToken), signedIn.accessToken);
    assert.equal(counts.relayRefresh, refreshesBefore, 'the other tab answered');
    // Each tab's change event says where its token came from.
    assert.deepEqual((await tab1.evaluate(() => T.events)).map((e) => [e.type, e.source]), [['change', 'exchange']]);
    assert.deepEqual((await tab2.evaluate(() => T.events)).map((e) => [e.type, e.source]), [['change', 'tab']]);

    // Both tabs hit 401 at the same moment: the access token is expired at
    // the emulator, and both call SCIM /me through session.fetch.
    const exp = await fetch(`${serve.base}/goto/_emulator/expire-access-token`, {
      method: 'POST', body: new URLSearchParams({ access_token: signedIn.accessToken }),
    });
    assert.equal(exp.status, 204);
    const at = Date.now() + 400;
    const go = (tab) => tab.evaluate(async (at) => {
      await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
      const r = await T.c.session.fetch(location.origin + '/goto/identity/v1/Users/me');
      return { status: r.status, userName: r.ok ? (await r.json()).userName : null, current: T.c.session.current?.accessToken };
    }, at);
    const [r1, r2] = await Promise.all([go(tab1), go(tab2)]);
    assert.equal(r1.status, 200, JSON.stringify(r1));
    assert.equal(r2.status, 200, JSON.stringify(r2));
    assert.ok(r1.userName);
    assert.notEqual(r1.current, signedIn.accessToken);
    assert.equal(r1.current, r2.current, 'both tabs hold the one new token');
    const after2 = await stats();
    assert.equal(after2.refreshes - before2.refreshes, 1, 'two tabs, two 401s: one refresh at the token endpoint');
    assert.ok(counts.relayRefresh - refreshesBefore >= 1);
    // The change events carried no refresh token, in either tab.
    for (const tab of [tab1, tab2]) {
      const events = await tab.evaluate(() => T.events);
      assert.ok(events.some((e) => e.type === 'change' && e.accessToken === r1.current));
      assert.ok(events.every((e) => e.refreshToken === undefined));
    }
    // Tokens are in no storage.
    for (const tab of [tab1, tab2]) {
      const stored = await tab.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
      assert.ok(!stored.includes(r1.current), 'the token is in Web Storage');
    }

    // A persistent 401: one refresh, one retry, then the 401 as it is.
    counts.always401 = 0;
    const refreshesBefore3 = counts.relayRefresh;
    const p = await tab1.evaluate(async () => {
      const r = await T.c.session.fetch(location.origin + '/api/always401');
      return { status: r.status, text: await r.text() };
    });
    assert.deepEqual(p, { status: 401, text: 'no' });
    assert.equal(counts.always401, 2);
    assert.equal(counts.relayRefresh - refreshesBefore3, 1);

    // Retry-After is honoured: 429 with Retry-After: 1, then 200.
    busyTimes = 1;
    counts.busy = 0;
    counts.busyAuth = [];
    const b = await tab2.evaluate(async () => {
      const t0 = performance.now();
      const r = await T.c.session.fetch(location.origin + '/api/busy');
      return { status: r.status, text: await r.text(), waited: performance.now() - t0 };
    });
    assert.equal(b.status, 200);
    assert.equal(b.text, 'ok');
    assert.ok(b.waited >= 900, `waited ${b.waited} ms`);
    assert.equal(counts.busy, 2);
    assert.ok(counts.busyAuth.every((a) => /^Bearer ./.test(a)));

    // Sign-out in tab 1 reaches tab 2.
    await tab1.evaluate(() => T.c.signOut());
    await tab2.waitForFunction(() => T.events.some((e) => e.type === 'signedout'), undefined, { timeout: 10_000 });
    const after = await tab2.evaluate(async () => {
      try {
        await T.c.session.token();
        return 'resolved';
      } catch (err) {
        return err.code;
      }
    });
    assert.equal(after, 'reauthenticate');
    assert.equal(await tab2.evaluate(() => T.c.session.current), null);
    assert.deepEqual(errors, []);
  });
}
