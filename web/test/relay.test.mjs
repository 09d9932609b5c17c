// The JS client's relay mode against serve.go -emulator -relay: the code
// is exchanged and refreshed through the token relay, which holds the
// client secret and, in a sealed HttpOnly cookie, the refresh token.
//
// Node's fetch is not a browser's: it sends no Origin header and keeps no
// cookies. The fetch below stands in for the browser for the relay's
// requests only, as a page's fetch with credentials: 'same-origin' would
// behave: it adds the page's Origin and keeps the relay's cookie.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, consent } from './server.mjs';

let server;
let base;
const jar = new Map(); // cookie name → value, for Path=/relay/
let relayRequests = 0;

const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init = {}) => {
  const url = new URL(typeof input === 'string' ? input : input.url);
  if (!base || url.origin !== base || !url.pathname.startsWith('/relay/')) return realFetch(input, init);
  relayRequests++;
  assert.equal(init.credentials, 'same-origin', 'the relay is called with the page\'s cookies');
  const headers = new Headers(init.headers);
  headers.set('Origin', base);
  if (jar.size) headers.set('Cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
  const resp = await realFetch(input, { ...init, headers });
  for (const line of resp.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
    const lower = attrs.map((a) => a.toLowerCase());
    assert.ok(lower.includes('httponly'), `the relay's cookie is HttpOnly: ${line}`);
    assert.ok(lower.includes('samesite=strict'), `the relay's cookie is SameSite=Strict: ${line}`);
    assert.ok(lower.includes('path=/relay/'), `the relay's cookie is for /relay/ only: ${line}`);
    if (lower.some((a) => a === 'max-age=0') || value === '') jar.delete(name);
    else jar.set(name, value);
  }
  return resp;
};

const { load, rejectsWith, throwsWith, MemoryStorage } = await import('./helpers.mjs');
const g = await load();
const REDIRECT = 'http://127.0.0.1:8765/callback';

before(async () => {
  server = await startServer({ relay: true });
  base = server.base;
});
after(async () => {
  await server?.stop();
});

function relayClient() {
  return g.client({
    clientId: 'gotoauth-demo',
    redirectUri: REDIRECT,
    scope: ['identity:scim.me'],
    authorizeEndpoint: `${base}/goto/oauth/authorize`,
    meEndpoint: `${base}/goto/identity/v1/Users/me`,
    relay: `${base}/relay/`,
    storage: new MemoryStorage(),
  });
}

async function signIn(c) {
  const a = c.authorize();
  assert.equal(a.flow, 'code');
  return c.exchangeCode(await c.handleRedirect(await consent(a.url), { cleanAddressBar: false }));
}

test('the code flow through the relay: no refresh token reaches the page, refresh() and signOut() go through it', async () => {
  const c = relayClient();
  assert.equal(c.config.relay, `${base}/relay/`);
  assert.equal('tokenEndpoint' in c.config, false, 'a relay client reports a token endpoint it never uses');
  const token = await signIn(c);
  assert.ok(token.accessToken);
  assert.equal(token.refreshToken, undefined, 'the relay keeps the refresh token');
  assert.equal(jar.size, 1, 'the relay set its cookie');
  const me = await c.me(token.accessToken);
  assert.ok(me.userName);

  const again = await c.refresh();
  assert.ok(again.accessToken);
  assert.notEqual(again.accessToken, token.accessToken);
  assert.equal(again.refreshToken, undefined);
  await rejectsWith('invalid_argument', () => c.refresh('a-refresh-token'));

  // Five refreshes at once with one cookie reach GoTo once: one answer.
  const five = await Promise.all([1, 2, 3, 4, 5].map(() => c.refresh()));
  assert.equal(new Set(five.map((t) => t.accessToken)).size, 1);

  await c.signOut();
  assert.equal(jar.size, 0, 'signOut cleared the cookie');
  const e = await rejectsWith('reauthenticate', () => c.refresh());
  assert.equal(e.status, 401);
});

test('relay mode refuses what would send the secret or the refresh token elsewhere', () => {
  const config = { clientId: 'gotoauth-demo', redirectUri: REDIRECT, storage: new MemoryStorage() };
  throwsWith('invalid_argument', () => g.client({ ...config, relay: `${base}/relay/`, clientSecret: 's' }));
  throwsWith('invalid_argument', () => g.client({ ...config, relay: `${base}/relay/`, tokenEndpoint: `${base}/goto/oauth/token` }));
  throwsWith('invalid_argument', () => g.client({ ...config, relay: `${base}/relay` }));
  throwsWith('invalid_argument', () => g.client({ ...config, relay: 'http://example.com/relay/' }));
  // Outside a browser there is no page to resolve a relative relay against.
  throwsWith('invalid_argument', () => g.client({ ...config, relay: '/relay/' }));
  throwsWith('invalid_argument', () => g.client({ ...config, relay: 42 }));
});

test('without a relay, signOut sends nothing and refresh() needs a token', async () => {
  const before = relayRequests;
  const c = g.client({ clientId: 'gotoauth-demo', redirectUri: REDIRECT, storage: new MemoryStorage() });
  assert.equal(await c.signOut(), undefined);
  await rejectsWith('invalid_argument', () => c.refresh());
  assert.equal(relayRequests, before);
});
