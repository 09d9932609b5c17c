// The demo page in headless Chromium and headless Firefox (Debian's
// chromium and firefox-esr), driven by puppeteer-core through
// ./browsers.mjs, against serve.go and its GoTo emulator: what a person does
// and sees. Every test runs in each browser, and its name says which.
//
// Puppeteer adds `__ariaQuerySelector*` globals to the pages it drives; see
// browsers.mjs before checking a page's globals.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { BROWSERS, launch } from './browsers.mjs';
import { startServer } from './server.mjs';

const ARTEFACTS = new URL('../test-results/', import.meta.url);

let server;

before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

/** A fresh page on the demo, with its console and errors collected. */
async function openDemo(browser) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => {
    const message = `${e?.message ?? e}`;
    // Firefox fetches /favicon.ico for the emulator's consent page too, and
    // reports that page's CSP (default-src 'none') blocking it as an error;
    // Chromium does not apply a page's CSP to its favicon. The demo's own
    // policy is default-src 'self', so this message is never the demo's.
    if (/^Content-Security-Policy: .*\/favicon\.ico\b.*default-src 'none'/.test(message)) return;
    problems.push(`pageerror: ${message}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    // Tokens never go to the console.
    if (/access_token|eyJ|[A-Za-z0-9_-]{40,}/.test(m.text())) problems.push(`console shows a secret-like value: ${m.text()}`);
  });
  await page.goto(server.base + '/');
  await page.waitForSelector('#app[data-ready="true"]');
  await page.waitForFunction(() => document.querySelector('#mode').textContent.includes('emulator'));
  return { page, problems };
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
  while (dirty(page.url()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const u = page.url();
  assert.equal(dirty(u), undefined, `the address bar still has ${dirty(u)}: ${u}`);
}

async function signIn(page, flow, decision = 'allow') {
  await page.selectOption('#flow', flow);
  await page.click('#sign-in');
  await page.waitForURL(/\/goto\/oauth(2\/v2)?\/(authorize|grant)\?/);
  await page.click(decision === 'allow' ? '#allow' : '#deny');
  await page.waitForURL((u) => u.pathname === '/');
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

    test(`${name}: code flow with PKCE: signed in, profile, refresh, clean address bar`, async () => {
      const { page, problems } = await openDemo(browser);
      await signIn(page, 'code');
      await page.waitForSelector('#token-panel:not([hidden])');
      await assertCleanAddress(page);
      assert.equal(await page.textContent('#token-principal'), 'mister.jones@fakemail.com');
      assert.equal(await page.textContent('#token-scopes'), 'identity:scim.me');
      assert.equal(await page.textContent('#token-legacy'), 'none (today\'s format)');
      assert.match(await page.textContent('#token-expiry'), /^(59m|1h 0m|60m)/);
      // The token is masked on the page and absent from storage.
      const access = await page.textContent('#token-access');
      assert.match(access, /… \(\d+ characters\)$/);
      const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
      assert.ok(!stored.includes(access.slice(0, 6)), 'a token prefix is in web storage');
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

      await page.click('#refresh');
      await page.waitForSelector('#token-panel[data-refreshed="true"]');
      assert.match(await page.textContent('#status'), /kept/);
      await assertCleanAddress(page);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test(`${name}: implicit flow: token from the fragment, fragment removed`, async () => {
      const { page, problems } = await openDemo(browser);
      await signIn(page, 'implicit');
      await page.waitForSelector('#token-panel:not([hidden])');
      await assertCleanAddress(page);
      for (const href of [await page.href(), page.url()]) assert.ok(!href.includes('#'), `fragment left: ${href}`);
      assert.equal(await page.textContent('#token-refresh'), 'none');
      assert.equal(await page.isDisabled('#refresh'), true);
      await page.click('#fetch-me');
      await page.waitForSelector('#profile:not([hidden])');
      assert.deepEqual(problems, []);
      await page.close();
    });

    test(`${name}: Deny shows access_denied`, async () => {
      const { page } = await openDemo(browser);
      await signIn(page, 'code', 'deny');
      await page.waitForSelector('#error:not([hidden])');
      assert.equal(await page.getAttribute('#error', 'data-code'), 'oauth_error');
      assert.equal(await page.getAttribute('#error', 'data-oauth-error'), 'access_denied');
      assert.match(await page.textContent('#error-code'), /access_denied/);
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
      await page.waitForSelector('#error:not([hidden])');
      assert.equal(await page.getAttribute('#error', 'data-code'), 'state_mismatch');
      assert.equal(await page.isHidden('#token-panel'), true);
      await assertCleanAddress(page);
      await page.close();
    });

    test(`${name}: the explain box reads legacy URLs and redirects, as text`, async () => {
      const { page } = await openDemo(browser);
      await page.fill('#paste-input', 'https://api.getgo.com/oauth/v2/authorize?client_id=abc&response_type=code');
      await page.click('#paste-explain');
      await page.waitForSelector('#paste-output:not([hidden])');
      assert.match(await page.textContent('#paste-output'), /https:\/\/authentication\.logmeininc\.com\/oauth\/authorize\?client_id=abc&response_type=code/);
      await page.fill('#paste-input', 'https://a/#access_token=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&type=bearer&expires_in=2592000000&username=%3Cb%3Ex%3C%2Fb%3E&state=s');
      await page.click('#paste-explain');
      assert.match(await page.textContent('#paste-output'), /GoToConnect/);
      assert.match(await page.textContent('#paste-output'), /<b>x<\/b>/);
      assert.equal(await page.count('#paste-output img, #paste-output b'), 0, 'user data became HTML');
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
      await page.evaluate(() => sessionStorage.setItem('gotoauth.demo.settings', 'no-such-field=1&client-id=%3Cb%3Ekept%3C%2Fb%3E&flow=implicit&%zz'));
      await page.reload();
      await page.waitForSelector('#app[data-ready="true"]');
      await page.waitForFunction(() => document.querySelector('#mode').textContent.includes('preset'));
      // A malformed value is ignored as a whole; the page still works.
      assert.equal(await page.inputValue('#client-id'), 'gotoauth-demo');
      await page.evaluate(() => sessionStorage.setItem('gotoauth.demo.settings', 'no-such-field=1&client-id=%3Cb%3Ekept%3C%2Fb%3E&flow=implicit'));
      await page.reload();
      await page.waitForSelector('#app[data-ready="true"]');
      assert.equal(await page.inputValue('#client-id'), '<b>kept</b>');
      assert.equal(await page.inputValue('#flow'), 'implicit');
      assert.deepEqual(problems, []);
      await page.close();
    });
  });
}
