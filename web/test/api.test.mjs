// The public contract of web/gotoauth.js, checked through the loader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { nearest, names } from '../gotoauth-args.js';
import {
  CLIENT_CONFIG, AUTHORIZE_URL_OPTIONS, SIGN_IN_OPTIONS, HANDLE_REDIRECT_OPTIONS, LOAD_OPTIONS,
} from '../gotoauth-contract.js';
import { load, GoToAuthError, rejectsWith, throwsWith, MemoryStorage, REDIRECT } from './helpers.mjs';

const g = await load();

test('load gives one instance, also at globalThis.gotoauth', async () => {
  assert.equal(await load(), g);
  assert.equal(globalThis.gotoauth, g);
  assert.match(g.version, /^\d+\.\d+\.\d+/);
  assert.ok(Object.isFrozen(g));
});

test('pkce returns an RFC 7636 verifier and its S256 challenge', () => {
  const { verifier, challenge, method } = g.pkce();
  assert.equal(method, 'S256');
  assert.match(verifier, /^[A-Za-z0-9\-._~]{43,128}$/);
  const expected = createHash('sha256').update(verifier).digest('base64url');
  assert.equal(challenge, expected);
  assert.notEqual(g.pkce().verifier, verifier);
});

test('authorizeURL builds the code flow with PKCE and a fresh state', () => {
  const a = g.authorizeURL({ clientId: 'my-client', redirectUri: REDIRECT, scope: ['identity:scim.me', 'users.v1.lines.read'] });
  const u = new URL(a.url);
  assert.equal(u.origin + u.pathname, 'https://authentication.logmeininc.com/oauth/authorize');
  assert.equal(u.searchParams.get('response_type'), 'code');
  assert.equal(u.searchParams.get('client_id'), 'my-client');
  assert.equal(u.searchParams.get('redirect_uri'), REDIRECT);
  assert.equal(u.searchParams.get('scope'), 'identity:scim.me users.v1.lines.read');
  assert.ok(a.url.includes('scope=identity%3Ascim.me%20users.v1.lines.read'), 'scopes are joined with %20');
  assert.equal(u.searchParams.get('state'), a.state);
  assert.ok(Buffer.from(a.state, 'base64url').length >= 16, 'state has at least 128 bits');
  assert.equal(u.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(u.searchParams.get('code_challenge'), createHash('sha256').update(a.codeVerifier).digest('base64url'));
  assert.equal(a.flow, 'code');
  const b = g.authorizeURL({ clientId: 'my-client' });
  assert.notEqual(b.state, a.state);
  assert.notEqual(b.codeVerifier, a.codeVerifier);
});

test('authorizeURL builds the implicit flow without PKCE', () => {
  const a = g.authorizeURL({ clientId: 'c', redirectUri: REDIRECT, flow: 'implicit', scope: 'a b' });
  const u = new URL(a.url);
  assert.equal(u.searchParams.get('response_type'), 'token');
  assert.equal(u.searchParams.get('scope'), 'a b');
  assert.equal(u.searchParams.get('code_challenge'), null);
  assert.equal(a.codeVerifier, undefined);
  assert.equal(a.flow, 'implicit');
});

test('authorizeURL: endpoint, extra parameters and their limits', () => {
  const a = g.authorizeURL({ clientId: 'c', authorizeEndpoint: 'http://127.0.0.1:9/goto/oauth/authorize', extraParams: { prompt: 'login', ui_locales: 'fr' } });
  const u = new URL(a.url);
  assert.equal(u.host, '127.0.0.1:9');
  assert.equal(u.searchParams.get('prompt'), 'login');
  for (const name of ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method']) {
    throwsWith('invalid_argument', () => g.authorizeURL({ clientId: 'c', extraParams: { [name]: 'x' } }));
  }
  throwsWith('invalid_argument', () => g.authorizeURL({ clientId: 'c', authorizeEndpoint: 'http://example.com/authorize' }));
  throwsWith('invalid_argument', () => g.authorizeURL({ clientId: 'c', authorizeEndpoint: 'https://example.com/a#frag' }));
  throwsWith('invalid_argument', () => g.authorizeURL({ clientId: 'c', redirectUri: 'http://example.com/cb' }));
  throwsWith('invalid_argument', () => g.authorizeURL({ clientId: 'c', redirectUri: 'javascript:alert(1)' }));
  throwsWith('invalid_argument', () => g.authorizeURL({ clientId: 'c', state: 'short' }));
  throwsWith('invalid_argument', () => g.authorizeURL({ clientId: 'c', extraParams: ['x'] }));
  throwsWith('invalid_argument', () => g.authorizeURL({ clientId: 'c', extraParams: { a: 1 } }));
  const fixed = 'A'.repeat(22);
  assert.equal(g.authorizeURL({ clientId: 'c', state: fixed }).state, fixed);
});

test('the password grant and unknown flows are unsupported', () => {
  const e = throwsWith('unsupported', () => g.authorizeURL({ clientId: 'c', flow: 'password' }));
  assert.match(e.message, /authorization code/);
  throwsWith('unsupported', () => g.authorizeURL({ clientId: 'c', extraParams: { grant_type: 'password' } }));
  throwsWith('unsupported', () => g.authorizeURL({ clientId: 'c', flow: 'device' }));
});

test('parseRedirect: today\'s code, implicit token and error', () => {
  assert.deepEqual(g.parseRedirect('https://app.example/cb?code=abc&state=xyz'), { kind: 'code', code: 'abc', state: 'xyz' });
  const before = Date.now();
  const r = g.parseRedirect('https://app.example/cb#access_token=AT&token_type=Bearer&expires_in=3600&principal=mister.jones%40fakemail.com&scope=users.v1.lines.read%20calls.v2.initiate&state=s1');
  assert.equal(r.kind, 'token');
  assert.equal(r.state, 's1');
  assert.equal(r.token.accessToken, 'AT');
  assert.equal(r.token.tokenType, 'Bearer');
  assert.equal(r.token.expiresIn, 3600);
  assert.ok(r.token.expiresAt >= before + 3600_000 && r.token.expiresAt <= Date.now() + 3600_000);
  assert.equal(r.token.principal, 'mister.jones@fakemail.com');
  assert.deepEqual(r.token.scope, ['users.v1.lines.read', 'calls.v2.initiate']);
  assert.equal(r.token.legacy, null);
  assert.deepEqual(g.parseRedirect('https://app.example/cb?error=access_denied&error_description=User%20said%20no&state=s'), {
    kind: 'error', error: 'access_denied', errorDescription: 'User said no', state: 's',
  });
  assert.equal(g.parseRedirect('https://app.example/cb#error=invalid_scope&state=s').error, 'invalid_scope');
});

test('parseRedirect: the GoToConnect legacy fragment', () => {
  const r = g.parseRedirect('https://app.example/cb#access_token=AT&type=bearer&expires_in=2592000000&username=jive-user%40jive.com&state=s');
  assert.equal(r.token.legacy, 'gotoconnect');
  assert.equal(r.token.expiresIn, 2592000);
  assert.equal(r.token.principal, 'jive-user@jive.com');
  assert.equal(r.token.tokenType, 'Bearer');
  assert.deepEqual(r.token.scope, []);
  assert.equal(g.parseRedirect('https://a/#access_token=t&token_type=BEARER&state=s').token.tokenType, 'Bearer');
});

test('parseRedirect refuses malformed and ambiguous redirects', () => {
  for (const bad of [
    'https://a/cb?code=1&code=2&state=s',
    'https://a/cb?code=1&state=s&state=t',
    'https://a/cb#access_token=t&access_token=u&token_type=Bearer',
    'https://a/cb?access_token=t&token_type=Bearer&state=s',
    'https://a/cb?code=1&state=s#access_token=t&token_type=Bearer&state=s',
    'https://a/cb?code=1&error=x&state=s',
    'https://a/cb?state=s',
    'https://a/cb',
    'https://a/cb?code=%zz&state=s',
    'https://a/cb#access_token=t&token_type=mac&state=s',
    '/relative?code=1&state=s',
    'not a url',
  ]) {
    throwsWith('invalid_redirect', () => g.parseRedirect(bad));
  }
  // A single-page app's own route in the fragment is not a response.
  assert.equal(g.parseRedirect('https://a/cb?code=1&state=s#/settings').kind, 'code');
});

test('normalizeTokenResponse: all four generations', () => {
  const today = g.normalizeTokenResponse({ access_token: 'A', token_type: 'Bearer', expires_in: 3600, scope: 'users.v1.lines.read calls.v2.initiate', principal: 'mister.jones@fakemail.com' });
  assert.equal(today.legacy, null);
  assert.equal(today.refreshToken, undefined);
  assert.deepEqual(today.scope, ['users.v1.lines.read', 'calls.v2.initiate']);
  const v2 = g.normalizeTokenResponse(JSON.stringify({ access_token: 'A', token_type: 'Bearer', refresh_token: 'R', expires_in: 3600, account_key: '9999982253621659654', email: 'mister.jones@fakemail.com', firstName: 'Moon', lastName: 'Beam', organizer_key: '8439885694023999999', version: '3', account_type: '' }));
  assert.equal(v2.legacy, 'getgo-v2');
  assert.equal(v2.principal, 'mister.jones@fakemail.com');
  assert.equal(v2.profile.organizer_key, '8439885694023999999');
  assert.equal(v2.profile.firstName, 'Moon');
  const v1 = g.normalizeTokenResponse({ access_token: 'o4y', expires_in: '30758399', refresh_token: '9i4', organizer_key: '1252383132521359990', account_key: '3792314532151329654', account_type: '', firstName: 'Jon', lastName: 'Karmak', email: 'jk@example.com', platform: 'GLOBAL', version: '2' });
  assert.equal(v1.legacy, 'getgo-v1');
  assert.equal(v1.expiresIn, 30758399);
  assert.equal(v1.tokenType, 'Bearer');
  assert.equal(v1.profile.platform, 'GLOBAL');
  const jive = g.normalizeTokenResponse({ access_token: 'A', refresh_token: 'R', token_type: 'bearer', expires_in: 2592000000, username: 'jive-user@jive.com' });
  assert.equal(jive.legacy, 'gotoconnect');
  assert.equal(jive.expiresIn, 2592000);
  assert.equal(jive.principal, 'jive-user@jive.com');
  assert.equal(jive.profile, undefined);
});

test('normalizeTokenResponse: error bodies and bad shapes', () => {
  const e = throwsWith('oauth_error', () => g.normalizeTokenResponse({ error: 'invalid_request', error_description: 'unsupported.jwt' }));
  assert.equal(e.error, 'invalid_request');
  assert.equal(e.errorDescription, 'unsupported.jwt');
  throwsWith('invalid_argument', () => g.normalizeTokenResponse('{not json'));
  throwsWith('invalid_argument', () => g.normalizeTokenResponse('[]'));
  throwsWith('invalid_argument', () => g.normalizeTokenResponse({ token_type: 'Bearer' }));
  throwsWith('invalid_argument', () => g.normalizeTokenResponse({ access_token: 5, token_type: 'Bearer' }));
  throwsWith('invalid_argument', () => g.normalizeTokenResponse({ access_token: 'a', token_type: 'mac' }));
  throwsWith('invalid_argument', () => g.normalizeTokenResponse({ access_token: 'a', token_type: 'Bearer', expires_in: {} }));
  const deep = {}; let cur = deep; for (let i = 0; i < 50; i++) { cur.x = {}; cur = cur.x; }
  throwsWith('invalid_argument', () => g.normalizeTokenResponse({ access_token: 'a', token_type: 'Bearer', deep }));
  const cyclic = { access_token: 'a', token_type: 'Bearer' }; cyclic.self = cyclic;
  throwsWith('invalid_argument', () => g.normalizeTokenResponse(cyclic));
  const hostile = { access_token: 'a', token_type: 'Bearer', get scope() { throw new Error('boom'); } };
  throwsWith('invalid_argument', () => g.normalizeTokenResponse(hostile));
});

test('migrateURL rewrites every legacy endpoint', () => {
  const cases = [
    ['https://api.getgo.com/oauth/authorize?client_id=abc', 'https://authentication.logmeininc.com/oauth/authorize?response_type=code&client_id=abc'],
    ['https://api.getgo.com/oauth/access_token', 'https://authentication.logmeininc.com/oauth/token'],
    ['https://api.getgo.com/oauth/v2/authorize?client_id=abc&response_type=code&state=s', 'https://authentication.logmeininc.com/oauth/authorize?client_id=abc&response_type=code&state=s'],
    ['https://api.getgo.com/oauth/v2/token', 'https://authentication.logmeininc.com/oauth/token'],
    ['https://auth.jive.com/oauth2/v2/grant?response_type=token&client_id=c&redirect_uri=https%3A%2F%2Fa%2F', 'https://authentication.logmeininc.com/oauth/authorize?response_type=token&client_id=c&redirect_uri=https%3A%2F%2Fa%2F'],
    ['https://auth.jive.com/oauth2/v2/token', 'https://authentication.logmeininc.com/oauth/token'],
  ];
  for (const [from, to] of cases) {
    const m = g.migrateURL(from);
    assert.equal(m.url, to, from);
    assert.equal(m.changed, true);
    assert.ok(m.notes.length > 0);
  }
  const same = g.migrateURL('https://authentication.logmeininc.com/oauth/authorize?client_id=c');
  assert.equal(same.changed, false);
  assert.equal(g.migrateURL('https://example.com/x').changed, false);
  throwsWith('invalid_argument', () => g.migrateURL('nope'));
});

test('client: authorize then handleRedirect checks and consumes the state', async () => {
  const storage = new MemoryStorage();
  const c = g.client({ clientId: 'my-client', redirectUri: REDIRECT, scope: ['identity:scim.me'], storage });
  const a = c.authorize();
  assert.equal(a.codeVerifier, undefined, 'the verifier stays in storage');
  assert.equal(storage.map.size, 1);
  for (const [k, v] of storage.map) {
    assert.ok(!k.includes(a.state), 'the state is not the storage key');
    assert.ok(!/access_token/.test(v));
  }
  const r = await c.handleRedirect(`${REDIRECT}?code=the-code&state=${a.state}`);
  assert.equal(r.kind, 'code');
  assert.equal(r.code, 'the-code');
  assert.equal(r.redirectUri, REDIRECT);
  assert.equal(new URL(a.url).searchParams.get('code_challenge'), createHash('sha256').update(r.codeVerifier).digest('base64url'));
  assert.equal(storage.map.size, 0, 'the state is consumed');
  await rejectsWith('state_mismatch', () => c.handleRedirect(`${REDIRECT}?code=the-code&state=${a.state}`));
});

test('client: implicit flow resolves a token', async () => {
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, flow: 'implicit', storage: new MemoryStorage() });
  const a = c.authorize();
  const r = await c.handleRedirect(`${REDIRECT}#access_token=AT&type=bearer&expires_in=2592000000&username=u%40x&state=${a.state}`);
  assert.equal(r.kind, 'token');
  assert.equal(r.token.legacy, 'gotoconnect');
  assert.equal(r.token.expiresIn, 2592000);
});

test('client: replayed, foreign, missing and unknown states are refused', async () => {
  const storage = new MemoryStorage();
  const mine = g.client({ clientId: 'mine', redirectUri: REDIRECT, storage });
  const other = g.client({ clientId: 'other', redirectUri: REDIRECT, storage });
  const a = other.authorize();
  await rejectsWith('state_mismatch', () => mine.handleRedirect(`${REDIRECT}?code=c&state=${a.state}`));
  await rejectsWith('state_mismatch', () => other.handleRedirect(`${REDIRECT}?code=c&state=${a.state}`));
  await rejectsWith('state_mismatch', () => mine.handleRedirect(`${REDIRECT}?code=c`));
  await rejectsWith('state_mismatch', () => mine.handleRedirect(`${REDIRECT}?code=c&state=${'x'.repeat(43)}`));
  const b = mine.authorize();
  const tampered = b.state.slice(0, -1) + (b.state.endsWith('A') ? 'B' : 'A');
  await rejectsWith('state_mismatch', () => mine.handleRedirect(`${REDIRECT}?code=c&state=${tampered}`));
});

test('client: an unknown state on a loopback host says the sign-in may have started under the other loopback name', async () => {
  // A page on localhost signs in with a redirectUri on 127.0.0.1: the
  // redirect lands where this tab's storage has no sign-in.
  const c = g.client({ clientId: 'c', redirectUri: 'http://127.0.0.1:5173/', storage: new MemoryStorage() });
  const e = await rejectsWith('state_mismatch', () => c.handleRedirect(`http://127.0.0.1:5173/?code=c&state=${'s'.repeat(30)}`, { cleanAddressBar: false }));
  assert.equal(e.message, 'the redirect came to 127.0.0.1, where no sign-in was started in this tab: if it started on localhost, another origin with storage of its own, open the app on 127.0.0.1 (the host of redirectUri) and sign in there (unknown state: not made here, made for another tab, or already used)');
  const back = await rejectsWith('state_mismatch', () => c.handleRedirect(`http://localhost:5173/?code=c&state=${'s'.repeat(30)}`, { cleanAddressBar: false }));
  assert.match(back.message, /^the redirect came to localhost, .* if it started on 127\.0\.0\.1, .* open the app on localhost /);
  const elsewhere = await rejectsWith('state_mismatch', () => c.handleRedirect(`https://app.example/cb?code=c&state=${'s'.repeat(30)}`, { cleanAddressBar: false }));
  assert.equal(elsewhere.message, 'unknown state: not made here, made for another tab, or already used');
  c.close();
});

test('client: an expired state is refused', async () => {
  const storage = new MemoryStorage();
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage });
  const a = c.authorize();
  // Age the stored request by 11 minutes.
  for (const [k, v] of storage.map) {
    const created = Number(new URLSearchParams(v).get('created'));
    storage.map.set(k, v.replace(`created=${created}`, `created=${created - 11 * 60_000}`));
  }
  await rejectsWith('state_expired', () => c.handleRedirect(`${REDIRECT}?code=c&state=${a.state}`));
  await rejectsWith('state_mismatch', () => c.handleRedirect(`${REDIRECT}?code=c&state=${a.state}`));
});

test('client: an error response with a valid state rejects with oauth_error', async () => {
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });
  const a = c.authorize();
  const e = await rejectsWith('oauth_error', () => c.handleRedirect(`${REDIRECT}?error=access_denied&error_description=denied&state=${a.state}`));
  assert.equal(e.error, 'access_denied');
  assert.equal(e.errorDescription, 'denied');
});

test('client: config is checked', () => {
  throwsWith('invalid_argument', () => g.client({ redirectUri: REDIRECT }));
  throwsWith('invalid_argument', () => g.client({ clientId: 'c' }));
  throwsWith('invalid_argument', () => g.client({ clientId: 'c', redirectUri: REDIRECT, storage: {} }));
  throwsWith('invalid_argument', () => g.client({ clientId: 'c', redirectUri: REDIRECT, tokenEndpoint: 'http://example.com/t' }));
  throwsWith('unsupported', () => g.client({ clientId: 'c', redirectUri: REDIRECT, flow: 'password' }));
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT });
  assert.equal(c.config.tokenEndpoint, 'https://authentication.logmeininc.com/oauth/token');
  assert.equal(c.config.meEndpoint, 'https://api.getgo.com/identity/v1/Users/me');
  assert.equal(c.config.flow, 'code');
});

test('client: exchangeCode only takes a checked result', async () => {
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });
  await rejectsWith('invalid_argument', () => c.exchangeCode({ kind: 'code', code: 'forged', state: 's', codeVerifier: 'v', redirectUri: REDIRECT }));
  await rejectsWith('invalid_argument', () => c.exchangeCode(undefined));
  await rejectsWith('invalid_argument', () => c.exchangeCode('code'));
  const other = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });
  const a = other.authorize();
  const r = await other.handleRedirect(`${REDIRECT}?code=x&state=${a.state}`);
  await rejectsWith('invalid_argument', () => c.exchangeCode({ ...r }));
});

test('client.isRedirect: a state with a code, a token or an error, in the query or the fragment', () => {
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });
  for (const url of [
    `${REDIRECT}?code=x&state=y`, `${REDIRECT}?state=y&code=x&iss=z`, `${REDIRECT}#access_token=t&token_type=Bearer&state=y`,
    `${REDIRECT}?error=access_denied&state=y`, `${REDIRECT}?keep=1#state=y&code=x`, `${REDIRECT}#error=access_denied&state=y`,
  ]) assert.equal(c.isRedirect(url), true, url);
  for (const url of [
    REDIRECT, `${REDIRECT}?code=x`, `${REDIRECT}?state=y`, `${REDIRECT}#/settings`, `${REDIRECT}?state=y#code=x`,
    `${REDIRECT}?codes=x&state=y`, 'not a URL', '',
  ]) assert.equal(c.isRedirect(url), false, url);
  // It checks nothing and consumes nothing: a state made here is still there to be handled.
  const a = c.authorize();
  assert.equal(c.isRedirect(`${REDIRECT}?code=x&state=${a.state}`), true);
  assert.equal(c.isRedirect(`${REDIRECT}?code=x&state=${a.state}`), true);
  assert.throws(() => c.isRedirect(42), (e) => e instanceof GoToAuthError && e.code === 'invalid_argument');
  assert.throws(() => c.isRedirect('x'.repeat((64 << 10) + 1)), (e) => e instanceof GoToAuthError && e.code === 'invalid_argument');
  // Outside a browser there is no location.href to read.
  assert.throws(() => c.isRedirect(), (e) => e instanceof GoToAuthError && e.code === 'invalid_argument' && /outside a browser/.test(e.message));
  c.close();
  assert.equal(c.isRedirect(`${REDIRECT}?code=x&state=y`), true, 'a closed client still answers');
});

// The API object and a client have exactly the members gotoauth.d.ts
// declares (GoToAuth, Client), read with the TypeScript compiler: a
// method added in JS and not declared, or declared and missing, fails.
test('the d.ts declares exactly the members of the API object and of a client', async () => {
  const ts = (await import('typescript')).default;
  const text = await readFile(new URL('../gotoauth.d.ts', import.meta.url), 'utf8');
  const file = ts.createSourceFile('gotoauth.d.ts', text, ts.ScriptTarget.Latest, true);
  const members = (name) => {
    const decl = file.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === name);
    assert.ok(decl, `gotoauth.d.ts declares no ${name}`);
    return [...new Set(decl.members.map((m) => m.name.getText(file)))].sort();
  };
  assert.deepEqual(Object.keys(g).sort(), members('GoToAuth'));
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });
  assert.deepEqual(Object.keys(c).sort(), members('Client'));
  c.close();
  assert.ok(GoToAuthError.prototype instanceof Error);
});

test('options are read as own properties: a polluted Object.prototype configures nothing', async () => {
  const polluted = {
    tokenEndpoint: 'https://evil.example/token', meEndpoint: 'https://evil.example/me', authorizeEndpoint: 'https://evil.example/authorize',
    relay: 'https://evil.example/relay/', clientSecret: 'stolen', scope: 'evil', extraParams: { evil: '1' }, flow: 'implicit',
    state: 'e'.repeat(30), timeoutMs: 100, storage: { getItem() { throw new Error('evil'); }, setItem() {}, removeItem() {} },
    cleanAddressBar: false, redirectUri: 'https://evil.example/cb', wasm: new Uint8Array(8), wasmURL: 'https://evil.example/x.wasm',
  };
  for (const [k, v] of Object.entries(polluted)) Object.prototype[k] = v; // eslint-disable-line no-extend-native
  try {
    const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });
    assert.equal(c.config.tokenEndpoint, 'https://authentication.logmeininc.com/oauth/token');
    assert.equal(c.config.meEndpoint, 'https://api.getgo.com/identity/v1/Users/me');
    assert.equal(c.config.authorizeEndpoint, 'https://authentication.logmeininc.com/oauth/authorize');
    assert.ok(!Object.hasOwn(c.config, 'relay'));
    assert.equal(c.config.flow, 'code');
    assert.deepEqual([...c.config.scope], []);
    const a = c.authorize({});
    const u = new URL(a.url);
    assert.equal(u.origin, 'https://authentication.logmeininc.com');
    assert.equal(u.searchParams.get('evil'), null);
    assert.equal(u.searchParams.get('scope'), null);
    assert.notEqual(a.state, polluted.state);
    const b = g.authorizeURL({ clientId: 'c', redirectUri: REDIRECT });
    assert.equal(new URL(b.url).origin, 'https://authentication.logmeininc.com');
    assert.equal(await load({}), g);
  } finally {
    for (const k of Object.keys(polluted)) delete Object.prototype[k];
  }
});

test('normalizeTokenResponse refuses NaN and Infinity rather than sending them as null', () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    const e = throwsWith('invalid_argument', () => g.normalizeTokenResponse({ access_token: 'a', token_type: 'Bearer', expires_in: bad }));
    assert.match(e.message, /expires_in/);
    throwsWith('invalid_argument', () => g.normalizeTokenResponse({ access_token: 'a', token_type: 'Bearer', expires_in: 60, extra: { deep: [1, bad] } }));
  }
  assert.equal(g.normalizeTokenResponse({ access_token: 'a', token_type: 'Bearer', expires_in: 60 }).expiresIn, 60);
});

test('the package\'s modules import one another without a circle', async () => {
  const graph = new Map();
  const visit = async (file) => {
    if (graph.has(file)) return;
    const text = await readFile(new URL(`../${file}`, import.meta.url), 'utf8');
    const deps = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]\.\/([^'"]+)['"]/gm)].map((m) => m[1]);
    graph.set(file, deps);
    for (const d of deps) await visit(d);
  };
  await visit('gotoauth.js');
  await visit('gotoauth-node.js');
  const path = [];
  const check = (file) => {
    assert.ok(!path.includes(file), `import circle: ${[...path, file].join(' -> ')}`);
    path.push(file);
    for (const d of graph.get(file)) check(d);
    path.pop();
  };
  check('gotoauth.js');
  check('gotoauth-node.js');
  assert.ok(graph.has('gotoauth-errors.js'));
});

test('one nearness rule for every option set: case, snake_case, typos, and a name with a word added or dropped', () => {
  const sets = { CLIENT_CONFIG, AUTHORIZE_URL_OPTIONS, SIGN_IN_OPTIONS, HANDLE_REDIRECT_OPTIONS, LOAD_OPTIONS };
  const snake = (n) => n.replace(/[A-Z]+/g, (m) => `_${m.toLowerCase()}`);
  for (const [set, list] of Object.entries(sets)) {
    const known = names(list);
    for (const name of known) {
      assert.equal(nearest(name.toUpperCase(), known), name);
      assert.equal(nearest(name.toLowerCase(), known), name);
      const misses = [snake(name), `${name}s`, `${name}Url`, `my${name[0].toUpperCase()}${name.slice(1)}`];
      if (name.length > 4) misses.push(name.slice(0, -1), `${name.slice(0, 2)}${name.slice(3)}`);
      for (const miss of misses) {
        // wasmURL is the wasm option's name with Url added: it is meant.
        if (known.some((k) => k.toLowerCase() === miss.toLowerCase())) continue;
        assert.equal(nearest(miss, known), name, `${set}: ${miss}`);
      }
    }
  }
  const client = names(CLIENT_CONFIG);
  for (const miss of ['relayUrl', 'relayURL', 'relay_url', 'relayPath', 'relays', 'tokenRelay', 'Relay']) {
    assert.equal(nearest(miss, client), 'relay', miss);
  }
  assert.equal(nearest('redirectURI', client), 'redirectUri');
  assert.equal(nearest('timeout', client), 'timeoutMs');
  for (const far of ['zzzzzzzz', 'x', 'color', 'id']) assert.equal(nearest(far, client), null, far);
});

test('unknown option keys are refused, naming the key and the nearest known one', async () => {
  const cases = [
    [() => g.client({ clientId: 'c', redirectURI: REDIRECT }), 'redirectURI', 'redirectUri'],
    [() => g.client({ clientId: 'c', redirectUri: REDIRECT, tokenEndPoint: 'https://a.example/t' }), 'tokenEndPoint', 'tokenEndpoint'],
    [() => g.client({ clientId: 'c', redirectUri: REDIRECT, clientsecret: 's' }), 'clientsecret', 'clientSecret'],
    [() => g.client({ clientId: 'c', redirectUri: REDIRECT, timeout: 5 }), 'timeout', 'timeoutMs'],
    [() => g.authorizeURL({ clientId: 'c', redirectURI: REDIRECT }), 'redirectURI', 'redirectUri'],
    [() => g.authorizeURL({ clientId: 'c', scopes: ['a'] }), 'scopes', 'scope'],
    [() => g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() }).authorize({ extraParam: {} }), 'extraParam', 'extraParams'],
  ];
  for (const [fn, key, near] of cases) {
    const e = throwsWith('invalid_argument', fn);
    assert.ok(e.message.includes(`"${key}"`), e.message);
    assert.ok(e.message.includes(`did you mean "${near}"`), e.message);
  }
  // The one nearness rule covers every call's options alike.
  const more = [
    [() => g.client({ clientId: 'c', redirectUri: REDIRECT, relayUrl: '/relay/' }), 'relayUrl', 'relay'],
    [() => g.client({ clientId: 'c', redirectUri: REDIRECT, relayURL: '/relay/' }), 'relayURL', 'relay'],
    [() => g.client({ clientId: 'c', redirect_uri: REDIRECT }), 'redirect_uri', 'redirectUri'],
  ];
  for (const [fn, key, near] of more) {
    const e = throwsWith('invalid_argument', fn);
    assert.ok(e.message.includes(`"${key}"`), e.message);
    assert.ok(e.message.includes(`did you mean "${near}"`), e.message);
  }
  const loadError = await rejectsWith('invalid_argument', () => load({ wasmUrl: 'x' }));
  assert.match(loadError.message, /did you mean "wasmURL"/);
  const far = throwsWith('invalid_argument', () => g.client({ clientId: 'c', redirectUri: REDIRECT, zzzzzzzz: 1 }));
  assert.doesNotMatch(far.message, /did you mean/);
  assert.match(far.message, /zzzzzzzz/);
  // handleRedirect's options too.
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });
  const e = await rejectsWith('invalid_argument', () => c.handleRedirect(`${REDIRECT}?code=x&state=${'s'.repeat(30)}`, { cleanAddressbar: false }));
  assert.match(e.message, /did you mean "cleanAddressBar"/);
  // Known keys whose value is undefined are fine, as before.
  g.client({ clientId: 'c', redirectUri: REDIRECT, tokenEndpoint: undefined, scope: undefined });
});

test('appState is kept beside the pending state, never in the URL, and handed back by handleRedirect', async () => {
  const storage = new MemoryStorage();
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage });
  const appState = { returnTo: '/inbox?tab=2', n: [1, 2, 3], nested: { ok: true }, text: 'é'.repeat(10) };
  const a = c.authorize({ appState });
  assert.ok(!a.url.includes('inbox') && !a.url.includes('returnTo'), 'appState is not in the URL');
  assert.ok([...storage.map.values()].some((v) => v.includes('inbox')), 'it is in the pending request');
  const r = await c.handleRedirect(`${REDIRECT}?code=x&state=${a.state}`);
  assert.deepEqual(r.appState, appState);
  // Without appState there is none; implicit flow and plain values work too.
  const b = c.authorize();
  assert.equal((await c.handleRedirect(`${REDIRECT}?code=y&state=${b.state}`)).appState, undefined);
  const imp = g.client({ clientId: 'c', redirectUri: REDIRECT, flow: 'implicit', storage: new MemoryStorage() });
  for (const v of ['just text', 0, false, null, ['a']]) {
    const i = imp.authorize({ appState: v });
    const got = await imp.handleRedirect(`${REDIRECT}#access_token=t&token_type=Bearer&state=${i.state}`);
    assert.deepEqual(got.appState, v);
  }
  // The state stays single use: the app state with it.
  await rejectsWith('state_mismatch', () => c.handleRedirect(`${REDIRECT}?code=x&state=${a.state}`));
});

test('appState: at most 4 KiB encoded, JSON only; anything else is invalid_argument and nothing is stored', () => {
  const storage = new MemoryStorage();
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage });
  c.authorize({ appState: 'a'.repeat(4096 - 2) }); // exactly 4 KiB as JSON text
  const before = storage.map.size;
  const cyclic = {}; cyclic.self = cyclic;
  for (const bad of ['a'.repeat(4096 - 1), 'é'.repeat(2048), { big: 'x'.repeat(10_000) }, () => 1, Symbol('s'), 10n, cyclic, { n: NaN }, Infinity, undefined === 1 ? 0 : { toJSON() { throw new Error('no'); } }]) {
    const e = throwsWith('invalid_argument', () => c.authorize({ appState: bad }));
    assert.match(e.message, /appState/);
  }
  assert.equal(storage.map.size, before, 'nothing was stored for a refused appState');
});

test('signInWithPopup outside a browser is invalid_argument; authorizeURL takes no appState', async () => {
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });
  await rejectsWith('invalid_argument', () => c.signInWithPopup());
  await rejectsWith('invalid_argument', () => c.signInWithPopup({ redirectURI: 'x' }));
  throwsWith('invalid_argument', () => g.authorizeURL({ clientId: 'c', appState: 1 }));
});

test('relay: on the page\'s own origin in a page; outside a page (Node) any absolute URL', () => {
  // Node has no page origin: the app's fetch keeps the relay's cookie, so
  // a relay on any origin is taken, given in full.
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage(), relay: 'https://relay.example/relay/' });
  assert.equal(c.config.relay, 'https://relay.example/relay/');
  c.close();
  const relative = throwsWith('invalid_argument', () => g.client({ clientId: 'c', redirectUri: REDIRECT, relay: '/relay/' }));
  assert.match(relative.message, /absolute URL outside a browser/);
  // A runtime with a page address (a browser; Deno's --location) has a
  // page origin, and a relay elsewhere is refused when the client is made.
  const page = { href: 'http://localhost:5173/app/', origin: 'http://localhost:5173' };
  globalThis.location = page;
  try {
    for (const relay of ['http://127.0.0.1:8080/relay/', 'http://localhost:8080/relay/', 'https://localhost:5173/relay/']) {
      const e = throwsWith('invalid_argument', () => g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage(), relay }));
      assert.match(e.message, /^relay .* is not this page's origin \(http:\/\/localhost:5173\): the relay must be served from the page's own origin/, e.message);
      assert.match(e.message, /proxy/);
    }
    const same = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage(), relay: '/relay/' });
    assert.equal(same.config.relay, 'http://localhost:5173/relay/');
    same.close();
  } finally {
    delete globalThis.location;
  }
});
