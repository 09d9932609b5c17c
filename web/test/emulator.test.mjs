// exchangeCode, refresh and me over loopback against serve.go's GoTo
// emulator, through the module as a user loads it, covering every error path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { load, GoToAuthError, rejectsWith, MemoryStorage } from './helpers.mjs';
import { startServer, consent } from './server.mjs';

const g = await load();
let server;
let base;
let stub; // a loopback server answering 200 with text, for invalid_response
let stubURL;
let silent; // a loopback server that never answers, for timeouts
let silentURL;
const REDIRECT = 'http://127.0.0.1:8765/callback';

before(async () => {
  server = await startServer();
  base = server.base;
  stub = createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('not json'); });
  await new Promise((r) => stub.listen(0, '127.0.0.1', r));
  stubURL = `http://127.0.0.1:${stub.address().port}/token`;
  silent = createServer(() => { /* never answers */ });
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  silentURL = `http://127.0.0.1:${silent.address().port}/token`;
});
after(async () => {
  await server?.stop();
  await new Promise((r) => stub?.close(r));
  silent?.closeAllConnections();
  await new Promise((r) => silent?.close(r));
});

function newClient(extra = {}) {
  const storage = extra.storage ?? new MemoryStorage();
  return g.client({
    clientId: 'gotoauth-public', // the emulator's public client, which GoTo does not offer
    redirectUri: REDIRECT,
    scope: ['identity:scim.me', 'users.v1.read'],
    authorizeEndpoint: `${base}/goto/oauth/authorize`,
    tokenEndpoint: `${base}/goto/oauth/token`,
    meEndpoint: `${base}/goto/identity/v1/Users/me`,
    storage,
    ...extra,
  });
}

async function signIn(c) {
  const a = c.authorize();
  return c.handleRedirect(await consent(a.url));
}

async function post(path, body) {
  return fetch(`${base}${path}`, { method: 'POST', body: new URLSearchParams(body) });
}

test('code flow with PKCE: exchangeCode, then me and refresh', async () => {
  const c = newClient();
  const result = await signIn(c);
  assert.equal(result.kind, 'code');
  const token = await c.exchangeCode(result);
  assert.equal(token.tokenType, 'Bearer');
  assert.equal(token.expiresIn, 3600);
  assert.deepEqual(token.scope, ['identity:scim.me', 'users.v1.read']);
  assert.equal(token.principal, 'mister.jones@fakemail.com');
  assert.equal(token.legacy, null);
  assert.ok(token.refreshToken);

  const me = await c.me(token.accessToken);
  assert.equal(me.id, '8439885694023999999');
  assert.equal(me.userName, 'mister.jones@fakemail.com');
  assert.equal(me.givenName, 'Moon');
  assert.equal(me.familyName, 'Beam');
  assert.deepEqual(me.accounts[0], { key: '9999982253621659654', name: 'Beam Corp', entitlements: ['acctadmin', 'gotoconnect'] });
  assert.deepEqual(me.legacy, { organizer_key: '8439885694023999999', account_key: '9999982253621659654', email: 'mister.jones@fakemail.com', firstName: 'Moon', lastName: 'Beam' });
  assert.equal(me.raw.userName, 'mister.jones@fakemail.com');

  // GoTo returns no refresh token until it rotates one: the old one is kept.
  const refreshed = await c.refresh(token.refreshToken);
  assert.notEqual(refreshed.accessToken, token.accessToken);
  assert.equal(refreshed.refreshToken, token.refreshToken);

  // Near its expiry the refresh token is rotated; the new one is returned
  // and the old one is dead.
  assert.equal((await post('/goto/_emulator/age-refresh-token', { refresh_token: token.refreshToken })).status, 204);
  const rotated = await c.refresh(token.refreshToken);
  assert.notEqual(rotated.refreshToken, token.refreshToken);
  await rejectsWith('reauthenticate', () => c.refresh(token.refreshToken));
  assert.ok(await c.refresh(rotated.refreshToken));
});

test('a code is sent once; a replayed redirect is refused', async () => {
  const c = newClient();
  const a = c.authorize();
  const location = await consent(a.url);
  const result = await c.handleRedirect(location);
  await c.exchangeCode(result);
  await rejectsWith('code_already_used', () => c.exchangeCode(result));
  await rejectsWith('state_mismatch', () => c.handleRedirect(location));
});

test('a wrong PKCE verifier is refused by the server', async () => {
  const storage = new MemoryStorage();
  const c = newClient({ storage });
  const a = c.authorize();
  const location = await consent(a.url);
  for (const [k, v] of storage.map) {
    const p = new URLSearchParams(v);
    p.set('code_verifier', 'A'.repeat(64));
    storage.map.set(k, p.toString());
  }
  const result = await c.handleRedirect(location);
  const e = await rejectsWith('oauth_error', () => c.exchangeCode(result));
  assert.equal(e.error, 'invalid_grant');
  assert.equal(e.status, 400);
});

test('a confidential client authenticates with HTTP Basic', async () => {
  const c = newClient({ clientId: 'gotoauth-backend', clientSecret: 'gotoauth+backend/secret==' });
  const token = await c.exchangeCode(await signIn(c));
  assert.ok(token.accessToken);
  const bad = newClient({ clientId: 'gotoauth-backend', clientSecret: 'wrong' });
  const e = await rejectsWith('oauth_error', async () => bad.exchangeCode(await signIn(bad)));
  assert.equal(e.error, 'invalid_client');
  assert.equal(e.status, 401);
});

test('Deny comes back as oauth_error access_denied', async () => {
  const c = newClient();
  const a = c.authorize();
  const e = await rejectsWith('oauth_error', async () => c.handleRedirect(await consent(a.url, 'deny')));
  assert.equal(e.error, 'access_denied');
});

test('the implicit flow, today\'s and GoToConnect\'s fragments', async () => {
  const c = newClient({ flow: 'implicit' });
  const r = await signIn(c);
  assert.equal(r.kind, 'token');
  assert.equal(r.token.legacy, null);
  assert.equal(r.token.principal, 'mister.jones@fakemail.com');
  assert.ok((await c.me(r.token.accessToken)).id);

  const legacy = newClient({ flow: 'implicit', authorizeEndpoint: `${base}/goto/oauth2/v2/grant` });
  const l = await signIn(legacy);
  assert.equal(l.token.legacy, 'gotoconnect');
  assert.equal(l.token.expiresIn, 3600);
});

test('the GoToConnect token endpoint answers in milliseconds; its refresh tokens need a new sign-in', async () => {
  const c = newClient({ tokenEndpoint: `${base}/goto/oauth2/v2/token` });
  const token = await c.exchangeCode(await signIn(c));
  assert.equal(token.legacy, 'gotoconnect');
  assert.equal(token.expiresIn, 3600);
  assert.ok(token.refreshToken.startsWith('jive-'));
  const today = newClient();
  const e = await rejectsWith('reauthenticate', () => today.refresh(token.refreshToken));
  assert.equal(e.error, 'invalid_request');
  assert.equal(e.errorDescription, 'unsupported.jwt');
});

test('refresh: unknown token → reauthenticate, bad input → invalid_argument', async () => {
  const c = newClient();
  const e = await rejectsWith('reauthenticate', () => c.refresh('no-such-token'));
  assert.equal(e.error, 'invalid_grant');
  await rejectsWith('invalid_argument', () => c.refresh(''));
  await rejectsWith('invalid_argument', () => c.refresh(null));
  await rejectsWith('invalid_argument', () => c.refresh('x'.repeat(5 << 20)));
});

test('me: missing, invalid and expired tokens → http_error', async () => {
  const c = newClient();
  const token = await c.exchangeCode(await signIn(c));
  let e = await rejectsWith('http_error', () => c.me('not-a-token'));
  assert.equal(e.status, 401);
  assert.equal((await post('/goto/_emulator/expire-access-token', { access_token: token.accessToken })).status, 204);
  e = await rejectsWith('http_error', () => c.me(token.accessToken));
  assert.equal(e.status, 401);
  await rejectsWith('invalid_argument', () => c.me(''));
  await rejectsWith('invalid_argument', () => c.me('bad token with spaces'));
  await rejectsWith('invalid_argument', () => c.me(42));
});

test('other failures: http_error, network_error, invalid_response', async () => {
  const notFound = newClient({ tokenEndpoint: `${base}/goto/no-such-endpoint`, meEndpoint: `${base}/goto/no-such-endpoint` });
  let e = await rejectsWith('http_error', () => notFound.refresh('r'));
  assert.equal(e.status, 404);
  e = await rejectsWith('http_error', () => notFound.me('t'));
  assert.equal(e.status, 404);
  const closed = newClient({ tokenEndpoint: 'http://127.0.0.1:1/token', meEndpoint: 'http://127.0.0.1:1/me' });
  await rejectsWith('network_error', () => closed.refresh('r'));
  await rejectsWith('network_error', () => closed.me('t'));
  const garbage = newClient({ tokenEndpoint: stubURL, meEndpoint: stubURL });
  await rejectsWith('invalid_response', () => garbage.refresh('r'));
  await rejectsWith('invalid_response', () => garbage.me('t'));
  assert.ok(GoToAuthError);
});

test('a server that never answers times out with network_error', async () => {
  const c = newClient({ tokenEndpoint: silentURL, meEndpoint: silentURL, timeoutMs: 300 });
  // Without the timeout this would wait for ever: the server never answers.
  const e = await rejectsWith('network_error', () => c.refresh('r'));
  assert.match(e.message, /abort|time/i);
  await rejectsWith('network_error', () => c.me('t'));
  await rejectsWith('invalid_argument', async () => newClient({ timeoutMs: 50 }));
  await rejectsWith('invalid_argument', async () => newClient({ timeoutMs: 1.5 }));
  await rejectsWith('invalid_argument', async () => newClient({ timeoutMs: '300' }));
});
