// The demo page in headless Chromium (Debian's), driven by playwright-core,
// against serve.go and its GoTo emulator: what a person does and sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTEFACTS = new URL('../test-results/', import.meta.url);

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    // playwright gives every launch a fresh, empty profile of its own.
  });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A fresh page on the demo, with its console and errors collected. */
async function openDemo() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    // Tokens never go to the console.
    if (/access_token|eyJ|[A-Za-z0-9_-]{40,}/.test(m.text())) problems.push(`console shows a secret-like value: ${m.text()}`);
  });
  await page.goto(server.base + '/');
  await page.waitForSelector('#app[data-ready="true"]');
  await page.waitForFunction(() => document.querySelector('#mode').textContent.includes('emulator'));
  return { page, context, problems };
}

function assertCleanAddress(page) {
  const u = page.url();
  for (const p of ['code=', 'state=', 'access_token=', 'token_type=', 'type=bearer']) {
    assert.ok(!u.includes(p), `the address bar still has ${p}: ${u}`);
  }
}

async function signIn(page, flow, decision = 'allow') {
  await page.selectOption('#flow', flow);
  await page.click('#sign-in');
  await page.waitForURL(/\/goto\/oauth(2\/v2)?\/(authorize|grant)\?/);
  await page.click(decision === 'allow' ? '#allow' : '#deny');
  await page.waitForURL((u) => u.pathname === '/');
}

test('code flow with PKCE: signed in, profile, refresh, clean address bar', async () => {
  const { page, context, problems } = await openDemo();
  await signIn(page, 'code');
  await page.waitForSelector('#token-panel:not([hidden])');
  assertCleanAddress(page);
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
  await page.screenshot({ path: new URL('signed-in.png', ARTEFACTS).pathname, fullPage: true });

  await page.click('#refresh');
  await page.waitForSelector('#token-panel[data-refreshed="true"]');
  assert.match(await page.textContent('#status'), /kept/);
  assertCleanAddress(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test('implicit flow: token from the fragment, fragment removed', async () => {
  const { page, context, problems } = await openDemo();
  await signIn(page, 'implicit');
  await page.waitForSelector('#token-panel:not([hidden])');
  assertCleanAddress(page);
  assert.ok(!page.url().includes('#'), `fragment left: ${page.url()}`);
  assert.equal(await page.textContent('#token-refresh'), 'none');
  assert.equal(await page.isDisabled('#refresh'), true);
  await page.click('#fetch-me');
  await page.waitForSelector('#profile:not([hidden])');
  assert.deepEqual(problems, []);
  await context.close();
});

test('Deny shows access_denied', async () => {
  const { page, context } = await openDemo();
  await signIn(page, 'code', 'deny');
  await page.waitForSelector('#error:not([hidden])');
  assert.equal(await page.getAttribute('#error', 'data-code'), 'oauth_error');
  assert.equal(await page.getAttribute('#error', 'data-oauth-error'), 'access_denied');
  assert.match(await page.textContent('#error-code'), /access_denied/);
  assert.equal(await page.isHidden('#token-panel'), true);
  assertCleanAddress(page);
  await context.close();
});

test('a tampered state is rejected', async () => {
  const { page, context } = await openDemo();
  await page.click('#sign-in');
  await page.waitForURL(/\/goto\/oauth\/authorize\?/);
  const state = new URL(page.url()).searchParams.get('state');
  assert.ok(state.length >= 22);
  const tampered = state.slice(0, -2) + (state.endsWith('AA') ? 'BB' : 'AA');
  await page.goto(`${server.base}/?code=stolen-code&state=${tampered}`);
  await page.waitForSelector('#error:not([hidden])');
  assert.equal(await page.getAttribute('#error', 'data-code'), 'state_mismatch');
  assert.equal(await page.isHidden('#token-panel'), true);
  assertCleanAddress(page);
  await context.close();
});

test('the explain box reads legacy URLs and redirects, as text', async () => {
  const { page, context } = await openDemo();
  await page.fill('#paste-input', 'https://api.getgo.com/oauth/v2/authorize?client_id=abc&response_type=code');
  await page.click('#paste-explain');
  await page.waitForSelector('#paste-output:not([hidden])');
  assert.match(await page.textContent('#paste-output'), /https:\/\/authentication\.logmeininc\.com\/oauth\/authorize\?client_id=abc&response_type=code/);
  await page.fill('#paste-input', 'https://a/#access_token=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&type=bearer&expires_in=2592000000&username=%3Cb%3Ex%3C%2Fb%3E&state=s');
  await page.click('#paste-explain');
  assert.match(await page.textContent('#paste-output'), /GoToConnect/);
  assert.match(await page.textContent('#paste-output'), /<b>x<\/b>/);
  assert.equal(await page.locator('#paste-output img, #paste-output b').count(), 0, 'user data became HTML');
  await context.close();
});

test('the library module loads in the page and cleans the address bar itself', async () => {
  const { page, context } = await openDemo();
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
  await context.close();
});

test('settings kept across the redirect are read field by field, never trusted', async () => {
  const { page, context, problems } = await openDemo();
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
  await context.close();
});
