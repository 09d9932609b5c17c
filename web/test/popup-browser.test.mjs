// client.signInWithPopup and appState in Chromium and Firefox, against
// serve.go -emulator -relay: a popup sign-in through the relay (with app
// state), a popup the browser blocks, one the user closes, one where the
// user declines, and app state across a full-page redirect.
//
// The test page is served by the test's own app server (appserver.mjs),
// in front of serve.go. The page has a strict Content-Security-Policy
// (script-src 'self' 'wasm-unsafe-eval', as the demo's), so its script is a
// file of its own; the driver reads state the page sets, with evaluate of
// a string, never a function the page's CSP could refuse (Firefox 140).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { startApp } from './appserver.mjs';
import { BROWSERS, launch } from './browsers.mjs';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

const PAGE = `<!doctype html><meta charset="utf-8"><title>loading</title>
<button id="popup">Sign in (popup)</button>
<button id="blocked">Sign in (popup, blocked)</button>
<script type="module" src="/page.js"></script>`;

// The app: one client; the buttons start popup sign-ins; a page loaded at
// redirectUri handles the redirect (in a popup, that hands it to the
// opener). Results go to window.T, which the driver reads.
const SCRIPT = `import { load } from '/gotoauth.js';
// Every abort of a request's signal after its answer came is recorded:
// the module must never abort a completed request.
window.lateAborts = [];
const realFetch = window.fetch;
window.fetch = (url, init) => {
  let answered = false;
  init?.signal?.addEventListener('abort', () => { if (answered) window.lateAborts.push(String(url)); });
  const p = realFetch(url, init);
  p.then(() => { answered = true; }, () => {});
  return p;
};
const g = await load();
const c = g.client({
  clientId: 'gotoauth-demo',
  redirectUri: location.origin + '/page.html',
  scope: ['identity:scim.me'],
  authorizeEndpoint: location.origin + '/goto/oauth/authorize',
  meEndpoint: location.origin + '/goto/identity/v1/Users/me',
  relay: '/relay/',
});
const T = { c, popup: null, redirect: null, changes: [] };
window.T = T;
c.session.addEventListener('change', (e) => T.changes.push(e.detail.accessToken));
const report = (p) => p.then(
  (t) => ({ ok: true, accessToken: t.accessToken, refreshToken: t.refreshToken ?? null, appState: t.appState ?? null, current: c.session.current?.accessToken ?? null }),
  (e) => ({ ok: false, code: e.code, message: e.message }));
document.getElementById('popup').onclick = async () => {
  T.popup = 'pending';
  T.popup = await report(c.signInWithPopup({ appState: { returnTo: '/inbox', n: 1 } }));
};
document.getElementById('blocked').onclick = async () => {
  const open = window.open;
  window.open = () => null; // what a browser's popup blocker does
  T.popup = 'pending';
  try {
    T.popup = await report(c.signInWithPopup());
  } finally {
    window.open = open;
  }
};
if (/[?&#]state=/.test(location.href)) {
  T.redirect = 'pending';
  try {
    const r = await c.handleRedirect();
    const t = r.kind === 'code' ? await c.exchangeCode(r) : null;
    T.redirect = { kind: r.kind, appState: r.appState ?? null, accessToken: t?.accessToken ?? null };
  } catch (e) {
    T.redirect = { error: e.code, message: e.message };
  }
}
document.title = 'ready';
`;

let serve;
let app;
let appBase;
const relayRequests = [];

before(async () => {
  serve = await startServer({ relay: true });
  app = await startApp(serve, (req, res, path) => {
    if (path.startsWith('/relay/')) relayRequests.push(path);
    if (path === '/page.html' || path === '/page.js') {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Security-Policy', CSP);
      res.setHeader('Content-Type', path === '/page.js' ? 'text/javascript' : 'text/html; charset=utf-8');
      res.end(path === '/page.js' ? SCRIPT : PAGE);
      return true;
    }
    return false;
  }, { csp: CSP });
  appBase = app.base;
});

after(async () => {
  await app?.close();
  await serve?.stop();
});

/** Polls a JS expression (a string: no function for the page's CSP to refuse) until it is truthy; its JSON value. */
async function until(page, expression, { timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    let v;
    try {
      v = await page.evaluate(`(() => { try { return JSON.stringify(${expression}); } catch { return undefined; } })()`);
    } catch { /* navigating */ }
    if (v !== undefined && v !== 'null' && v !== 'false' && v !== '"pending"' && v !== '""') return JSON.parse(v);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression} (last: ${v})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function openPage(page) {
  await page.goto(`${appBase}/page.html`);
  await until(page, "document.title === 'ready' && !!window.T");
}

/**
 * Clicks the element (a raw puppeteer Page's), once the page has it: an
 * element handle's click, whose checks run no function in the page
 * (puppeteer's locators poll with one, which the page's CSP refuses in
 * Firefox 140).
 */
async function click(raw, selector) {
  await present(raw, selector);
  const el = await raw.$(selector);
  try {
    await el.click();
  } finally {
    await el.dispose().catch(() => {});
  }
}

/** Waits until the raw page has an element matching selector. */
async function present(raw, selector) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    let found = false;
    try {
      found = await raw.evaluate(`!!document.querySelector(${JSON.stringify(selector)})`);
    } catch { /* navigating */ }
    if (found) return;
    if (Date.now() > deadline) throw new Error(`no ${selector} in ${raw.url()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Clicks selector in page and resolves to the popup it opens (puppeteer's raw Page). */
async function clickForPopup(page, selector) {
  const popup = new Promise((resolve) => page.raw.once('popup', resolve));
  await click(page.raw, selector);
  const p = await popup;
  p.setDefaultTimeout(30_000);
  return p;
}

async function closedSoon(raw) {
  for (let i = 0; i < 200 && !raw.isClosed(); i++) await new Promise((r) => setTimeout(r, 50));
  return raw.isClosed();
}

for (const name of BROWSERS) {
  test(`popup sign-in and app state in ${name}`, { timeout: 240_000 }, async (t) => {
    const browser = await launch(name);
    t.after(() => browser.close());
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await openPage(page);

    // Never signed in: session.token() knows it without asking the relay
    // (no 401 in the console).
    relayRequests.length = 0;
    await page.evaluate("T.c.session.token().then(() => { T.restored = 'resolved'; }, (e) => { T.restored = e.code; }); 1");
    assert.equal(await until(page, 'T.restored'), 'reauthenticate');
    assert.deepEqual(relayRequests, [], 'a signed-out page asked the relay');

    // A popup the browser blocks: popup_blocked, nothing else happens.
    await click(page.raw, '#blocked');
    const blocked = await until(page, 'T.popup');
    assert.equal(blocked.ok, false);
    assert.equal(blocked.code, 'popup_blocked', blocked.message);

    // A popup the user closes: popup_closed.
    let popup = await clickForPopup(page, '#popup');
    await present(popup, '#allow');
    await popup.close();
    const closed = await until(page, 'T.popup');
    assert.equal(closed.code, 'popup_closed', closed.message);

    // The user declines in the popup: the opener gets the OAuth error.
    popup = await clickForPopup(page, '#popup');
    await click(popup, '#deny');
    const denied = await until(page, 'T.popup');
    assert.equal(denied.ok, false);
    assert.equal(denied.code, 'oauth_error', denied.message);
    assert.ok(await closedSoon(popup), 'the popup closed itself');

    // A popup sign-in through the relay, with app state.
    popup = await clickForPopup(page, '#popup');
    await click(popup, '#allow');
    const signedIn = await until(page, 'T.popup');
    assert.equal(signedIn.ok, true, signedIn.message);
    assert.ok(signedIn.accessToken);
    assert.equal(signedIn.refreshToken, null, 'no refresh token reaches the page');
    assert.deepEqual(signedIn.appState, { returnTo: '/inbox', n: 1 });
    assert.equal(signedIn.current, signedIn.accessToken, 'client.session holds the token');
    assert.ok(await closedSoon(popup), 'the popup closed itself');
    assert.deepEqual(await until(page, 'T.changes'), [signedIn.accessToken]);
    // The code was exchanged once, by the opener: a refresh through the
    // relay works from here (its cookie was set for this origin).
    await page.evaluate("T.c.refresh().then((t) => { T.refreshed = t.accessToken; }, (e) => { T.refreshed = 'failed: ' + e.code; }); 1");
    const refreshed = await until(page, 'T.refreshed');
    assert.doesNotMatch(refreshed, /^failed/);

    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await until(page, 'window.lateAborts'), [], 'a completed request was aborted');

    // A reload restores the session from the relay's cookie.
    await openPage(page);
    await page.evaluate("T.c.session.token().then((t) => { T.restored = t.accessToken; }, (e) => { T.restored = 'failed: ' + e.code; }); 1");
    assert.doesNotMatch(await until(page, 'T.restored'), /^failed/);

    // App state across a full-page redirect; never in the URL.
    const url = await until(page, "T.c.authorize({ appState: { returnTo: '/inbox?tab=2' } }).url");
    assert.ok(!url.includes('inbox'));
    await page.goto(url);
    await click(page.raw, '#allow');
    await page.waitForURL((u) => u.pathname === '/page.html');
    await until(page, "document.title === 'ready'");
    const redirected = await until(page, 'T.redirect');
    assert.equal(redirected.kind, 'code', redirected.message);
    assert.deepEqual(redirected.appState, { returnTo: '/inbox?tab=2' });
    assert.ok(redirected.accessToken);
    assert.ok(!(await page.href()).includes('code='), 'the address bar was cleaned');

    assert.deepEqual(errors, []);
    // The module aborted no request after its answer (browsers show such
    // an abort as net::ERR_ABORTED on a completed request).
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await until(page, 'window.lateAborts'), []);
  });
}
