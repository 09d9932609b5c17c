// Drives gotoauth's relay mode (through web/gotoauth-node.js, the package's Node entry) against the token
// relay and fosite that relay_test.go starts: the page is at PAGE_ORIGIN, the relay at PAGE_ORIGIN/relay/,
// fosite's authorize endpoint at FOSITE/oauth2/auth.
//
//   node relay_driver.mjs http://127.0.0.1:FOSITE_PORT http://127.0.0.1:PAGE_PORT
//
// Prints one JSON line describing the outcome (never a token value, and the page never holds a refresh
// token) and exits non-zero, with the reason on stderr, on any failure.

const [fositeBase, pageOrigin] = process.argv.slice(2);
for (const base of [fositeBase, pageOrigin]) {
  if (!base || !/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) {
    fail(`usage: node relay_driver.mjs http://127.0.0.1:FOSITE_PORT http://127.0.0.1:PAGE_PORT (got ${JSON.stringify(process.argv.slice(2))})`);
  }
}
const RELAY = `${pageOrigin}/relay/`;
const REDIRECT = `${pageOrigin}/callback`;

function fail(message) {
  process.stderr.write(`relay_driver: ${message}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------
// The browser's part, which Node's fetch does not play.
//
// This wrapper stands in for the browser. A browser sends Origin on every POST (the relay refuses a POST
// without an allowed one) and keeps the relay's HttpOnly cookie, sending it back with requests whose
// credentials mode allows it (the module asks for 'same-origin' on relay requests; the page is on the
// relay's origin) and never showing Set-Cookie to the page. Node's fetch does none of this: no Origin,
// no cookie jar, Set-Cookie readable. So, for requests to the relay only, the wrapper adds Origin, keeps
// a cookie jar for the page's origin (RFC 6265: Path matching, Max-Age over Expires, Max-Age<=0 or a past
// Expires deletes) and hands the module a response without Set-Cookie. It is installed before gotoauth
// is loaded; every other request (fosite's authorize endpoint) goes to Node's fetch untouched.
const realFetch = globalThis.fetch;
const jar = new Map(); // `${name}\n${path}` -> {name, value, path, expires (ms) | undefined}
const relayLog = []; // per relay request: what the stand-in browser did and saw (no values)

function defaultPath(pathname) { // RFC 6265 §5.1.4
  const i = pathname.lastIndexOf('/');
  return i <= 0 ? '/' : pathname.slice(0, i);
}

function pathMatches(requestPath, cookiePath) { // RFC 6265 §5.1.4
  return requestPath === cookiePath || (requestPath.startsWith(cookiePath)
    && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'));
}

function storeCookie(setCookie, url) { // RFC 6265 §5.2, §5.3, for a host-only cookie
  const [pair, ...attrs] = setCookie.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  let path = defaultPath(url.pathname);
  let maxAge;
  let expires;
  for (const attr of attrs) {
    const i = attr.indexOf('=');
    const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const v = i < 0 ? '' : attr.slice(i + 1).trim();
    if (key === 'path' && v.startsWith('/')) path = v;
    else if (key === 'max-age' && /^-?\d+$/.test(v)) maxAge = Number(v);
    else if (key === 'expires' && !Number.isNaN(Date.parse(v))) expires = Date.parse(v);
    else if (key === 'domain' && v !== '') fail(`the relay set a Domain cookie (${key}=${v}); this stand-in keeps host-only cookies`);
  }
  if (maxAge !== undefined) expires = maxAge <= 0 ? 0 : Date.now() + maxAge * 1000;
  const k = `${name}\n${path}`;
  if (expires !== undefined && expires <= Date.now()) jar.delete(k);
  else jar.set(k, { name, value, path, expires });
}

function cookieHeader(url) {
  const now = Date.now();
  const out = [];
  for (const [k, c] of jar) {
    if (c.expires !== undefined && c.expires <= now) { jar.delete(k); continue; }
    if (pathMatches(url.pathname, c.path)) out.push(`${c.name}=${c.value}`);
  }
  return out.join('; ');
}

globalThis.fetch = async function fetch(input, init = {}) {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.origin !== pageOrigin || !url.pathname.startsWith('/relay/')) return realFetch(input, init);
  const headers = new Headers(init.headers);
  headers.set('Origin', pageOrigin);
  // Same origin: 'same-origin' and 'include' both carry cookies, 'omit' none.
  const credentials = init.credentials ?? 'same-origin';
  const cookies = credentials !== 'omit';
  const cookie = cookies ? cookieHeader(url) : '';
  if (cookie) headers.set('Cookie', cookie);
  const resp = await realFetch(input, { ...init, headers });
  const setCookies = resp.headers.getSetCookie();
  if (cookies) for (const sc of setCookies) storeCookie(sc, url);
  const text = await resp.text();
  let refreshTokenInAnswer = false;
  try { refreshTokenInAnswer = text !== '' && Object.hasOwn(JSON.parse(text), 'refresh_token'); } catch { /* not JSON */ }
  const visible = new Headers(resp.headers);
  visible.delete('Set-Cookie');
  const nullBody = [101, 204, 205, 304].includes(resp.status);
  const answer = new Response(nullBody ? null : text, { status: resp.status, statusText: resp.statusText, headers: visible });
  relayLog.push({
    path: url.pathname,
    status: resp.status,
    cookie: cookie !== '',
    setCookieVisible: answer.headers.getSetCookie().length > 0,
    refreshTokenInAnswer,
  });
  return answer;
};

// ---------------------------------------------------------------------------
// The page.

const { load, GoToAuthError } = await import('../../gotoauth-node.js');

function describe(err) {
  if (err instanceof GoToAuthError) {
    const extra = [err.error && `error=${err.error}`, err.status && `status=${err.status}`].filter(Boolean).join(' ');
    return `GoToAuthError ${err.code}: ${err.message}${extra ? ` (${extra})` : ''}`;
  }
  return String(err && err.stack || err);
}

/** Runs fn, expecting a GoToAuthError; returns its code (or a description of what happened instead). */
async function errorCode(fn) {
  try {
    await fn();
  } catch (err) {
    if (err instanceof GoToAuthError) return err.code;
    return `not a GoToAuthError: ${err && err.name}: ${err && err.message}`;
  }
  return 'resolved';
}

/** A Web Storage stand-in backed by a Map. */
const map = new Map();
const storage = {
  getItem: (k) => (map.has(k) ? map.get(k) : null),
  setItem: (k, v) => { map.set(k, String(v)); },
  removeItem: (k) => { map.delete(k); },
};

const hasString = (v) => typeof v === 'string' && v.length > 0;

async function main() {
  const gotoauth = await load();
  const client = gotoauth.client({
    clientId: 'gotoauth-interop-confidential',
    redirectUri: REDIRECT,
    scope: ['offline_access', 'identity:scim.me'],
    authorizeEndpoint: `${fositeBase}/oauth2/auth`,
    relay: RELAY,
    storage,
  });
  if (client.config.relay !== RELAY) fail(`client.config.relay is ${client.config.relay}, not ${RELAY}`);

  // 1. The authorize request; fosite auto-grants and redirects with code and state.
  const auth = client.authorize();
  const resp = await fetch(auth.url, { redirect: 'manual' });
  const location = resp.headers.get('location');
  if (resp.status < 300 || resp.status > 399 || !location) {
    fail(`the authorize endpoint answered ${resp.status} without a redirect: ${(await resp.text()).slice(0, 2000)}`);
  }
  const loc = new URL(location);
  if (loc.origin + loc.pathname !== REDIRECT) fail(`the authorize redirect goes to ${loc.origin + loc.pathname}, not ${REDIRECT}`);
  if (loc.searchParams.has('error')) {
    fail(`the authorize endpoint redirected with error=${loc.searchParams.get('error')}: ${loc.searchParams.get('error_description')}`);
  }

  // 2. Check and consume the state; the relay redeems the code with the client secret.
  const result = await client.handleRedirect(location).catch((err) => fail(`handleRedirect: ${describe(err)}`));
  if (result.kind !== 'code') fail(`handleRedirect gave kind ${result.kind}, not code`);
  const token = await client.exchangeCode(result).catch((err) => fail(`exchangeCode: ${describe(err)}`));
  const afterExchange = jar.size;

  // 3. Two refreshes, no argument: the relay holds the refresh token, which fosite rotates each time.
  const refreshes = [];
  const seen = new Set([token.accessToken]);
  for (let i = 0; i < 2; i++) {
    const t = await client.refresh().catch((err) => fail(`refresh ${i}: ${describe(err)}`));
    refreshes.push({
      accessToken: hasString(t.accessToken),
      newAccessToken: hasString(t.accessToken) && !seen.has(t.accessToken),
      refreshToken: t.refreshToken !== undefined,
      tokenType: t.tokenType,
      expiresIn: t.expiresIn,
    });
    seen.add(t.accessToken);
  }
  const afterRefresh = jar.size;

  // 4. Sign out: the relay clears its cookie, and a refresh must now ask for a new sign-in.
  await client.signOut().catch((err) => fail(`signOut: ${describe(err)}`));
  const afterSignOutJar = jar.size;
  const afterSignOut = await errorCode(() => client.refresh());

  const out = {
    accessToken: hasString(token.accessToken),
    tokenType: token.tokenType,
    expiresIn: token.expiresIn,
    scope: token.scope,
    refreshToken: token.refreshToken !== undefined,
    refreshes,
    afterSignOut,
    cookies: { afterExchange, afterRefresh, afterSignOut: afterSignOutJar },
    relay: relayLog,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);

  const wrong = [];
  if (out.refreshToken) wrong.push('the token exchangeCode resolved to has a refreshToken');
  refreshes.forEach((r, i) => {
    if (!r.newAccessToken) wrong.push(`refresh ${i} gave no new access token`);
    if (r.refreshToken) wrong.push(`refresh ${i} gave a refreshToken`);
  });
  if (afterSignOut !== 'reauthenticate') wrong.push(`refresh() after signOut(): got ${afterSignOut}, want reauthenticate`);
  if (relayLog.some((r) => r.refreshTokenInAnswer)) wrong.push('a relay answer carried refresh_token');
  if (wrong.length > 0) fail(wrong.join('; '));
  process.exit(0);
}

main().catch((err) => fail(describe(err)));
