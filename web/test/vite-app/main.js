// The scratch Vite app's entry (web/test/vite.test.mjs builds it with Vite
// and opens it in Chromium and Firefox): gotoauth imported by name from the
// installed tarball, loaded, and used as an app would. Everything is
// reported, never asserted, here: the results go as JSON into
// <pre id="result" data-status="done|failed"> for the test to check.
import { load, GoToAuthError } from 'gotoauth';

const out = document.getElementById('result');
const report = {};

function describeError(err) {
  return {
    isGoToAuthError: err instanceof GoToAuthError,
    isError: err instanceof Error,
    name: err?.name,
    code: err?.code,
    message: String(err?.message),
  };
}

function throws(f) {
  try {
    f();
    return { threw: false };
  } catch (err) {
    return { threw: true, ...describeError(err) };
  }
}

async function rejects(p) {
  try {
    await p;
    return { threw: false };
  } catch (err) {
    return { threw: true, ...describeError(err) };
  }
}

// RFC 7636 S256, computed by the browser: base64url(SHA-256(verifier)).
async function s256(verifier) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function params(url) {
  return Object.fromEntries(new URL(url).searchParams);
}

async function main() {
  const before = globalThis.gotoauthBeforeLoad;
  const g = await load();
  // The page's globals and its `process` polyfill, right after load().
  const names = Object.getOwnPropertyNames(globalThis).concat(Object.getOwnPropertySymbols(globalThis).map(String));
  const was = new Set(before.names);
  const now = new Set(names);
  // Read without any static `process.env` reference: in an app build Vite
  // replaces the text `process.env` (also `globalThis.process.env`) with `{}`,
  // so the page's own polyfill would not be what was checked.
  const proc = Reflect.get(globalThis, 'process');
  report.globals = {
    added: names.filter((n) => !was.has(n)),
    removed: before.names.filter((n) => !now.has(n)),
    gotoauthIsTheAPI: globalThis.gotoauth === g,
    runtimeNames: ['Go', 'fs', 'path', '__gotoauthBoot'].filter((n) => n in globalThis),
  };
  report.process = {
    sameProcess: proc === before.process,
    sameEnv: proc?.env === before.env,
    envKeys: Object.keys(proc?.env ?? {}),
    processKeys: Object.keys(proc ?? {}),
    envAppMode: proc?.env?.APP_MODE,
  };
  report.sameInstance = (await load()) === g;
  report.version = g.version;

  const redirectUri = `${location.origin}/callback`;
  const a = g.authorizeURL({ clientId: 'vite-client', redirectUri, scope: ['identity:scim.me'] });
  report.authorizeURL = {
    origin: new URL(a.url).origin,
    pathname: new URL(a.url).pathname,
    params: params(a.url),
    state: a.state,
    flow: a.flow,
    codeVerifier: a.codeVerifier,
    codeChallenge: a.codeChallenge,
    s256OfVerifier: await s256(a.codeVerifier),
  };

  report.parseCode = g.parseRedirect(`${redirectUri}?code=the-code&state=the-state`);
  report.parseGoToConnect = g.parseRedirect(
    `${redirectUri}#access_token=gotoconnect-token&type=bearer&expires_in=2592000000&username=agent%40example.com&state=fragment-state`,
  );
  report.parsedAt = Date.now();

  const client = g.client({ clientId: 'vite-client', redirectUri, scope: ['identity:scim.me'] });
  const started = client.authorize();
  const redirect = `${redirectUri}?code=round-trip-code&state=${encodeURIComponent(started.state)}`;
  const hrefBefore = location.href;
  const handled = await client.handleRedirect(redirect, { cleanAddressBar: false });
  report.roundTrip = {
    config: client.config,
    authorize: { state: started.state, flow: started.flow, params: params(started.url) },
    handled,
    s256OfVerifier: await s256(handled.codeVerifier),
    addressBarUntouched: location.href === hrefBefore,
    again: await rejects(client.handleRedirect(redirect, { cleanAddressBar: false })),
  };

  report.errors = {
    parseRedirectNumber: throws(() => g.parseRedirect(42)),
    authorizeURLNoClientId: throws(() => g.authorizeURL({})),
    handleRedirectBadOption: await rejects(client.handleRedirect(redirect, { cleanAddressBar: 'no' })),
  };

  // Where the module came from: the hashed asset Vite emitted.
  report.resources = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname);
}

main().then(
  () => {
    out.textContent = JSON.stringify(report, null, 2);
    out.dataset.status = 'done';
  },
  (err) => {
    out.textContent = JSON.stringify({ fatal: describeError(err), stack: String(err?.stack), report }, null, 2);
    out.dataset.status = 'failed';
  },
);
