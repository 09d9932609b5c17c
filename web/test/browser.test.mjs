// The demo page in headless Chromium and headless Firefox (Debian's
// chromium and firefox-esr), driven by puppeteer-core through
// ./browsers.mjs, against serve.go with its GoTo emulator and its token
// relay, as `make run` serves it: what a person does and sees. The code flow
// goes through the relay, which holds the client secret and, in an HttpOnly
// cookie, the refresh token; neither ever reaches the page. A second
// serve.go without the relay serves the page as it is against GoTo alone.
// Every test runs in each browser, and its name says which.
//
// The demo signs in through the package's public API only (gotoauth.js and
// client.session), so what these tests see across tabs (one refresh for
// two tabs, a sign-out reaching the other tab, a reload restoring the
// sign-in) is the library's session at work. The tests watch the page as
// a person does (its text and elements) and the network (the emulator's
// counts, the relay's cookie): the demo carries no hooks for them.
//
// Puppeteer adds `__ariaQuerySelector*` globals to the pages it drives; see
// browsers.mjs before checking a page's globals.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { BROWSERS, launch } from './browsers.mjs';
import { startServer } from './server.mjs';
import { startApp } from './appserver.mjs';

const ARTEFACTS = new URL('../test-results/', import.meta.url);
// The emulator's demo client (web/emulator: DemoClientID, DemoClientSecret),
// which the relay signs in as; the page must never see the secret.
const DEMO_CLIENT = 'gotoauth-demo';
const DEMO_SECRET = 'gotoauth+demo/secret==';
// The relay's cookie and header, read from the relay contract's one home
// (wasm/relayapi: CookieName, Header, HeaderValue).
const RELAY_API = readFileSync(new URL('../../wasm/relayapi/relayapi.go', import.meta.url), 'utf8');
const relayConst = (name) => RELAY_API.match(new RegExp(`\\b${name}\\s*=\\s*"([^"]+)"`))[1];
const RELAY_COOKIE = relayConst('CookieName');
const RELAY_HEADER = { [relayConst('Header')]: relayConst('HeaderValue') };

let server; // serve.go -emulator -relay, as `make run`
let plain; // serve.go -emulator: no relay

before(async () => {
  [server, plain] = await Promise.all([startServer({ relay: true }), startServer()]);
});
after(async () => {
  await Promise.all([server?.stop(), plain?.stop()]);
});

/**
 * Opens the demo on base (the relay's server unless told) in a fresh page,
 * or in the page given, with its console and errors collected: problems are
 * errors and anything token-like on the console, messages every console
 * message, for the scans of assertNothingSecret.
 */
async function openDemo(browser, { base = server.base, page, path = '/' } = {}) {
  page ??= await browser.newPage();
  const problems = [];
  const messages = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e?.message ?? e}`));
  page.on('console', (m) => {
    messages.push(m.text());
    if (m.type() === 'error' && !restoreNote(m)) problems.push(`console: ${m.text()}`);
    // Tokens never go to the console.
    if (/access_token|refresh_token|eyJ|[A-Za-z0-9_-]{40,}/.test(m.text())) problems.push(`console shows a secret-like value: ${m.text()}`);
  });
  await page.goto(base + path);
  await started(page);
  return { page, problems, messages };
}

/**
 * Chromium's console note of a refused refresh at a relay: a page that
 * opens restores its session with session.token(), which asks the relay
 * and, with no cookie there, gets a 401 (reauthenticate: not signed in).
 * Firefox notes nothing.
 */
function restoreNote(m) {
  return /^Failed to load resource: the server responded with a status of (401|404)\b/.test(m.text()) &&
    /\/refresh$/.test(m.location()?.url ?? '');
}

/**
 * Waits for the demo to have started as a person sees it: the form filled
 * (the mode line says how the page signs in) and a status shown.
 */
async function started(page) {
  await page.waitForFunction(() => document.querySelector('#mode').textContent !== 'Loading…' && document.querySelector('#status').textContent !== '');
}

/** Waits for the status line to match re, and returns it. */
function statusMatches(page, re) {
  return page.waitForFunction((source) => {
    const t = document.querySelector('#status').textContent;
    return new RegExp(source).test(t) && t;
  }, re.source);
}

/** Waits for the error box, and returns the code it shows (with the OAuth error, as "oauth_error: access_denied"). */
async function shownError(page) {
  await page.waitForSelector('#error:not([hidden])');
  return page.textContent('#error-code');
}

/**
 * Neither the document's location nor the URL the browser reports (the
 * address bar) keeps a code, state or token. The browser's report comes as
 * a protocol event, so it is given a moment to arrive.
 */
async function assertCleanAddress(page) {
  const dirty = (u) => ['code=', 'state=', 'access_token=', 'token_type=', 'type=bearer'].find((p) => u.includes(p));
  const href = await page.href();
  assert.equal(dirty(href), undefined, `the address bar still has ${dirty(href)}: ${href}`);
  const deadline = Date.now() + 5000;
  while (dirty(await page.addressBar()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const u = await page.addressBar();
  assert.equal(dirty(u), undefined, `the address bar still has ${dirty(u)}: ${u}`);
}

/**
 * The relay's cookie as the browser holds it (the browser's cookie API:
 * script on the page cannot read it), checked to be HttpOnly, SameSite=
 * Strict and for /relay/ only; undefined when there is none.
 */
async function relayCookie(page) {
  const found = (await page.cookies()).filter((c) => c.name === RELAY_COOKIE);
  assert.ok(found.length <= 1, `${found.length} relay cookies`);
  const [c] = found;
  if (c) {
    assert.equal(c.httpOnly, true, 'the relay cookie is HttpOnly');
    assert.equal(c.sameSite, 'Strict', 'the relay cookie is SameSite=Strict');
    assert.equal(c.path, '/relay/', 'the relay cookie is for /relay/ only');
    assert.equal(c.domain, '127.0.0.1');
    assert.ok(c.value.length > 40, 'the relay cookie holds the sealed refresh token');
  }
  return c;
}

/**
 * Nothing the page holds or has logged carries any of secrets: the
 * document, sessionStorage, localStorage, document.cookie (which must not
 * show the HttpOnly cookie either) and every console message so far.
 */
async function assertNothingSecret(page, messages, secrets) {
  const held = await page.evaluate(() => ({
    html: document.documentElement.outerHTML,
    sessionStorage: JSON.stringify({ ...sessionStorage }),
    localStorage: JSON.stringify({ ...localStorage }),
    cookie: document.cookie,
  }));
  held.console = messages.join('\n');
  for (const [where, text] of Object.entries(held)) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${where} holds ${secret.slice(0, 12)}…`);
  }
  assert.ok(!held.cookie.includes(RELAY_COOKIE), 'script can read the relay cookie');
}

async function signIn(page, flow, decision = 'allow') {
  await page.selectOption('#flow', flow);
  await page.click('#sign-in');
  await page.waitForURL(/\/goto\/oauth(2\/v2)?\/(authorize|grant)\?/);
  await page.click(decision === 'allow' ? '#allow' : '#deny');
  await page.waitForURL((u) => u.pathname === '/');
}

/** Clicks Refresh and waits for the page to show a new access token, which it returns. */
async function refresh(page) {
  const before = await page.textContent('#token-access');
  await page.click('#refresh');
  return newToken(page, before);
}

/** The emulator ages every refresh token of the demo client: its next refresh rotates it. */
async function ageRefreshTokens() {
  const r = await fetch(`${server.base}/goto/_emulator/age-refresh-token`, { method: 'POST', body: new URLSearchParams({ client_id: DEMO_CLIENT }) });
  assert.equal(r.status, 204);
}

/** The emulator's counts of token requests so far: {tokenRequests, refreshes, codes}. */
async function stats() {
  const r = await fetch(`${server.base}/goto/_emulator/stats`);
  assert.equal(r.status, 200);
  return r.json();
}

/**
 * Moves the page's clock (Date, which the Go runtime reads for the time of
 * day) ms ahead; the monotonic clock that drives Go's timers is left as it
 * is. Shifts add up.
 */
function shiftClock(page, ms) {
  return page.evaluate((shift) => {
    const Prev = Date;
    globalThis.Date = class extends Prev {
      constructor(...args) {
        if (args.length === 0) super(Prev.now() + shift);
        else super(...args);
      }
      static now() { return Prev.now() + shift; }
    };
  }, ms);
}

/**
 * Waits until no tab of the page's origin is refreshing: no lock of the
 * library's refreshes (the Web Lock 'gotoauth:refresh:<clientId>') is held
 * or asked for, as the browser's Web Locks report them. A tab that renews
 * asks for the lock at once, so once every tab shows its new token and no
 * lock is about, no refresh is left to come.
 */
function noRefreshUnderWay(page) {
  return page.waitForFunction(async () => {
    const { held, pending } = await navigator.locks.query();
    return ![...held, ...pending].some((l) => l.name.startsWith('gotoauth:refresh:'));
  });
}

/** Waits for the page's token panel to be hidden. */
function signedOut(page) {
  return page.waitForFunction(() => document.querySelector('#token-panel').hidden);
}

/** Waits for the page to show an access token other than `access`, and returns it. */
function newToken(page, access) {
  return page.waitForFunction((a) => {
    const t = document.querySelector('#token-access').textContent;
    return t !== a && t !== '' && t;
  }, access);
}

for (const name of BROWSERS) {
  describe(`the demo in ${name}`, () => {
    let browser;

    before(async () => {
      browser = await launch(name);
    }, { timeout: 120_000 });
    after(async () => {
      await browser?.close();
    });

    test(`${name}: code flow through the relay: signed in, profile, refresh, rotation, no secret or refresh token in the page`, async () => {
      const { page, problems, messages } = await openDemo(browser);
      // The page is preset from serve.go's config and the emulator's info.
      assert.equal(await page.inputValue('#client-id'), DEMO_CLIENT);
      assert.equal(await page.inputValue('#relay'), '/relay/');
      assert.equal(await page.inputValue('#flow'), 'code');
      assert.match(await page.textContent('#mode'), /emulator and the token relay: the code flow goes through the relay/);
      await signIn(page, 'code');
      await page.waitForSelector('#token-panel:not([hidden])');
      await assertCleanAddress(page);
      assert.equal(await page.textContent('#token-principal'), 'mister.jones@fakemail.com');
      assert.equal(await page.textContent('#token-scopes'), 'identity:scim.me');
      assert.equal(await page.textContent('#token-legacy'), 'none (today\'s format)');
      assert.match(await page.textContent('#token-expiry'), /^(59m|1h0m)/);
      // The access token is masked on the page and absent from storage.
      const access = await page.textContent('#token-access');
      assert.match(access, /… \(\d+ characters\)$/);
      const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
      assert.ok(!stored.includes(access.slice(0, 6)), 'a token prefix is in web storage');
      // The refresh token stays with the relay, sealed in its HttpOnly cookie.
      assert.equal(await page.textContent('#token-refresh'), 'held by the relay (HttpOnly cookie)');
      assert.equal(await page.isDisabled('#refresh'), false);
      assert.match(await page.textContent('#token-help'), /the library gets through the relay: one tab at a time/);
      const cookie = await relayCookie(page);
      assert.ok(cookie, 'the relay set its cookie');
      await assertNothingSecret(page, messages, [DEMO_SECRET, 'refresh_token', cookie.value]);
      // The countdown counts down.
      const before = await page.textContent('#token-expiry');
      await page.waitForFunction((b) => document.querySelector('#token-expiry').textContent !== b, before, { timeout: 5000 });

      await page.click('#fetch-me');
      await page.waitForSelector('#profile:not([hidden])');
      assert.equal(await page.textContent('#me-id'), '8439885694023999999');
      assert.equal(await page.textContent('#legacy-organizer_key'), '8439885694023999999');
      assert.equal(await page.textContent('#legacy-account_key'), '9999982253621659654');
      assert.equal(await page.textContent('#legacy-firstName'), 'Moon');

      mkdirSync(ARTEFACTS, { recursive: true });
      await page.screenshot({ path: new URL(`signed-in-${name}.png`, ARTEFACTS).pathname, fullPage: true });

      // Refresh, twice. The emulator first ages the refresh token to its
      // last hour, when GoTo rotates it: the first refresh brings a new one,
      // which the relay seals into a new cookie; the second works with that
      // rotated cookie, and, the new refresh token being young, the relay
      // keeps it. Each brings a new access token from the emulator. (A
      // refresh repeated with one cookie within moments may be answered
      // from the relay's memory, so no refresh here repeats a cookie.)
      await ageRefreshTokens();
      const first = await refresh(page);
      assert.match(await page.textContent('#status'), /^New token from the relay at \d\d:\d\d:\d\d; the refresh token stays in its HttpOnly cookie\.$/);
      assert.equal(await page.textContent('#token-refresh'), 'held by the relay (HttpOnly cookie)');
      const rotated = await relayCookie(page);
      assert.ok(rotated && rotated.value !== cookie.value, 'the relay replaced its cookie with the rotated refresh token');
      assert.notEqual(first, access, 'a new access token');
      await refresh(page);
      assert.match(await page.textContent('#status'), /^New token from the relay at \d\d:\d\d:\d\d; the refresh token stays in its HttpOnly cookie\.$/);
      assert.equal((await relayCookie(page)).value, rotated.value, 'the relay kept the rotated cookie');
      assert.notEqual(await page.textContent('#token-access'), first, 'a new access token from the rotated refresh token');
      assert.equal(await page.isHidden('#error'), true);
      await assertNothingSecret(page, messages, [DEMO_SECRET, 'refresh_token', cookie.value, rotated.value]);
      await assertCleanAddress(page);
      assert.deepEqual(problems, []);

      // Another tab of this browser signs in and out through the relay: its
      // sign-out clears the relay's cookie, which the tabs share.
      // The tab opens on this tab's token, which its session.token() asks
      // for on the session's channel, then signs in by itself; this tab
      // hears the tab's token, and its sign-out.
      const { page: tab, problems: tabProblems, messages: tabMessages } = await openDemo(browser, { page: await page.sibling() });
      await tab.waitForSelector('#token-panel:not([hidden])');
      assert.equal(await tab.textContent('#token-access'), await page.textContent('#token-access'));
      await signIn(tab, 'code');
      await tab.waitForSelector('#token-panel:not([hidden])');
      const tabCookie = await relayCookie(tab);
      assert.ok(tabCookie && tabCookie.value !== rotated.value, 'the tab\'s sign-in set a cookie of its own');
      await page.waitForFunction((a) => document.querySelector('#token-access').textContent === a, await tab.textContent('#token-access'));
      await assertNothingSecret(tab, tabMessages, [DEMO_SECRET, 'refresh_token', tabCookie.value]);
      await tab.click('#sign-out');
      await signedOut(tab);
      await statusMatches(tab, /relay cleared its cookie/);
      assert.equal(await relayCookie(tab), undefined, 'sign-out cleared the relay cookie');
      assert.equal(await tab.isHidden('#error'), true);
      assert.deepEqual(tabProblems, []);
      await tab.close();
      await signedOut(page);
      assert.equal(await page.textContent('#status'), 'Signed out, here or in another tab of this browser.');

      // Signed in again, this tab loses the relay's cookie behind its back
      // (the relay's sign-out, with no word on the channel): its next
      // refresh finds no cookie: sign in again.
      await signIn(page, 'code');
      await page.waitForSelector('#token-panel:not([hidden])');
      const again = await relayCookie(page);
      assert.ok(again, 'the relay set its cookie');
      assert.equal(await page.evaluate(async (headers) => (await fetch('/relay/signout', { method: 'POST', headers })).status, RELAY_HEADER) < 300, true);
      assert.equal(await relayCookie(page), undefined);
      await page.click('#refresh');
      assert.match(await shownError(page), /^reauthenticate\b/);
      await statusMatches(page, /^The relay holds no sign-in any more: sign in again\.$/);
      // Sign out still works, and clears the page.
      await page.click('#sign-out');
      await signedOut(page);
      assert.equal(await page.isHidden('#error'), true);
      assert.equal(await relayCookie(page), undefined);
      await assertNothingSecret(page, messages, [DEMO_SECRET, 'refresh_token', cookie.value, rotated.value, tabCookie.value, again.value]);
      // The one error is the browser's own note of the relay's 401 (Chromium
      // logs failed requests; Firefox does not).
      assert.deepEqual(problems.filter((p) => !/^console: Failed to load resource: the server responded with a status of 401\b/.test(p)), []);
      await page.close();
    });

    test(`${name}: code flow in a popup through the relay: the popup closes itself, the page is signed in`, async () => {
      const { page, problems, messages } = await openDemo(browser);
      const opened = new Promise((resolve) => page.raw.once('popup', resolve));
      await page.click('#sign-in-popup');
      const popup = await opened;
      await popup.waitForSelector('#allow', { visible: true });
      const allow = await popup.$('#allow');
      await allow.click();
      await page.waitForSelector('#token-panel:not([hidden])');
      assert.equal(await page.textContent('#status'), 'Signed in.');
      assert.equal(await page.textContent('#token-principal'), 'mister.jones@fakemail.com');
      assert.equal(await page.textContent('#token-refresh'), 'held by the relay (HttpOnly cookie)');
      const cookie = await relayCookie(page);
      assert.ok(cookie, 'the relay set its cookie');
      await assertCleanAddress(page);
      const deadline = Date.now() + 10_000;
      while (!popup.isClosed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(popup.isClosed(), true, 'the popup closed itself');
      await assertNothingSecret(page, messages, [DEMO_SECRET, 'refresh_token', cookie.value]);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test(`${name}: implicit flow: token from the fragment, fragment removed`, async () => {
      const { page, problems } = await openDemo(browser);
      await signIn(page, 'implicit');
      await page.waitForSelector('#token-panel:not([hidden])');
      await assertCleanAddress(page);
      for (const href of [await page.href(), await page.addressBar()]) assert.ok(!href.includes('#'), `fragment left: ${href}`);
      assert.equal(await page.textContent('#token-refresh'), 'none');
      assert.equal(await page.isHidden('#refresh'), true, 'no Refresh without a relay');
      // The help text does not promise a refresh the implicit flow cannot make.
      const help = await page.textContent('#token-help');
      assert.match(help, /^The implicit flow brings no refresh token: nothing renews this token\. When it runs out, sign in again\.$/);
      await page.click('#fetch-me');
      await page.waitForSelector('#profile:not([hidden])');
      assert.equal(await relayCookie(page), undefined, 'the implicit flow leaves the relay out');
      // No refresh path: at expiry the countdown says to sign in again.
      const { refreshes } = await stats();
      await shiftClock(page, 3601_000);
      await page.waitForFunction(() => document.querySelector('#token-expiry').textContent === 'expired — sign in again', undefined, { timeout: 5000 });
      assert.equal(await page.textContent('#status'), 'The token expired and cannot be renewed: sign in again.');
      assert.equal((await stats()).refreshes, refreshes, 'no refresh without a refresh path');
      assert.equal(await page.isHidden('#error'), true);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test(`${name}: two tabs: the second gets the token from the first, one refresh serves both when it runs out, sign-out in one signs out the other`, async () => {
      const { page, problems, messages } = await openDemo(browser);
      await signIn(page, 'code');
      await page.waitForSelector('#token-panel:not([hidden])');
      await assertCleanAddress(page);
      const cookie = await relayCookie(page);
      assert.ok(cookie, 'the relay set its cookie');
      const access = await page.textContent('#token-access');

      // A second tab of this browser context opens: its session.token()
      // gets the first tab's token over the channel, with no refresh.
      const opened = await stats();
      const { page: tab, problems: tabProblems, messages: tabMessages } = await openDemo(browser, { page: await page.sibling() });
      await tab.waitForSelector('#token-panel:not([hidden])');
      assert.equal(await tab.textContent('#token-access'), access);
      assert.match(await tab.textContent('#status'), /^Signed in; another tab shared its token at \d\d:\d\d:\d\d\.$/);
      assert.equal((await stats()).refreshes, opened.refreshes, 'the first tab answered: no refresh');
      assert.equal(await tab.textContent('#token-principal'), 'mister.jones@fakemail.com');
      assert.equal(await tab.textContent('#token-refresh'), 'held by the relay (HttpOnly cookie)');
      assert.match(await tab.textContent('#token-expiry'), /^(59m|1h0m)/);
      assert.equal(await tab.isDisabled('#refresh'), false);
      await assertNothingSecret(tab, tabMessages, [DEMO_SECRET, 'refresh_token', cookie.value]);

      // Both tabs' clocks move past the token's expiry: each tab asks its
      // session for a new token, and the library refreshes once for both.
      const before = await stats();
      await Promise.all([page, tab].map((p) => shiftClock(p, 3601_000)));
      for (const p of [page, tab]) await newToken(p, access);
      await noRefreshUnderWay(page);
      assert.equal((await stats()).refreshes, before.refreshes + 1, 'one refresh across the two tabs');
      const fresh = await page.textContent('#token-access');
      assert.equal(await tab.textContent('#token-access'), fresh, 'both tabs show the new token');
      for (const p of [page, tab]) {
        assert.match(await p.textContent('#status'), /^(New token from the relay at|Signed in; another tab shared its token at) \d\d:\d\d:\d\d/);
        assert.match(await p.textContent('#token-expiry'), /^(59m|1h0m)/);
        assert.equal(await p.textContent('#token-refresh'), 'held by the relay (HttpOnly cookie)');
        assert.equal(await p.isHidden('#error'), true);
      }
      mkdirSync(ARTEFACTS, { recursive: true });
      await tab.screenshot({ path: new URL(`second-tab-${name}.png`, ARTEFACTS).pathname, fullPage: true });
      const held = await relayCookie(page);
      await assertNothingSecret(page, messages, [DEMO_SECRET, 'refresh_token', cookie.value, held.value]);
      await assertNothingSecret(tab, tabMessages, [DEMO_SECRET, 'refresh_token', cookie.value, held.value]);

      // Sign out in the second tab: the first hears it.
      await tab.click('#sign-out');
      await signedOut(tab);
      await statusMatches(tab, /relay cleared its cookie/);
      await signedOut(page);
      assert.equal(await page.textContent('#status'), 'Signed out, here or in another tab of this browser.');
      assert.equal(await relayCookie(page), undefined, 'sign-out cleared the relay cookie');
      assert.equal((await stats()).refreshes, before.refreshes + 1);
      await assertCleanAddress(page);
      assert.deepEqual(problems, []);
      assert.deepEqual(tabProblems, []);
      await tab.close();
      await page.close();
    });

    test(`${name}: a reload restores the sign-in through the relay's cookie; without it the page is signed out`, async () => {
      const { page, problems, messages } = await openDemo(browser);
      assert.equal(await page.textContent('#status'), 'Not signed in.');
      assert.equal(await page.isHidden('#token-panel'), true);
      assert.equal(await page.isHidden('#error'), true);
      await signIn(page, 'code');
      await page.waitForSelector('#token-panel:not([hidden])');
      const access = await page.textContent('#token-access');
      const cookie = await relayCookie(page);
      const before = await stats();

      await page.reload();
      // Signed in through a relay, the page gets its first token with the
      // module not loaded yet: what needs the module, asked for as soon as
      // the page has started, waits for it.
      await page.evaluate((url) => new Promise((resolve) => {
        const isStarted = () => document.querySelector('#mode').textContent !== 'Loading…' && document.querySelector('#status').textContent !== '';
        const explain = () => {
          document.querySelector('#paste-input').value = url;
          document.querySelector('#paste-explain').click();
          resolve();
        };
        if (isStarted()) explain();
        else {
          new MutationObserver((_, o) => {
            if (isStarted()) { o.disconnect(); explain(); }
          }).observe(document.body, { subtree: true, childList: true, characterData: true });
        }
      }), 'https://api.getgo.com/oauth/v2/authorize?client_id=abc&response_type=code');
      await started(page);
      await page.waitForFunction(() => document.querySelector('#paste-output').textContent !== '');
      assert.match(await page.textContent('#paste-output'), /^migrateURL: /);
      await page.waitForSelector('#token-panel:not([hidden])');
      assert.match(await page.textContent('#status'), /^New token from the relay at \d\d:\d\d:\d\d; the refresh token stays in its HttpOnly cookie\.$/);
      assert.notEqual(await page.textContent('#token-access'), access, 'a new access token, from the relay');
      assert.equal((await stats()).refreshes, before.refreshes + 1, 'restored by one refresh through the relay');
      assert.equal(await page.textContent('#token-principal'), 'mister.jones@fakemail.com');
      assert.equal(await page.textContent('#token-refresh'), 'held by the relay (HttpOnly cookie)');
      assert.match(await page.textContent('#token-expiry'), /^(59m|1h0m)/);
      assert.equal(await page.isHidden('#error'), true);
      await page.click('#fetch-me');
      await page.waitForSelector('#profile:not([hidden])');
      await assertNothingSecret(page, messages, [DEMO_SECRET, 'refresh_token', cookie.value]);

      // Signed out, a reload finds nothing to restore, and says so quietly.
      await page.click('#sign-out');
      await signedOut(page);
      await page.reload();
      await started(page);
      assert.equal(await page.textContent('#status'), 'Not signed in.');
      assert.equal(await page.isHidden('#token-panel'), true);
      assert.equal(await page.isHidden('#error'), true);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test(`${name}: a redirect this tab did not start is a state error`, async () => {
      // A fresh tab, with no sign-in pending and no settings kept: the page
      // still makes its client from the server's settings, and the library
      // refuses the state.
      const state = 'A'.repeat(43);
      const { page, problems } = await openDemo(browser, { path: `/?code=abc&state=${state}` });
      assert.equal(await shownError(page), 'state_mismatch');
      assert.doesNotMatch(await page.textContent('#error-message'), /clientId/);
      assert.equal(await page.isHidden('#token-panel'), true);
      await assertCleanAddress(page);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test(`${name}: Refresh within the relay's memory of the last refresh says why the same token came back`, async () => {
      const { page, problems } = await openDemo(browser);
      await signIn(page, 'code');
      await page.waitForSelector('#token-panel:not([hidden])');
      const before = await stats();
      const first = await refresh(page);
      assert.equal((await stats()).refreshes, before.refreshes + 1, 'the first refresh reaches GoTo');
      assert.match(await page.textContent('#status'), /^New token from the relay at \d\d:\d\d:\d\d; the refresh token stays in its HttpOnly cookie\.$/);
      await page.click('#refresh');
      await statusMatches(page, /^Refreshed through the relay, and the same access token came back: the relay answers a refresh that repeats a recent one with the same cookie \(from this tab or another\) from its short memory/);
      assert.equal(await page.textContent('#token-access'), first);
      assert.equal((await stats()).refreshes, before.refreshes + 1, 'the relay answered from its memory: GoTo was not asked again');
      assert.equal(await page.isHidden('#error'), true);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test(`${name}: without the relay: the implicit flow signs in; the code flow is refused as GoTo refuses it`, async () => {
      const { page, problems } = await openDemo(browser, { base: plain.base });
      assert.match(await page.textContent('#mode'), /preset/);
      assert.equal(await page.inputValue('#client-id'), DEMO_CLIENT);
      assert.equal(await page.inputValue('#relay'), '');
      assert.equal(await page.inputValue('#flow'), 'implicit');
      await signIn(page, 'implicit');
      await page.waitForSelector('#token-panel:not([hidden])');
      await assertCleanAddress(page);
      assert.equal(await page.textContent('#token-principal'), 'mister.jones@fakemail.com');
      assert.equal(await page.textContent('#token-refresh'), 'none');
      await page.click('#fetch-me');
      await page.waitForSelector('#profile:not([hidden])');
      await page.click('#sign-out');
      await signedOut(page);
      assert.deepEqual(problems, []);

      // The demo client is confidential, as GoTo's are: a page alone cannot
      // redeem its code.
      await signIn(page, 'code');
      assert.equal(await shownError(page), 'oauth_error: invalid_client');
      assert.match(await page.textContent('#error-hint'), /set the Relay field to a token relay, or sign in with the implicit flow/);
      assert.equal(await page.isHidden('#token-panel'), true);
      await assertCleanAddress(page);
      await page.close();
    });

    test(`${name}: without the relay, a public client's code flow: the session renews the token with the refresh token it holds`, async () => {
      // The emulator's public client, which GoTo does not offer: the page's
      // own token requests, with the refresh token in the session's memory.
      const { page, problems } = await openDemo(browser, { base: plain.base });
      await page.fill('#client-id', 'gotoauth-public');
      await signIn(page, 'code');
      await page.waitForSelector('#token-panel:not([hidden])');
      await assertCleanAddress(page);
      assert.equal(await page.textContent('#token-refresh'), 'held by the session, in the memory of the tab that signed in');
      assert.match(await page.textContent('#token-help'), /^A public client without a relay: when the token runs out, session\.token\(\) in the tab that signed in refreshes it/);
      assert.equal(await page.isHidden('#refresh'), true, 'no Refresh without a relay');
      // The clock moves past the token's expiry: session.token() refreshes.
      const access = await page.textContent('#token-access');
      await shiftClock(page, 3601_000);
      await newToken(page, access);
      assert.match(await page.textContent('#status'), /^New token at \d\d:\d\d:\d\d, refreshed with the refresh token the session holds in this page's memory\.$/);
      assert.match(await page.textContent('#token-expiry'), /^(59m|1h0m)/);
      const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
      assert.ok(!stored.includes('refresh'), 'a refresh token in web storage');
      assert.equal(await relayCookie(page), undefined);
      assert.equal(await page.isHidden('#error'), true);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test(`${name}: Deny shows access_denied`, async () => {
      const { page } = await openDemo(browser);
      await signIn(page, 'code', 'deny');
      assert.equal(await shownError(page), 'oauth_error: access_denied');
      assert.equal(await page.isHidden('#token-panel'), true);
      await assertCleanAddress(page);
      await page.close();
    });

    test(`${name}: a tampered state is rejected`, async () => {
      const { page } = await openDemo(browser);
      await page.click('#sign-in');
      await page.waitForURL(/\/goto\/oauth\/authorize\?/);
      const state = new URL(page.url()).searchParams.get('state');
      assert.ok(state.length >= 22);
      const tampered = state.slice(0, -2) + (state.endsWith('AA') ? 'BB' : 'AA');
      await page.goto(`${server.base}/?code=stolen-code&state=${tampered}`);
      assert.equal(await shownError(page), 'state_mismatch');
      assert.equal(await page.isHidden('#token-panel'), true);
      await assertCleanAddress(page);
      await page.close();
    });

    test(`${name}: the explain box reads legacy URLs and redirects, as text`, async () => {
      const { page } = await openDemo(browser);
      await page.fill('#paste-input', 'https://api.getgo.com/oauth/v2/authorize?client_id=abc&response_type=code');
      await page.click('#paste-explain');
      await page.waitForSelector('#paste-output:not([hidden])');
      assert.match(await page.textContent('#paste-output'), /^migrateURL: [^]*"url": "https:\/\/authentication\.logmeininc\.com\/oauth\/authorize\?client_id=abc&response_type=code"/);
      await page.fill('#paste-input', 'https://a/#access_token=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&type=bearer&expires_in=2592000000&username=%3Cb%3Ex%3C%2Fb%3E&state=s');
      await page.click('#paste-explain');
      await page.waitForFunction(() => document.querySelector('#paste-output').textContent.startsWith('parseRedirect: '));
      assert.match(await page.textContent('#paste-output'), /"legacy": "gotoconnect"/);
      assert.match(await page.textContent('#paste-output'), /"accessToken": "<img src=x onerror=alert\(1\)>"/);
      assert.match(await page.textContent('#paste-output'), /<b>x<\/b>/);
      assert.equal(await page.count('#paste-output img, #paste-output b'), 0, 'user data became HTML');
      // Neither a redirect nor an old URL: the library's error, as text.
      await page.fill('#paste-input', 'https://example.com/<i>x</i>');
      await page.click('#paste-explain');
      await page.waitForFunction(() => document.querySelector('#paste-output').textContent.startsWith('invalid_redirect: '));
      assert.equal(await page.count('#paste-output i'), 0, 'user data became HTML');
      await page.close();
    });

    test(`${name}: the library module loads in the page and cleans the address bar itself`, async () => {
      const { page } = await openDemo(browser);
      const result = await page.evaluate(async () => {
        const { load, GoToAuthError } = await import('/gotoauth.js');
        const g = await load();
        const c = g.client({ clientId: 'lib', redirectUri: location.origin + '/' });
        const a = c.authorize();
        history.replaceState(null, '', `/?code=abc&state=${a.state}&keep=1#/route`);
        const r = await c.handleRedirect();
        let replay;
        try { await c.handleRedirect(`${location.origin}/?code=abc&state=${a.state}`); } catch (e) { replay = e instanceof GoToAuthError && e.code; }
        return { kind: r.kind, code: r.code, href: location.href, replay, version: g.version };
      });
      assert.equal(result.kind, 'code');
      assert.equal(result.code, 'abc');
      assert.equal(result.href, `${server.base}/?keep=1#/route`);
      assert.equal(result.replay, 'state_mismatch');
      await page.close();
    });

    test(`${name}: settings kept across the redirect are read field by field, never trusted`, async () => {
      const { page, problems } = await openDemo(browser);
      await page.evaluate(() => sessionStorage.setItem('gotoauth.demo.settings', '{"client-id": "<b>kept</b>", "flow": '));
      await page.reload();
      await started(page);
      // Malformed JSON is ignored as a whole; the page still works.
      assert.match(await page.textContent('#mode'), /token relay/);
      assert.equal(await page.inputValue('#client-id'), DEMO_CLIENT);
      assert.equal(await page.inputValue('#relay'), '/relay/');
      // Strings are taken, other values and unknown fields ignored.
      await page.evaluate(() => sessionStorage.setItem('gotoauth.demo.settings', JSON.stringify({
        'no-such-field': '1', 'client-id': '<b>kept</b>', flow: 'implicit', relay: '/kept/', scopes: ['not', 'a', 'string'],
      })));
      await page.reload();
      await started(page);
      assert.equal(await page.inputValue('#client-id'), '<b>kept</b>');
      assert.equal(await page.inputValue('#flow'), 'implicit');
      assert.equal(await page.inputValue('#relay'), '/kept/');
      assert.equal(await page.inputValue('#scopes'), 'identity:scim.me');
      assert.equal(await page.textContent('#mode'), 'Using the settings entered before the redirect.');
      assert.equal(await page.textContent('#status'), 'Not signed in.');
      assert.deepEqual(problems, []);
      await page.close();
    });

    test(`${name}: a redirect where no client id is known says what to do, and leaves no token in the address bar`, async () => {
      // The page served by a server of its own, which names no client
      // (no /serve-config.json), in a fresh tab with no settings kept.
      const demoFiles = { '/': ['index.html', 'text/html'], '/demo.js': ['demo.js', 'text/javascript'], '/demo.css': ['demo.css', 'text/css'], '/demo.wasm': ['demo.wasm', 'application/wasm'] };
      const app = await startApp(plain, (req, res, path) => {
        if (!demoFiles[path]) return false;
        res.setHeader('Content-Type', demoFiles[path][1]);
        res.end(readFileSync(new URL(`../${demoFiles[path][0]}`, import.meta.url)));
        return true;
      });
      try {
        const { page, problems } = await openDemo(browser, { base: app.base, path: `/#access_token=${'t'.repeat(40)}&token_type=Bearer&expires_in=3600&state=${'A'.repeat(43)}` });
        assert.match(await page.textContent('#status'), /^This page was opened with a sign-in response, but it does not know your client id: .* Enter your client id and sign in again, in this tab\.$/);
        assert.equal(await page.inputValue('#client-id'), '');
        assert.equal(await page.isHidden('#error'), true);
        assert.equal(await page.isHidden('#token-panel'), true);
        await assertCleanAddress(page);
        // Chromium notes the missing /serve-config.json on the console.
        assert.deepEqual(problems.filter((p) => !/^console: Failed to load resource: the server responded with a status of 404\b/.test(p)), []);
        await page.close();
      } finally {
        await app.close();
      }
    });
  });
}
